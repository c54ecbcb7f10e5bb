// Command warm is compiled while the golang image is built, so the image's build cache
// already holds what a small web service needs (net/http, encoding/json, log, os).
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}

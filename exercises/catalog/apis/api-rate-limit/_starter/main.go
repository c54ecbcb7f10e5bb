// A tiny API, open to anyone as fast as they like: put it behind a
// per-client rate limiter (see the instructions).
//
// Run it with `PORT=8080 go run .` and try it with curl.
package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"time"
)

// The limit: each API key may make this many requests per window.
const (
	limit  = 5
	window = 3 * time.Second
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", hello)
	mux.HandleFunc("POST /echo", echo)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on 0.0.0.0:%s", port)
	// TODO: require an X-Api-Key and limit each key's requests. A
	// middleware is a func(http.Handler) http.Handler that wraps mux.
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, mux))
}

// GET /hello?name=Ada answers {"greeting": "Hello, Ada!"}.
func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	writeJSON(w, http.StatusOK, map[string]string{"greeting": "Hello, " + name + "!"})
}

// POST /echo answers with the JSON it was sent.
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || !json.Valid(body) {
		writeError(w, http.StatusBadRequest, "the body must be JSON")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// A notes API: create, list, read, replace and delete notes, kept in memory.
//
// Run it with `PORT=8080 go run .` and try it with curl (see the
// instructions). Every route answers 501 Not Implemented until you write it.
package main

import (
	"log"
	"net/http"
	"os"
	"sync"
)

// Note is what the API stores and returns.
type Note struct {
	ID   int      `json:"id"`
	Text string   `json:"text"`
	Tags []string `json:"tags"`
}

// store keeps the notes in memory. Go serves each request in a goroutine of
// its own, so lock mu around every read and write of the fields below.
type store struct {
	mu     sync.Mutex
	notes  []Note
	nextID int
}

func main() {
	s := &store{nextID: 1}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /notes", s.list)
	mux.HandleFunc("POST /notes", s.create)
	mux.HandleFunc("GET /notes/{id}", s.get)
	mux.HandleFunc("PUT /notes/{id}", s.replace)
	mux.HandleFunc("DELETE /notes/{id}", s.remove)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on 0.0.0.0:%s", port)
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, mux))
}

// GET /notes: every note, oldest first.
func (s *store) list(w http.ResponseWriter, r *http.Request) { notImplemented(w) }

// POST /notes: create a note from {"text": ..., "tags": [...]}.
func (s *store) create(w http.ResponseWriter, r *http.Request) { notImplemented(w) }

// GET /notes/{id}: one note. r.PathValue("id") is the id from the path.
func (s *store) get(w http.ResponseWriter, r *http.Request) { notImplemented(w) }

// PUT /notes/{id}: replace a note.
func (s *store) replace(w http.ResponseWriter, r *http.Request) { notImplemented(w) }

// DELETE /notes/{id}: delete a note.
func (s *store) remove(w http.ResponseWriter, r *http.Request) { notImplemented(w) }

func notImplemented(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotImplemented)
	w.Write([]byte(`{"error": "not implemented yet"}` + "\n"))
}

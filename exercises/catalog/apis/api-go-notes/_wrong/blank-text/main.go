// A notes API: create, list, read, replace and delete notes, kept in memory.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"
)

// Note is what the API stores and returns.
type Note struct {
	ID   int      `json:"id"`
	Text string   `json:"text"`
	Tags []string `json:"tags"`
}

// noteInput is what clients send to POST /notes and PUT /notes/{id}.
type noteInput struct {
	Text *string  `json:"text"`
	Tags []string `json:"tags"`
}

// store keeps the notes in creation order. Handlers run concurrently, so
// every access holds mu.
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

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]Note, len(s.notes)) // never nil: an empty store is [], not null
	copy(out, s.notes)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	in, msg := readNote(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	n := Note{ID: s.nextID, Text: *in.Text, Tags: in.Tags}
	s.nextID++ // ids only grow: a deleted note's id is never given again
	s.notes = append(s.notes, n)
	s.mu.Unlock()
	w.Header().Set("Location", "/notes/"+strconv.Itoa(n.ID))
	writeJSON(w, http.StatusCreated, n)
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := s.find(r.PathValue("id"))
	var n Note
	if i >= 0 {
		n = s.notes[i]
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, "note not found")
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *store) replace(w http.ResponseWriter, r *http.Request) {
	in, msg := readNote(r)
	s.mu.Lock()
	i := s.find(r.PathValue("id"))
	if i < 0 {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "note not found")
		return
	}
	if msg != "" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	// PUT replaces the whole note: tags left out become [].
	n := Note{ID: s.notes[i].ID, Text: *in.Text, Tags: in.Tags}
	s.notes[i] = n
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, n)
}

func (s *store) remove(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := s.find(r.PathValue("id"))
	if i >= 0 {
		s.notes = append(s.notes[:i], s.notes[i+1:]...)
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, "note not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// find returns the index of the note with this id, or -1. The caller holds mu.
func (s *store) find(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil {
		return -1
	}
	for i, note := range s.notes {
		if note.ID == n {
			return i
		}
	}
	return -1
}

// readNote decodes and checks a note sent by a client; msg says what is
// wrong with it, or is "".
func readNote(r *http.Request) (in noteInput, msg string) {
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return in, "the body must be a JSON object: " + err.Error()
	}
	if in.Text == nil || *in.Text == "" {
		return in, "text is required and must not be blank"
	}
	if in.Tags == nil {
		in.Tags = []string{}
	}
	return in, ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

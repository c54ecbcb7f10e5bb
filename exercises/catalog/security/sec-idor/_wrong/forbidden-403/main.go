// A private notes API: every user keeps notes that only they should see.
//
// Run it with `PORT=8080 go run .` and try it with curl (see the
// instructions). Every request needs `Authorization: Bearer <token>`, one
// of the tokens in `tokens` below.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Note is what the API stores and returns. Owner is the user who wrote it.
type Note struct {
	ID    int    `json:"id"`
	Owner string `json:"owner"`
	Text  string `json:"text"`
}

// tokens maps each bearer token to its user. A real service issues tokens
// at login; here they are fixed so that you can try the API with curl.
var tokens = map[string]string{
	"tok-5d1f0c9a8b7e4f21": "alice",
	"tok-92c4e7a1d03b6f58": "bob",
	"tok-3b8e6f2c9d1a7054": "carol",
	"tok-e07a4d9c5f8b1263": "dave",
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

// currentUser returns the user whose bearer token the request carries. When
// there is none, it answers 401 itself and returns ok == false.
func currentUser(w http.ResponseWriter, r *http.Request) (user string, ok bool) {
	token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	user, known := tokens[token]
	if !found || !known {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
		return "", false
	}
	return user, true
}

// GET /notes: the caller's notes, and no one else's.
func (s *store) list(w http.ResponseWriter, r *http.Request) {
	user, ok := currentUser(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	out := []Note{}
	for _, n := range s.notes {
		if n.Owner == user {
			out = append(out, n)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// POST /notes with {"text": "..."}: a new note of the caller's.
func (s *store) create(w http.ResponseWriter, r *http.Request) {
	user, ok := currentUser(w, r)
	if !ok {
		return
	}
	text, ok := readText(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	n := Note{ID: s.nextID, Owner: user, Text: text}
	s.nextID++
	s.notes = append(s.notes, n)
	s.mu.Unlock()
	w.Header().Set("Location", "/notes/"+strconv.Itoa(n.ID))
	writeJSON(w, http.StatusCreated, n)
}

// GET /notes/{id}: one note.
func (s *store) get(w http.ResponseWriter, r *http.Request) {
	user, ok := currentUser(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(r.PathValue("id"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "note not found")
		return
	}
	if s.notes[i].Owner != user {
		writeError(w, http.StatusForbidden, "this note is not yours")
		return
	}
	writeJSON(w, http.StatusOK, s.notes[i])
}

// PUT /notes/{id} with {"text": "..."}: change a note's text.
func (s *store) replace(w http.ResponseWriter, r *http.Request) {
	user, ok := currentUser(w, r)
	if !ok {
		return
	}
	text, ok := readText(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(r.PathValue("id"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "note not found")
		return
	}
	if s.notes[i].Owner != user {
		writeError(w, http.StatusForbidden, "this note is not yours")
		return
	}
	s.notes[i].Text = text
	writeJSON(w, http.StatusOK, s.notes[i])
}

// DELETE /notes/{id}: delete a note.
func (s *store) remove(w http.ResponseWriter, r *http.Request) {
	user, ok := currentUser(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(r.PathValue("id"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "note not found")
		return
	}
	if s.notes[i].Owner != user {
		writeError(w, http.StatusForbidden, "this note is not yours")
		return
	}
	s.notes = append(s.notes[:i], s.notes[i+1:]...)
	w.WriteHeader(http.StatusNoContent)
}

// index finds the note whose id is the text id, or returns -1. Hold mu.
func (s *store) index(id string) int {
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

// readText decodes {"text": "..."}; it answers 400 itself when the body is
// not that, or the text is blank.
func readText(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Text *string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Text == nil || strings.TrimSpace(*in.Text) == "" {
		writeError(w, http.StatusBadRequest, `send {"text": "..."} with a text that is not blank`)
		return "", false
	}
	return *in.Text, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

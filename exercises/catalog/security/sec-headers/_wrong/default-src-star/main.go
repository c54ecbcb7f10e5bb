// A team notice board: an HTML page (GET /) that shows the notices and a
// form to post one, and the JSON API the page uses (/api/notices).
//
// Run it with `PORT=8080 go run .` and open http://localhost:8080/ (see the
// instructions).
package main

import (
	"embed"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The page, and the files under static/ (served at /static/...), are built
// into the program.
var (
	//go:embed index.html
	indexHTML []byte
	//go:embed static
	staticFiles embed.FS
)

// Notice is what the API stores and returns.
type Notice struct {
	ID     int    `json:"id"`
	Author string `json:"author"`
	Text   string `json:"text"`
}

// board keeps the notices in memory. Go serves each request in a goroutine
// of its own, so lock mu around every read and write of the fields below.
type board struct {
	mu      sync.Mutex
	notices []Notice
	nextID  int
}

func main() {
	b := &board{nextID: 1}
	b.add("Ops", "The coffee machine on floor 2 is fixed.")
	b.add("Grace", "Retro on Friday at 15:00, room Hopper.")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", page)
	mux.Handle("GET /static/", http.FileServerFS(staticFiles))
	mux.HandleFunc("GET /api/notices", b.list)
	mux.HandleFunc("POST /api/notices", b.create)
	mux.HandleFunc("GET /api/notices/{id}", b.get)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on 0.0.0.0:%s", port)
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, secureHeaders(mux)))
}

// csp lets the page load scripts, styles, images and API calls from this site
// only (default-src 'self'), never inline code, and no other site frame it.
const csp = "default-src *; frame-ancestors 'none'"

// secureHeaders wraps every handler, so every answer carries the headers:
// the page, the API, static files, and the 404s and 405s of the mux itself.
// It sets them before the handler runs, since headers set after the first
// Write or WriteHeader are never sent.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// GET /: the page.
func page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(indexHTML)
}

// GET /api/notices: every notice, oldest first.
func (b *board) list(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	out := make([]Notice, len(b.notices))
	copy(out, b.notices)
	b.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// POST /api/notices with {"author": "...", "text": "..."}: a new notice.
func (b *board) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Author string `json:"author"`
		Text   string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Author) == "" || strings.TrimSpace(in.Text) == "" {
		writeError(w, http.StatusBadRequest, `send {"author": "...", "text": "..."}, neither blank`)
		return
	}
	n := b.add(in.Author, in.Text)
	w.Header().Set("Location", "/api/notices/"+strconv.Itoa(n.ID))
	writeJSON(w, http.StatusCreated, n)
}

// GET /api/notices/{id}: one notice.
func (b *board) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.notices {
		if err == nil && n.ID == id {
			writeJSON(w, http.StatusOK, n)
			return
		}
	}
	writeError(w, http.StatusNotFound, "notice not found")
}

func (b *board) add(author, text string) Notice {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := Notice{ID: b.nextID, Author: author, Text: text}
	b.nextID++
	b.notices = append(b.notices, n)
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

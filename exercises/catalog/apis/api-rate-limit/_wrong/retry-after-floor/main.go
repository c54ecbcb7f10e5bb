// A tiny API behind a per-client rate limiter.
package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
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

	l := &limiter{limit: limit, window: window, clients: map[string]*client{}}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on 0.0.0.0:%s", port)
	// The limiter wraps the whole mux: every route counts.
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, l.middleware(mux)))
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

// client is one key's current window: when it opened and how many
// requests it has let through.
type client struct {
	start time.Time
	count int
}

// limiter is a fixed window per key: the window opens with the key's
// first request and lasts `window`; in it, the first `limit` requests pass.
type limiter struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	clients map[string]*client
}

// allow counts a request of key at now. It reports whether it may pass,
// how many requests remain in the window, and, when it may not, how long
// until the window closes.
func (l *limiter) allow(key string, now time.Time) (ok bool, remaining int, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[key]
	if c == nil || now.Sub(c.start) >= l.window {
		c = &client{start: now}
		l.clients[key] = c
	}
	if c.count >= l.limit {
		return false, 0, c.start.Add(l.window).Sub(now) // a refused request does not count
	}
	c.count++
	return true, l.limit - c.count, 0
}

func (l *limiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimSpace(r.Header.Get("X-Api-Key"))
		if key == "" {
			writeError(w, http.StatusUnauthorized, "an X-Api-Key header is required")
			return
		}
		ok, remaining, wait := l.allow(key, time.Now())
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		if !ok {
			secs := int(wait.Seconds())
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, http.StatusTooManyRequests, "rate limit exceeded: retry in "+strconv.Itoa(secs)+"s")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

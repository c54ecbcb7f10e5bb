// Accounts you can PUT and PATCH, and payments that are safe to retry.
package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Account is the resource PUT and PATCH change. Nickname is optional: an
// account without one has no "nickname" field at all.
type Account struct {
	ID       string  `json:"id"`
	Owner    string  `json:"owner"`
	Currency string  `json:"currency"`
	Nickname *string `json:"nickname,omitempty"`
}

// Payment is created by POST /payments.
type Payment struct {
	ID      int    `json:"id"`
	Account string `json:"account"`
	Amount  int    `json:"amount"`
}

// saved is the first answer given to an idempotency key, and what the
// request that got it looked like.
type saved struct {
	fingerprint string
	status      int
	location    string
	body        []byte
}

type server struct {
	mu       sync.Mutex
	accounts map[string]Account
	payments []Payment
	keys     map[string]saved
}

func main() {
	s := &server{accounts: map[string]Account{}, keys: map[string]saved{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /accounts/{id}", s.getAccount)
	mux.HandleFunc("PUT /accounts/{id}", s.putAccount)
	mux.HandleFunc("PATCH /accounts/{id}", s.patchAccount)
	mux.HandleFunc("GET /payments", s.listPayments)
	mux.HandleFunc("GET /payments/{id}", s.getPayment)
	mux.HandleFunc("POST /payments", s.createPayment)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on 0.0.0.0:%s", port)
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, mux))
}

func (s *server) getAccount(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a, ok := s.accounts[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "account not found")
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// putAccount creates or replaces: the body is the whole account.
func (s *server) putAccount(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Owner    *string `json:"owner"`
		Currency *string `json:"currency"`
		Nickname *string `json:"nickname"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object: "+err.Error())
		return
	}
	if blank(in.Owner) || blank(in.Currency) {
		writeError(w, http.StatusBadRequest, "owner and currency are required")
		return
	}
	a := Account{ID: r.PathValue("id"), Owner: *in.Owner, Currency: *in.Currency, Nickname: in.Nickname}
	s.mu.Lock()
	_, existed := s.accounts[a.ID]
	s.accounts[a.ID] = a // the old account is replaced whole: fields not sent are gone
	s.mu.Unlock()
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	writeJSON(w, status, a)
}

// patchAccount applies a JSON merge patch (RFC 7396): fields sent are set,
// null removes an optional field, fields left out stay as they are.
func (s *server) patchAccount(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/merge-patch+json" && mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send a JSON merge patch (Content-Type: application/merge-patch+json)")
		return
	}
	var patch map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil || patch == nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "account not found")
		return
	}
	// Work on a copy, so a patch that fails halfway changes nothing.
	for field, raw := range patch {
		if field != "owner" && field != "currency" && field != "nickname" {
			continue // not a field of an account: ignored
		}
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		var v string
		if !isNull {
			if err := json.Unmarshal(raw, &v); err != nil {
				writeError(w, http.StatusBadRequest, field+" must be a string")
				return
			}
		}
		switch field {
		case "owner", "currency":
			if isNull || strings.TrimSpace(v) == "" {
				writeError(w, http.StatusBadRequest, field+" is required and cannot be removed")
				return
			}
			if field == "owner" {
				a.Owner = v
			} else {
				a.Currency = v
			}
		case "nickname":
			if isNull {
				a.Nickname = nil
			} else {
				a.Nickname = &v
			}
		}
	}
	s.accounts[a.ID] = a
	writeJSON(w, http.StatusOK, a)
}

func (s *server) listPayments(w http.ResponseWriter, r *http.Request) {
	account := r.URL.Query().Get("account")
	s.mu.Lock()
	out := []Payment{}
	for _, p := range s.payments {
		if account == "" || p.Account == account {
			out = append(out, p)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *server) getPayment(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.payments {
		if p.ID == id {
			writeJSON(w, http.StatusOK, p)
			return
		}
	}
	writeError(w, http.StatusNotFound, "payment not found")
}

// createPayment creates at most one payment per Idempotency-Key: a retry
// with the same key and body gets the first answer again.
func (s *server) createPayment(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" {
		writeError(w, http.StatusBadRequest, "an Idempotency-Key header is required")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	fp := fingerprint(body)

	// Hold the lock from the lookup to the save: two requests with the same
	// key must not both create a payment.
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.keys[key]; ok {
		if prev.fingerprint != fp {
			writeError(w, http.StatusUnprocessableEntity, "this Idempotency-Key was used with a different body")
			return
		}
		prev.status = http.StatusOK // "nothing new was created"
		replay(w, prev)
		return
	}

	var in struct {
		Account *string `json:"account"`
		Amount  *int    `json:"amount"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object: "+err.Error())
		return
	}
	if blank(in.Account) || in.Amount == nil || *in.Amount <= 0 {
		writeError(w, http.StatusBadRequest, "account is required and amount must be a positive integer")
		return
	}
	p := Payment{ID: len(s.payments) + 1, Account: *in.Account, Amount: *in.Amount}
	s.payments = append(s.payments, p)
	b, _ := json.Marshal(p)
	first := saved{fingerprint: fp, status: http.StatusCreated, location: "/payments/" + strconv.Itoa(p.ID), body: b}
	s.keys[key] = first
	replay(w, first)
}

// replay writes a saved answer.
func replay(w http.ResponseWriter, a saved) {
	w.Header().Set("Location", a.location)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// fingerprint identifies a body by its JSON value, so spacing and key order
// do not make two equal requests differ.
func fingerprint(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "raw:" + string(body)
	}
	b, _ := json.Marshal(v) // maps marshal with sorted keys
	return string(b)
}

func blank(s *string) bool { return s == nil || strings.TrimSpace(*s) == "" }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

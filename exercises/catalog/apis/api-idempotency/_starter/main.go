// Accounts you can PUT and PATCH, and payments that are safe to retry.
//
// Run it with `PORT=8080 go run .` and try it with curl (see the
// instructions). PUT and PATCH answer 501 Not Implemented, and
// POST /payments pays twice when a client retries: that is your work.
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

type server struct {
	mu       sync.Mutex
	accounts map[string]Account
	payments []Payment
}

func main() {
	s := &server{accounts: map[string]Account{}}
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

// PUT /accounts/{id}: create the account, or replace it whole.
func (s *server) putAccount(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotImplemented, "not implemented yet")
}

// PATCH /accounts/{id}: change only the fields sent (a JSON merge patch).
func (s *server) patchAccount(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotImplemented, "not implemented yet")
}

// GET /payments, or GET /payments?account=ID for one account's payments.
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

// POST /payments: create a payment. A client whose connection drops sends
// the request again, and this pays a second time. Make it idempotent.
func (s *server) createPayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Account *string `json:"account"`
		Amount  *int    `json:"amount"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object: "+err.Error())
		return
	}
	if blank(in.Account) || in.Amount == nil || *in.Amount <= 0 {
		writeError(w, http.StatusBadRequest, "account is required and amount must be a positive integer")
		return
	}
	s.mu.Lock()
	p := Payment{ID: len(s.payments) + 1, Account: *in.Account, Amount: *in.Amount}
	s.payments = append(s.payments, p)
	s.mu.Unlock()
	w.Header().Set("Location", "/payments/"+strconv.Itoa(p.ID))
	writeJSON(w, http.StatusCreated, p)
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

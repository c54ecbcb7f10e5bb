// An API that logs users in with JSON Web Tokens (JWT, RFC 7519).
//
// POST /login checks a password and answers a token signed with HS256
// (HMAC-SHA256) and the secret in $JWT_SECRET. GET /me reads the token from
// `Authorization: Bearer <token>` and answers who it belongs to.
//
// Run it with `JWT_SECRET=... PORT=8080 go run .` (see the instructions).
package main

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

// user is an account. Passwords are never stored: only a PBKDF2-HMAC-SHA256
// hash of each, with a salt of its own.
type user struct {
	Name string
	Salt string // hex
	Hash string // hex, 32 bytes
}

// The iteration count is low so that the checks run fast on small machines;
// OWASP suggests 600,000 for PBKDF2-HMAC-SHA256.
const pbkdf2Iterations = 100_000

var users = map[string]user{
	"alice": {Name: "Alice Martin", Salt: "a1f3c9e07b2d4856", Hash: "2a706f3142fb5830dcefbdea5d2d744c67056e6720f0f7cacd1ea0b908a1e6af"}, // Wonderland-1865
	"bob":   {Name: "Bob Chen", Salt: "5c0e8a2f9d7b1346", Hash: "08714c73acad061f57d5fad425f7380f5ac1b9b97b27ce5eb67323b4b4c16ca4"},     // Builder-1998
	"carol": {Name: "Carol Diaz", Salt: "e9b4d1a6c3f08275", Hash: "e2d44560f33cad26ee175c6b751c8b91dcc10c5a3fc78d1dec07e14567852b2e"},   // Christmas-1843
}

// tokenLifetime is how long a token from /login is valid.
const tokenLifetime = time.Hour

// claims is a token's payload: who it is for (sub), when it was issued (iat)
// and when it expires (exp), in seconds since 1970 (Unix time).
type claims struct {
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

// secret is the HS256 key, from $JWT_SECRET.
var secret []byte

func main() {
	secret = []byte(os.Getenv("JWT_SECRET"))
	if len(secret) < 32 {
		log.Fatal("JWT_SECRET must be a secret of at least 32 characters: run `JWT_SECRET=... PORT=8080 go run .` with the secret the instructions give")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", login)
	mux.HandleFunc("GET /me", me)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on 0.0.0.0:%s", port)
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, mux))
}

// POST /login with {"username": "...", "password": "..."}: a token.
func login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Username == "" || in.Password == "" {
		writeError(w, http.StatusBadRequest, `send {"username": "...", "password": "..."}`)
		return
	}
	if !passwordOK(in.Username, in.Password) {
		writeError(w, http.StatusUnauthorized, "wrong username or password")
		return
	}
	now := time.Now()
	token := sign(claims{Sub: in.Username, Iat: now.Unix(), Exp: now.Add(tokenLifetime).Unix()})
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      token,
		"token_type": "Bearer",
		"expires_in": int(tokenLifetime.Seconds()),
	})
}

// GET /me: the user the bearer token belongs to.
func me(w http.ResponseWriter, r *http.Request) {
	username, err := authenticate(r)
	if err != nil {
		log.Printf("GET /me refused: %v", err)
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"username": username, "name": users[username].Name})
}

// authenticate returns the user whose token the request carries.
func authenticate(r *http.Request) (string, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", errors.New("no bearer token")
	}
	c, err := verify(token, secret, time.Now())
	if err != nil {
		return "", err
	}
	if _, ok := users[c.Sub]; !ok {
		return "", errors.New("no such user")
	}
	return c.Sub, nil
}

// verify checks a token and returns its claims. Nothing in the token is
// trusted before its signature is: the server decides how a token is
// checked (HS256, with its own key), never the token.
func verify(token string, key []byte, _ time.Time) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("a JWT has three parts")
	}

	// 1. The header must say HS256: not "none", not another algorithm.
	headerJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return claims{}, errors.New("the header is not base64url")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		return claims{}, errors.New("the header is not JSON")
	}
	if header.Alg != "HS256" {
		return claims{}, fmt.Errorf("alg %q is not HS256", header.Alg)
	}

	// 2. The signature: HMAC-SHA256 with our key over the header and payload
	// exactly as they were sent, compared in constant time.
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return claims{}, errors.New("the signature is not base64url")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return claims{}, errors.New("bad signature")
	}

	// 3. Only a signed payload is read.
	payloadJSON, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, errors.New("the payload is not base64url")
	}
	var p struct {
		Sub string `json:"sub"`
		Iat int64  `json:"iat"`
		Exp *int64 `json:"exp"`
		Nbf *int64 `json:"nbf"`
	}
	if err := json.Unmarshal(payloadJSON, &p); err != nil {
		return claims{}, errors.New("the payload is not JSON")
	}
	if p.Sub == "" {
		return claims{}, errors.New("no sub")
	}
	var exp int64
	if p.Exp != nil {
		exp = *p.Exp
	}
	return claims{Sub: p.Sub, Iat: p.Iat, Exp: exp}, nil
}

// sign makes a token: base64url(header) "." base64url(payload) "."
// base64url(HMAC-SHA256(secret, the two parts before)).
func sign(c claims) string {
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	payload, _ := json.Marshal(c)
	unsigned := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// passwordOK reports whether password is username's.
func passwordOK(username, password string) bool {
	u, ok := users[username]
	if !ok {
		return false
	}
	salt, _ := hex.DecodeString(u.Salt)
	want, _ := hex.DecodeString(u.Hash)
	got, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, len(want))
	return err == nil && hmac.Equal(got, want)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

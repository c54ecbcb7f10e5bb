// Command go-cacheprog is the base image's GOCACHEPROG: a Go build cache in two layers.
// Lookups try a writable directory, then a read-only seed that the image ships with the
// standard library already compiled; new entries go to the writable directory only.
//
// Why: a cold `go test` compiles the standard library for 20-50 s on 2 cores, and a plain
// GOCACHE cannot be both pre-filled and read-only (`go vet` fails writing to it), while
// copying the ~120 MB seed into every sandbox's tmpfs costs time and memory. With this,
// a sandbox writes only what its own code adds.
//
// Directories: the writable layer is $GOCACHE/prog (default /tmp/go-cache/prog), the seed
// $GRADER_GOCACHE_SEED (default /opt/go-cache; set it empty to run without one). Each
// layer holds a/<action id> (a JSON index entry) and o/<output id> (the output itself).
//
// The protocol is cmd/go/internal/cacheprog's: JSON requests on stdin, a put's body as a
// base64 JSON string on the next line, JSON responses on stdout.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

type request struct {
	ID       int64
	Command  string
	ActionID []byte `json:",omitempty"`
	OutputID []byte `json:",omitempty"`
	BodySize int64  `json:",omitempty"`
}

type response struct {
	ID            int64
	Err           string     `json:",omitempty"`
	KnownCommands []string   `json:",omitempty"`
	Miss          bool       `json:",omitempty"`
	OutputID      []byte     `json:",omitempty"`
	Size          int64      `json:",omitempty"`
	Time          *time.Time `json:",omitempty"`
	DiskPath      string     `json:",omitempty"`
}

// indexEntry is what a/<action id> holds.
type indexEntry struct {
	OutputID []byte
	Size     int64
	Time     time.Time
}

type layer string

func (l layer) index(action []byte) string {
	return filepath.Join(string(l), "a", hex.EncodeToString(action))
}
func (l layer) output(out []byte) string {
	return filepath.Join(string(l), "o", hex.EncodeToString(out))
}

// get finds action in the layer; ok is false on any miss, broken or partial entry.
func (l layer) get(action []byte) (e indexEntry, path string, ok bool) {
	if l == "" {
		return e, "", false
	}
	b, err := os.ReadFile(l.index(action))
	if err != nil || json.Unmarshal(b, &e) != nil {
		return e, "", false
	}
	path = l.output(e.OutputID)
	if fi, err := os.Stat(path); err != nil || fi.Size() != e.Size {
		return e, "", false
	}
	return e, path, true
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "go-cacheprog:", err)
		os.Exit(1)
	}
}

func run(stdin io.Reader, stdout io.Writer) error {
	gocache := os.Getenv("GOCACHE")
	if gocache == "" || gocache == "off" {
		gocache = "/tmp/go-cache"
	}
	rw := layer(filepath.Join(gocache, "prog"))
	seed := layer("/opt/go-cache")
	if v, set := os.LookupEnv("GRADER_GOCACHE_SEED"); set {
		seed = layer(v)
	}
	for _, d := range []string{"a", "o"} {
		if err := os.MkdirAll(filepath.Join(string(rw), d), 0o755); err != nil {
			return err
		}
	}

	bw := bufio.NewWriter(stdout)
	enc := json.NewEncoder(bw)
	reply := func(r response) error {
		if err := enc.Encode(r); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := reply(response{KnownCommands: []string{"get", "put", "close"}}); err != nil {
		return err
	}

	dec := json.NewDecoder(bufio.NewReader(stdin))
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		res := response{ID: req.ID}
		switch req.Command {
		case "get":
			e, path, ok := rw.get(req.ActionID)
			if !ok {
				e, path, ok = seed.get(req.ActionID)
			}
			if ok {
				res.OutputID, res.Size, res.Time, res.DiskPath = e.OutputID, e.Size, &e.Time, path
			} else {
				res.Miss = true
			}
		case "put":
			var body []byte // JSON decodes a base64 string into []byte
			if req.BodySize > 0 {
				if err := dec.Decode(&body); err != nil {
					return fmt.Errorf("reading body of request %d: %w", req.ID, err)
				}
			}
			path, err := put(rw, seed, req, body)
			if err != nil {
				res.Err = err.Error()
			} else {
				res.DiskPath = path
			}
		case "close":
			return reply(res)
		default:
			res.Err = "unknown command " + req.Command
		}
		if err := reply(res); err != nil {
			return err
		}
	}
}

func put(rw, seed layer, req request, body []byte) (string, error) {
	if int64(len(body)) != req.BodySize {
		return "", fmt.Errorf("body is %d bytes, want %d", len(body), req.BodySize)
	}
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], req.OutputID) {
		return "", errors.New("body does not match its output id")
	}
	path := seed.output(req.OutputID)
	if fi, err := os.Stat(path); seed == "" || err != nil || fi.Size() != req.BodySize {
		path = rw.output(req.OutputID)
		if err := writeAtomic(path, body); err != nil {
			return "", err
		}
	}
	e, err := json.Marshal(indexEntry{OutputID: req.OutputID, Size: req.BodySize, Time: time.Now()})
	if err != nil {
		return "", err
	}
	return path, writeAtomic(rw.index(req.ActionID), e)
}

// writeAtomic writes through a temporary file and a rename, so that a go command reading
// in parallel never sees half a file.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

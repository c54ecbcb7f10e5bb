package classroom

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/backendroadmap/grader/course"
	"github.com/backendroadmap/grader/report"
	"github.com/backendroadmap/grader/runner"
)

// learnerName is what a learner may be called: it shows on the class page
// and in the gradebook's CSV, so it is kept plain. Its length (at most 100)
// is checked apart: a {0,99} repetition compiles to a hundred nodes, which
// was most of this package's init, paid by every `grader check`.
var learnerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]*$`)

// validLearner reports whether name may be a learner's.
func validLearner(name string) bool { return len(name) <= 100 && learnerName.MatchString(name) }

// Handler is the service's HTTP API and class page.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/submissions", s.handleUpload)
	mux.HandleFunc("GET /api/submissions/{id}", s.handleSubmission)
	mux.HandleFunc("GET /api/gradebook", s.handleGradebook)
	mux.HandleFunc("POST /api/webhooks/git", s.handleWebhook)
	mux.HandleFunc("GET /{$}", s.handlePage)
	if s.opts.Token == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/webhooks/git" || s.authorized(r) {
			mux.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="grader class", charset="UTF-8"`)
		fail(w, http.StatusUnauthorized, "this server needs its token: send Authorization: Bearer TOKEN (a browser asks for it as a password)")
	})
}

// authorized reports whether r carries the token, compared in constant time.
func (s *Service) authorized(r *http.Request) bool {
	got := ""
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = b
	} else if _, p, ok := r.BasicAuth(); ok {
		got = p
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

// apiError is an error response: what went wrong and what to do.
type apiError struct {
	Error string `json:"error"`
}

func writeJSONResponse(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSONResponse(w, code, apiError{Error: fmt.Sprintf(format, args...)})
}

// Accepted is the answer to a submission: where to follow its grading.
type Accepted struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	URL    string `json:"url"`
}

// handleUpload takes a multipart form: learner, exercise, and archive (a
// .tar.gz, .tar or .zip of the learner's folder).
func (s *Service) handleUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, "the upload is larger than %d bytes", s.opts.MaxUpload)
			return
		}
		fail(w, http.StatusBadRequest, "send a multipart form with fields learner, exercise and archive: %v", err)
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	learner, exercise := r.FormValue("learner"), r.FormValue("exercise")
	ex, msg := s.checkNames(learner, exercise)
	if msg != "" {
		fail(w, http.StatusBadRequest, "%s", msg)
		return
	}
	f, hdr, err := r.FormFile("archive")
	if err != nil {
		fail(w, http.StatusBadRequest, "the form has no archive file: attach the learner's folder packed as .tar.gz or .zip")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.opts.MaxUpload+1))
	if err != nil {
		fail(w, http.StatusBadRequest, "read the archive: %v", err)
		return
	}
	if int64(len(data)) > s.opts.MaxUpload {
		fail(w, http.StatusRequestEntityTooLarge, "the archive is larger than %d bytes", s.opts.MaxUpload)
		return
	}
	if msg := s.checkArchive(data, ex); msg != "" {
		fail(w, http.StatusUnprocessableEntity, "%s", msg)
		return
	}
	sub := &Submission{Learner: learner, Exercise: exercise, Source: "upload", archive: data, archName: filepath.Base(hdr.Filename)}
	s.accept(w, r.Context(), sub)
}

// checkNames validates a submission's learner and exercise, returning the
// exercise or a message for the sender.
func (s *Service) checkNames(learner, exercise string) (Exercise, string) {
	if !validLearner(learner) {
		return Exercise{}, fmt.Sprintf("learner %q is not a valid name: use 1-100 letters, digits and . _ @ + - (starting with a letter or digit)", learner)
	}
	ex, ok := s.exercises[exercise]
	if !ok {
		return Exercise{}, fmt.Sprintf("exercise %q is not in this server's catalog: `grader list` shows the ids", exercise)
	}
	return ex, ""
}

// checkArchive unpacks data once, so that an upload that cannot be graded is
// refused now, with the reason, rather than failing later in a worker.
func (s *Service) checkArchive(data []byte, ex Exercise) string {
	tmp, err := os.MkdirTemp("", "grader-upload-")
	if err != nil {
		return "the server cannot unpack uploads now: " + err.Error()
	}
	defer os.RemoveAll(tmp)
	if err := unpack(data, tmp, s.opts.MaxUpload); err != nil {
		return err.Error()
	}
	if ex.Git {
		if st, err := os.Stat(filepath.Join(tmp, ".git")); err != nil || !st.IsDir() {
			return fmt.Sprintf("%s is graded from a git repository, and the archive has no .git folder at its top: pack the repository folder itself, .git included (`tar czf work.tar.gz -C FOLDER .`)", ex.ID)
		}
	}
	return ""
}

// accept stores and queues sub and answers 202 with where to follow it.
func (s *Service) accept(w http.ResponseWriter, ctx context.Context, sub *Submission) {
	id, err := s.Submit(ctx, sub)
	if err != nil {
		s.opts.Log.Error("submission not stored", "error", err)
		fail(w, http.StatusServiceUnavailable, "the submission could not be stored; send it again: %v", err)
		return
	}
	s.opts.Log.Info("submission queued", "submission", id, "learner", sub.Learner, "exercise", sub.Exercise, "source", sub.Source)
	url := "/api/submissions/" + strconv.FormatInt(id, 10)
	w.Header().Set("Location", url)
	writeJSONResponse(w, http.StatusAccepted, Accepted{ID: id, Status: "queued", URL: url})
}

// Status is a submission and where its grading is: queued (not started, or
// waiting to be tried again), grading, or graded with its result.
type Status struct {
	Submission
	Status   string         `json:"status"`
	Attempts int            `json:"attempts"`
	Result   *runner.Report `json:"result,omitempty"`
}

func (s *Service) handleSubmission(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "%q is not a submission id (a number)", r.PathValue("id"))
		return
	}
	ctx := r.Context()
	sub, err := s.st.submission(ctx, id, false)
	if errors.Is(err, errNotFound) {
		fail(w, http.StatusNotFound, "no submission %d", id)
		return
	}
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "read submission %d: %v", id, err)
		return
	}
	st := Status{Submission: *sub, Status: "queued"}
	if st.Result, err = s.st.result(ctx, id); err != nil {
		fail(w, http.StatusServiceUnavailable, "read submission %d: %v", id, err)
		return
	}
	var running int
	if err := s.opts.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE outcome IS NULL) FROM grader_attempts WHERE submission_id = $1`, id).Scan(&st.Attempts, &running); err != nil {
		fail(w, http.StatusServiceUnavailable, "read submission %d: %v", id, err)
		return
	}
	switch {
	case st.Result != nil:
		st.Status = "graded"
	case running > 0:
		st.Status = "grading"
	}
	writeJSONResponse(w, http.StatusOK, st)
}

// Gradebook builds the class's gradebook from each learner's latest graded
// submission of each exercise, as [course.BuildGradebook] does from
// `grader grade` results.
func (s *Service) Gradebook(ctx context.Context) (*course.Gradebook, error) {
	reps, err := s.st.latest(ctx)
	if err != nil {
		return nil, err
	}
	if reps == nil {
		reps = []*runner.Report{}
	}
	data, err := json.Marshal(report.Batch{Schema: report.BatchSchema, Reports: reps})
	if err != nil {
		return nil, err
	}
	return course.BuildGradebook([]course.Input{{Name: "the database", Data: data}})
}

func (s *Service) handleGradebook(w http.ResponseWriter, r *http.Request) {
	g, err := s.Gradebook(r.Context())
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "build the gradebook: %v", err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		w.Header().Set("Content-Type", "application/json")
		_ = g.WriteJSON(w)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="gradebook.csv"`)
		_ = g.WriteCSV(w)
	default:
		fail(w, http.StatusBadRequest, "format must be json or csv")
	}
}

package classroom

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"path"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/backendroadmap/grader/exercises"
)

// maxPayload caps a webhook's body; a push payload is a few kilobytes.
const maxPayload = 1 << 20

// PushEvent is the part of a git host's push webhook the service reads
// (GitHub's and Gitea's shape): the branch, the commit pushed, and the
// repository to clone. Learner and exercise come from the webhook URL's
// query (?learner=ada&exercise=git-basics), else the learner is the
// pusher.
type PushEvent struct {
	Ref        string `json:"ref"`
	After      string `json:"after"`
	Repository struct {
		CloneURL string `json:"clone_url"`
	} `json:"repository"`
	Pusher struct {
		Name string `json:"name"`
	} `json:"pusher"`
}

var commitID = regexp.MustCompile(`^[0-9a-f]{40}$`)

// handleWebhook queues the pushed commit of a repository for grading. The
// body must carry the HMAC-SHA256 of the shared secret in
// X-Hub-Signature-256, as GitHub signs it, and name a repository under one
// of the allowed URL prefixes: the server clones nothing else.
func (s *Service) handleWebhook(w http.ResponseWriter, r *http.Request) {
	if s.opts.WebhookSecret == "" {
		fail(w, http.StatusNotFound, "the git webhook is off: start grader serve with --webhook-secret")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil || len(body) > maxPayload {
		fail(w, http.StatusRequestEntityTooLarge, "the payload is missing or larger than %d bytes", maxPayload)
		return
	}
	if !validSignature(s.opts.WebhookSecret, body, r.Header.Get("X-Hub-Signature-256")) {
		fail(w, http.StatusUnauthorized, "X-Hub-Signature-256 does not match the payload: set the webhook's secret to the server's --webhook-secret")
		return
	}
	var ev PushEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		fail(w, http.StatusBadRequest, "the payload is not a push event: %v", err)
		return
	}
	if strings.Trim(ev.After, "0") == "" && ev.After != "" {
		writeJSONResponse(w, http.StatusOK, map[string]string{"status": "ignored", "reason": "a deleted branch has nothing to grade"})
		return
	}
	if !commitID.MatchString(ev.After) || !strings.HasPrefix(ev.Ref, "refs/heads/") {
		fail(w, http.StatusBadRequest, "the push event needs ref (refs/heads/BRANCH) and after (a 40-hex commit id)")
		return
	}
	url := ev.Repository.CloneURL
	if u, err := neturl.Parse(url); err != nil || u.Path != path.Clean(u.Path) || u.RawQuery != "" || u.Fragment != "" {
		fail(w, http.StatusBadRequest, "repository %q is not a plain clone URL (no .., no query): send the repository's clone_url", url)
		return
	}
	if !s.allowed(url) {
		fail(w, http.StatusForbidden, "repository %q is not under an allowed prefix: add one with --allow-repo", url)
		return
	}
	learner := r.URL.Query().Get("learner")
	if learner == "" {
		learner = ev.Pusher.Name
	}
	ex, msg := s.checkNames(learner, r.URL.Query().Get("exercise"))
	if msg != "" {
		fail(w, http.StatusBadRequest, "%s (the webhook URL names them: ?learner=NAME&exercise=ID)", msg)
		return
	}
	sub := &Submission{Learner: learner, Exercise: ex.ID, Source: "git", RepoURL: url, Commit: ev.After, Ref: ev.Ref}
	s.accept(w, r.Context(), sub)
}

// validSignature checks GitHub's "sha256=HEX" signature of body in constant
// time.
func validSignature(secret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// allowed reports whether url is under one of the allowed prefixes. A
// prefix matches at a path boundary, so https://git.example.edu/class does
// not allow https://git.example.edu/classroom-of-someone-else.
func (s *Service) allowed(url string) bool {
	for _, p := range s.opts.AllowRepos {
		p = strings.TrimSuffix(p, "/")
		if url == p || strings.HasPrefix(url, p+"/") {
			return true
		}
	}
	return false
}

// fetchCommit clones url into dir with every branch, as `grader grade`
// does, then puts the pushed branch on the pushed commit and checks it
// out: a later push does not change what this submission is.
func fetchCommit(ctx context.Context, url, ref, commit, dir string) error {
	if err := exercises.FetchSubmission(ctx, url, dir); err != nil {
		return err
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return err
	}
	h := plumbing.NewHash(commit)
	if _, err := repo.CommitObject(h); err != nil {
		return fmt.Errorf("commit %s is no longer in %s (was the branch force-pushed?): %w", commit, url, err)
	}
	branch := plumbing.ReferenceName(ref)
	if err := repo.Storer.SetReference(plumbing.NewHashReference(branch, h)); err != nil {
		return err
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, branch)); err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	return wt.Checkout(&git.CheckoutOptions{Branch: branch, Force: true})
}

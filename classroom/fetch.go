package classroom

import (
	"context"
	"fmt"
)

// fetch puts a submission's files in dir: an upload unpacked, a pushed
// repository cloned at the pushed commit.
func (s *Service) fetch(ctx context.Context, sub *Submission, dir string) error {
	switch sub.Source {
	case "upload":
		return unpack(sub.archive, dir, s.opts.MaxUpload)
	case "git":
		return fetchCommit(ctx, sub.RepoURL, sub.Ref, sub.Commit, dir)
	}
	return fmt.Errorf("submission %d has source %q, which this grader cannot fetch: upgrade it", sub.ID, sub.Source)
}

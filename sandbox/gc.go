package sandbox

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// Resource is one labelled container, image, volume or network on the
// engine, as [Engine.Leftovers] finds it.
type Resource struct {
	Kind    string // "container", "image", "volume" or "network"
	ID      string
	Name    string
	Owner   string    // LabelOwner: pid@host of the process that made it
	Created time.Time // from LabelCreated; zero if the label is missing or bad
	// InUse is set when Owner is a grader process still running on this
	// machine (a check in another terminal, grader serve, grader watch):
	// [Engine.GC] leaves it alone.
	InUse bool
}

// ownerRunning reports whether owner (pid@host, [LabelOwner]) names a
// process running on this machine, other than self (this process's own
// label, whose resources are its to sweep). This machine is self's host;
// one whose name could not be read ("unknown") matches nothing.
func ownerRunning(owner, self string) bool {
	pid, host, ok := strings.Cut(owner, "@")
	_, here, _ := strings.Cut(self, "@")
	if !ok || owner == self || host != here || here == unknownHost {
		return false
	}
	n, err := strconv.Atoi(pid)
	return err == nil && processAlive(n)
}

// String describes r for `grader gc`.
func (r Resource) String() string {
	age := "age unknown"
	if !r.Created.IsZero() {
		age = time.Since(r.Created).Round(time.Second).String() + " old"
	}
	owner := r.Owner
	if r.InUse {
		owner += ", still running"
	}
	return fmt.Sprintf("%s %s (owner %s, %s)", r.Kind, r.Name, owner, age)
}

// Leftovers lists every resource carrying [LabelManaged] (images built by
// [Engine.BuildImage] included), of any owner,
// created more than olderThan ago (0: all), containers first. A resource
// without a readable [LabelCreated] counts as old.
func (e *Engine) Leftovers(ctx context.Context, olderThan time.Duration) ([]Resource, error) {
	e.settle() // this engine's own removals under way are not leftovers
	f := make(client.Filters).Add("label", LabelManaged+"=1")
	cutoff := time.Now().Add(-olderThan)
	keep := func(labels map[string]string) (Resource, bool) {
		r := Resource{Owner: labels[LabelOwner]}
		r.InUse = ownerRunning(r.Owner, e.owner)
		if sec, err := strconv.ParseInt(labels[LabelCreated], 10, 64); err == nil {
			r.Created = time.Unix(sec, 0)
		}
		return r, olderThan <= 0 || r.Created.IsZero() || r.Created.Before(cutoff)
	}
	var out []Resource
	cs, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, e.engineErr("list containers", err)
	}
	for _, c := range cs.Items {
		if r, ok := keep(c.Labels); ok {
			r.Kind, r.ID, r.Name = "container", c.ID, short(c.ID)
			if len(c.Names) > 0 {
				r.Name = trimSlash(c.Names[0])
			}
			out = append(out, r)
		}
	}
	is, err := e.api.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		return nil, e.engineErr("list images", err)
	}
	for _, im := range is.Items {
		if r, ok := keep(im.Labels); ok {
			r.Kind, r.ID, r.Name = "image", im.ID, short(strings.TrimPrefix(im.ID, "sha256:"))
			if len(im.RepoTags) > 0 {
				r.Name = im.RepoTags[0]
			}
			out = append(out, r)
		}
	}
	vs, err := e.api.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return nil, e.engineErr("list volumes", err)
	}
	for _, v := range vs.Items {
		if r, ok := keep(v.Labels); ok {
			r.Kind, r.ID, r.Name = "volume", v.Name, v.Name
			out = append(out, r)
		}
	}
	ns, err := e.api.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, e.engineErr("list networks", err)
	}
	for _, n := range ns.Items {
		if r, ok := keep(n.Labels); ok {
			r.Kind, r.ID, r.Name = "network", n.ID, n.Name
			out = append(out, r)
		}
	}
	order := map[string]int{"container": 0, "image": 1, "volume": 2, "network": 3}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Kind] < order[out[j].Kind] })
	return out, nil
}

func trimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}

// GC removes every labelled container, image, volume and network older than
// olderThan (0: all), whoever made them, except what a grader process still
// running on this machine made ([Resource.InUse]): what a crashed or killed
// grader left behind, and the warm servers and sandboxes of checks that
// have ended. Containers go first so their volumes and networks are free.
// It returns what it removed and what it left in use; it keeps going past a
// failure and joins the errors.
func (e *Engine) GC(ctx context.Context, olderThan time.Duration) (removed, inUse []Resource, err error) {
	removed, err = e.gc(ctx, olderThan, func(r Resource) bool {
		if r.InUse {
			inUse = append(inUse, r)
		}
		return !r.InUse
	})
	return removed, inUse, err
}

// gc is GC of the leftovers keep accepts (nil: all). A test sweeps only its
// own process's.
func (e *Engine) gc(ctx context.Context, olderThan time.Duration, keep func(Resource) bool) ([]Resource, error) {
	rs, err := e.Leftovers(ctx, olderThan)
	if err != nil {
		return nil, err
	}
	var removed []Resource
	var errs []error
	for _, r := range rs {
		if keep != nil && !keep(r) {
			continue
		}
		if err := e.remove(ctx, resource{r.Kind, r.ID}); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, r)
	}
	return removed, errors.Join(errs...)
}

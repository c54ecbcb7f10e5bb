package sandbox

import (
	"context"
	"errors"

	"github.com/moby/moby/client"
)

// Volume is a named volume of one attempt (a compose file's `volumes:`):
// labelled and tracked like every resource of the engine, so
// [Volume.Remove], [Engine.Close] and `grader gc` remove it. It outlives
// the containers that mount it, which is what a check that recreates a
// stack relies on.
type Volume struct {
	// Name is the engine's name for it.
	Name string

	e *Engine
}

// CreateVolume makes an empty named volume; hint ("db-data") is kept in
// its name for someone reading `docker volume ls`.
func (e *Engine) CreateVolume(ctx context.Context, hint string) (*Volume, error) {
	name := "grader-vol-" + safeName(hint) + "-" + randomHex(6)
	cctx, cancel := creating(ctx)
	defer cancel()
	res, err := e.api.VolumeCreate(cctx, client.VolumeCreateOptions{Name: name, Labels: e.labels()})
	if err != nil {
		// A create that failed may still have made it: remove by name.
		_ = e.remove(ctx, resource{"volume", name})
		return nil, e.engineErr("create a volume", err)
	}
	if !e.track("volume", res.Volume.Name) {
		_ = e.remove(ctx, resource{"volume", res.Volume.Name})
		return nil, errors.New("sandbox engine is closed")
	}
	return &Volume{Name: res.Volume.Name, e: e}, nil
}

// Remove deletes the volume; already gone counts as removed. The
// containers that mount it must be gone first.
func (v *Volume) Remove(ctx context.Context) error {
	return v.e.remove(ctx, resource{"volume", v.Name})
}

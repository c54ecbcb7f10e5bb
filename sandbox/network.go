package sandbox

import (
	"context"
	"errors"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// Network is a private network of one attempt: the learner's server, the
// attempt's services and grader's probe, and nothing else.
//
// It is an internal bridge (no route out: no internet) whose bridge has no
// address on the host (com.docker.network.bridge.inhibit_ipv4), so a
// container on it cannot reach the host either, not even services the host
// runs on every address. For the same reason the host cannot reach it:
// grader talks to what runs there through a probe ([Engine.StartProbe])
// that also sits on the default bridge, where its ports are published on
// 127.0.0.1. Other attempts' networks are other bridges, which Docker
// isolates from each other.
type Network struct {
	// ID and Name are the engine's.
	ID, Name string

	e *Engine
}

// CreateNetwork makes a private network, labelled and tracked like every
// resource of the engine, so [Engine.Close] and `grader gc` remove it.
func (e *Engine) CreateNetwork(ctx context.Context) (*Network, error) {
	name := "grader-net-" + randomHex(6)
	cctx, cancel := creating(ctx)
	defer cancel()
	res, err := e.api.NetworkCreate(cctx, name, client.NetworkCreateOptions{
		Driver:   "bridge",
		Internal: true,
		Options: map[string]string{
			"com.docker.network.bridge.inhibit_ipv4": "true",
			"com.docker.network.bridge.enable_icc":   "true",
		},
		Labels: e.labels(),
	})
	if res.ID != "" && !e.track("network", res.ID) {
		_ = e.remove(ctx, resource{"network", res.ID})
		return nil, errors.New("sandbox engine is closed")
	}
	if err != nil {
		return nil, e.engineErr("create a private network", err)
	}
	return &Network{ID: res.ID, Name: name, e: e}, nil
}

// Connect attaches a running container (a service: the warm PostgreSQL)
// to the network under the given host names.
func (n *Network) Connect(ctx context.Context, containerID string, aliases ...string) error {
	_, err := n.e.api.NetworkConnect(ctx, n.ID, client.NetworkConnectOptions{
		Container:      containerID,
		EndpointConfig: &network.EndpointSettings{Aliases: aliases},
	})
	if err != nil {
		return n.e.engineErr("connect "+short(containerID)+" to the attempt's network", err)
	}
	return nil
}

// Disconnect detaches a container that outlives the network (the warm
// PostgreSQL). Already detached, or gone, counts as done.
func (n *Network) Disconnect(ctx context.Context, containerID string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, err := n.e.api.NetworkDisconnect(ctx, n.ID, client.NetworkDisconnectOptions{Container: containerID, Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return n.e.engineErr("disconnect "+short(containerID)+" from the attempt's network", err)
	}
	return nil
}

// Remove detaches whatever is still attached, then removes the network.
func (n *Network) Remove(ctx context.Context) error {
	return n.e.remove(ctx, resource{"network", n.ID})
}

// removeNetwork detaches every container still on a network (a warm server
// that a crashed grader left joined), then removes it: the engine refuses to
// remove a network with endpoints.
func (e *Engine) removeNetwork(ctx context.Context, id string) error {
	in, err := e.api.NetworkInspect(ctx, id, client.NetworkInspectOptions{})
	if err != nil {
		return err
	}
	for cid := range in.Network.Containers {
		_, _ = e.api.NetworkDisconnect(ctx, id, client.NetworkDisconnectOptions{Container: cid, Force: true})
	}
	_, err = e.api.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
	return err
}

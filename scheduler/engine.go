package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/netdns"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/volumes"
)

// Engine runs stacks on one host: it observes, reconciles and executes
// against the runtime, the image store, the networks and the volumes. The
// daemon serves it; its state is theirs, on disk, so a new Engine on the
// same root carries on where the last one stopped.
type Engine struct {
	root    string
	rt      runtime.Runtime
	images  *image.Store
	volumes *volumes.Store
	net     *netdns.Manager
	// locks serialises operations on one project: two `up` of the same
	// project at once would plan against each other's half-done work.
	locks sync.Map // project name -> *sync.Mutex

	// base is the engine's lifetime: health probes and restart policies run
	// under it, not under the request that started a container.
	base     context.Context
	clock    Clock
	health   *HealthBook
	waiter   *Waiter
	watching watchers
	// supervisionMu serialises changes to containers' supervision files.
	supervisionMu sync.Mutex
}

// EngineConfig is what an Engine drives.
type EngineConfig struct {
	Root     string // the engine's own state: per-container files (hosts, resolv.conf, secrets)
	Runtime  runtime.Runtime
	Images   *image.Store
	Volumes  *volumes.Store
	Networks *netdns.Manager
}

// NewEngine returns an engine over cfg's parts, living until ctx ends.
func NewEngine(ctx context.Context, cfg EngineConfig) (*Engine, error) {
	if err := os.MkdirAll(filepath.Join(cfg.Root, "containers"), 0o700); err != nil {
		return nil, fmt.Errorf("engine state: %w", err)
	}
	clock := RealClock{}
	health := NewHealthBook()
	return &Engine{root: cfg.Root, rt: cfg.Runtime, images: cfg.Images, volumes: cfg.Volumes, net: cfg.Networks,
		base: ctx, clock: clock, health: health, waiter: &Waiter{Runtime: cfg.Runtime, Health: health, Clock: clock},
		watching: watchers{probes: map[string]context.CancelFunc{}, supervisor: map[string]context.CancelFunc{}}}, nil
}

func (e *Engine) lock(project string) func() {
	mu, _ := e.locks.LoadOrStore(project, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// containerDir holds the files the engine makes for one container.
func (e *Engine) containerDir(id string) string {
	return filepath.Join(e.root, "containers", id)
}

// Observe gathers what exists of p: its containers and which of its
// networks and volumes exist. Images are observed only where a plan needs
// them (observeImages), as `up` does and `down` does not.
func (e *Engine) Observe(ctx context.Context, p *types.Project) (Observed, error) {
	all, err := e.rt.List(ctx)
	if err != nil {
		return Observed{}, fmt.Errorf("list containers: %w", err)
	}
	obs := Observed{Containers: ContainersFrom(all, p.Name), Networks: map[string]bool{},
		Volumes: map[string]bool{}, Images: map[string]string{}}
	for name := range e.net.Networks() {
		obs.Networks[name] = true
	}
	vols, err := e.volumes.List(ctx)
	if err != nil {
		return Observed{}, fmt.Errorf("list volumes: %w", err)
	}
	for _, v := range vols {
		obs.Volumes[v.Name] = true
	}
	return obs, nil
}

// observeImages records the local ID of each image p uses, once per
// reference.
func (e *Engine) observeImages(ctx context.Context, p *types.Project, obs *Observed) error {
	for _, s := range p.Services {
		ref := imageRef(p, s)
		if _, seen := obs.Images[ref]; seen {
			continue
		}
		info, err := e.images.Inspect(ctx, ref)
		switch {
		case err == nil:
			obs.Images[ref] = info.ID
		case !errors.Is(err, image.ErrNotFound):
			return fmt.Errorf("inspect image %s: %w", ref, err)
		}
	}
	return nil
}

// stopGrace is how long a stop waits before SIGKILL: --timeout when given,
// else the service's stop_grace_period, else Docker's 10 seconds.
func stopGrace(timeout *time.Duration, s *types.ServiceConfig) time.Duration {
	if timeout != nil {
		return *timeout
	}
	if s != nil && s.StopGracePeriod != nil {
		return time.Duration(*s.StopGracePeriod)
	}
	return 10 * time.Second
}

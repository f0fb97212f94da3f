package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

// UpRequest is everything `up` asks of the engine.
type UpRequest struct {
	UpOptions
	Services []string       // only these (and their dependencies unless NoDeps)
	NoDeps   bool           // do not bring up dependencies
	Scale    map[string]int // --scale overrides
	Parallel int            // steps at once; 0 or less for no bound
	DryRun   bool           // plan only
	Timeout  *time.Duration // stop timeout for recreated containers
	// Hashes are the config hashes the CLI computed, by service: the exact
	// `config --hash` values, which a model that crossed the wire as JSON
	// might not reproduce.
	Hashes      map[string]string
	Wait        bool
	WaitTimeout time.Duration
	// RenewAnonVolumes (-V) gives recreated containers fresh anonymous
	// volumes instead of the previous containers' data; it recreates every
	// container, as the volumes are attached at creation.
	RenewAnonVolumes bool
}

// Up brings p up as req asks, reporting progress through events: it
// observes, plans, and executes the plan, undoing what it did if a step
// fails. With DryRun it only reports the plan, one event per step.
func (e *Engine) Up(ctx context.Context, p *types.Project, req UpRequest, events func(Event)) error {
	defer e.lock(p.Name)()
	p, err := selectServices(p, req)
	if err != nil {
		return err
	}
	obs, err := e.Observe(ctx, p)
	if err != nil {
		return err
	}
	if err := e.observeImages(ctx, p, &obs); err != nil {
		return err
	}
	opts := req.UpOptions
	opts.Hashes = req.Hashes
	if req.RenewAnonVolumes {
		opts.ForceRecreate = true
	}
	res, err := ReconcileUp(p, obs, opts)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		events(Event{Status: StatusWarning, Err: fmt.Errorf("%s", w)})
	}
	if req.DryRun {
		for _, s := range res.Plan.Steps {
			events(Event{Op: s.Op, Status: StatusPlanned, Step: s})
		}
		return nil
	}
	if err := e.checkPorts(ctx, p, res.Plan); err != nil {
		return err
	}
	x := &executor{engine: e, project: p, obs: obs, hashes: req.Hashes, timeout: req.Timeout, events: events,
		created: map[string]string{}, renewAnonymous: req.RenewAnonVolumes}
	err = Execute(ctx, res.Plan, x, ExecuteOptions{Parallel: req.Parallel, Events: events, Rollback: true})
	if err != nil || !req.Wait {
		return err
	}
	return e.waitProject(ctx, p, req.WaitTimeout, events)
}

// selectServices narrows p to the services asked for (with their
// dependencies unless NoDeps) and applies --scale.
func selectServices(p *types.Project, req UpRequest) (*types.Project, error) {
	var err error
	if len(req.Services) > 0 {
		if req.NoDeps {
			p, err = p.WithSelectedServices(req.Services, types.IgnoreDependencies)
		} else {
			p, err = p.WithSelectedServices(req.Services)
		}
		if err != nil {
			return nil, err
		}
	}
	for name, n := range req.Scale {
		s, ok := p.Services[name]
		if !ok {
			return nil, fmt.Errorf("--scale: no such service: %s", name)
		}
		s.SetScale(n)
		p.Services[name] = s
	}
	return p, nil
}

func imageRef(p *types.Project, s types.ServiceConfig) string {
	return project.ImageName(p.Name, s)
}

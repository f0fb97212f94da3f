package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
)

// DownRequest is everything `down` asks of the engine.
type DownRequest struct {
	DownOptions
	Timeout *time.Duration
	DryRun  bool
}

// Down takes a project away: with p the model from its files, or nil when
// only its name is known, in which case its containers and the networks
// they recorded are what is removed.
func (e *Engine) Down(ctx context.Context, name string, p *types.Project, req DownRequest, events func(Event)) error {
	defer e.lock(name)()
	if p == nil {
		var err error
		if p, err = e.projectFromState(ctx, name); err != nil {
			return err
		}
	}
	obs, err := e.Observe(ctx, p)
	if err != nil {
		return err
	}
	plan, err := ReconcileDown(p, obs, req.DownOptions)
	if err != nil {
		return err
	}
	if req.DryRun {
		for _, s := range plan.Steps {
			events(Event{Op: s.Op, Status: StatusPlanned, Step: s})
		}
		return nil
	}
	x := &executor{engine: e, project: p, obs: obs, timeout: req.Timeout, events: events,
		created: map[string]string{}, removeVolumes: req.Volumes}
	return Execute(ctx, plan, x, ExecuteOptions{Events: events, KeepGoing: true})
}

// projectFromState rebuilds the outline of a project from what its
// containers recorded, for `down -p NAME` when the files are gone: its
// services (as names), and the networks its containers are attached to.
func (e *Engine) projectFromState(ctx context.Context, name string) (*types.Project, error) {
	all, err := e.rt.List(ctx)
	if err != nil {
		return nil, err
	}
	p := outline(all, name)
	for netName, n := range e.net.Networks() {
		if n.Owners[name] {
			p.Networks[netName] = types.NetworkConfig{Name: netName}
		}
	}
	if len(p.Services) == 0 && len(p.Networks) == 0 {
		return nil, errors.New("no resource found to remove for project " + name)
	}
	return p, nil
}

// StopRequest is what `stop` (and an interrupted foreground `up`) asks.
type StopRequest struct {
	Services []string
	Timeout  *time.Duration
	Kill     bool
}

// Stop stops a project's running containers, dependents before their
// dependencies (as their depends_on labels record them), keeping them for
// a later start.
func (e *Engine) Stop(ctx context.Context, name string, req StopRequest, events func(Event)) error {
	defer e.lock(name)()
	all, err := e.rt.List(ctx)
	if err != nil {
		return err
	}
	order, err := project.Order(outline(all, name))
	if err != nil {
		return err
	}
	containers := ContainersFrom(all, name)
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		for _, c := range containers {
			if c.Service != order[i] || !c.Running || (len(req.Services) > 0 && !slices.Contains(req.Services, c.Service)) {
				continue
			}
			errs = append(errs, e.stopOne(ctx, c, req, events))
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) stopOne(ctx context.Context, c Container, req StopRequest, events func(Event)) error {
	op := Op{Kind: OpStopContainer, Resource: c.Name, Service: c.Service, ContainerID: c.ID}
	events(Event{Op: op, Status: StatusWorking})
	err := e.stop(ctx, c.ID, stopGrace(req.Timeout, nil), req.Kill)
	status := StatusDone
	if err != nil {
		status = StatusError
	}
	events(Event{Op: op, Status: status, Err: err})
	return err
}

// outline is a project as its containers' labels describe it: its
// services, with the dependencies com.docker.compose.depends_on records.
func outline(all []*runtime.Container, name string) *types.Project {
	p := &types.Project{Name: name, Services: types.Services{}, Networks: types.Networks{}}
	for _, c := range all {
		if c.Labels[project.LabelProject] != name {
			continue
		}
		service := c.Labels[project.LabelService]
		s := types.ServiceConfig{Name: service}
		s.DependsOn = types.DependsOnConfig{}
		for _, entry := range strings.Split(c.Labels[project.LabelDependsOn], ",") {
			if dep, condition, ok := strings.Cut(entry, ":"); ok {
				condition, _, _ = strings.Cut(condition, ":")
				s.DependsOn[dep] = types.ServiceDependency{Condition: condition}
			}
		}
		p.Services[service] = s
	}
	return p
}

package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// supervision is what the engine keeps watching for one container: its
// effective health check and restart policy, saved beside it so that a
// restarted daemon watches it the same way without the project model.
type supervision struct {
	Health  *HealthCheck  `json:"health,omitempty"`
	Restart RestartPolicy `json:"restart"`
	// ManuallyStopped records a user's stop, which no policy undoes while
	// the daemon runs.
	ManuallyStopped bool `json:"manually_stopped,omitempty"`
	// Restarts is the policy's state (Docker's RestartCount, the backoff)
	// after its last decision, so that a daemon killed and started again
	// goes on counting: on-failure:N stays bounded across restarts.
	Restarts RestartState `json:"restarts,omitzero"`
}

// watchers tracks the goroutines watching each container — its health
// prober and its restart supervisor — so that a stop or removal ends them.
type watchers struct {
	mu         sync.Mutex
	probes     map[string]context.CancelFunc
	supervisor map[string]context.CancelFunc
}

// replace records cancel as id's entry in m, ending the one it replaces.
func (w *watchers) replace(m map[string]context.CancelFunc, id string, cancel context.CancelFunc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old := m[id]; old != nil {
		old()
	}
	if cancel == nil {
		delete(m, id)
		return
	}
	m[id] = cancel
}

func (e *Engine) saveSupervision(id string, s supervision) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(e.containerDir(id), "supervision.json"), b, 0o600)
}

func (e *Engine) supervision(id string) (supervision, error) {
	var s supervision
	b, err := os.ReadFile(filepath.Join(e.containerDir(id), "supervision.json"))
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// supervisionOf is a service's health check and restart policy.
func supervisionOf(s types.ServiceConfig, img runtime.ImageConfig) (supervision, error) {
	health, err := HealthCheckOf(s, img.Healthcheck)
	if err != nil {
		return supervision{}, err
	}
	restart, err := RestartPolicyOf(s)
	return supervision{Health: health, Restart: restart}, err
}

// setManuallyStopped records a user's stop of id, or clears it as the
// user starts id again, which also starts its restart count over, as
// Docker's does.
func (e *Engine) setManuallyStopped(id string, stopped bool) error {
	return e.updateSupervision(id, func(s *supervision) {
		s.ManuallyStopped = stopped
		if !stopped {
			s.Restarts = RestartState{}
		}
	})
}

// updateSupervision changes id's saved supervision; the user's stops and
// starts and the restart supervisor's decisions each read, change and
// write it, one at a time. A container without one is left alone.
func (e *Engine) updateSupervision(id string, change func(*supervision)) error {
	e.supervisionMu.Lock()
	defer e.supervisionMu.Unlock()
	s, err := e.supervision(id)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	change(&s)
	return e.saveSupervision(id, s)
}

// watch starts probing id's health and applying its restart policy, for
// as long as the engine lives or until unwatch. started is when its
// process started.
func (e *Engine) watch(id string, started time.Time) {
	sup, err := e.supervision(id)
	if err != nil {
		return // not created by this engine: nothing to apply
	}
	e.probe(id, sup, started)
	if sup.Restart.Mode == "" || sup.Restart.Mode == RestartNo {
		return
	}
	ctx, cancel := context.WithCancel(e.base)
	e.watching.replace(e.watching.supervisor, id, cancel)
	go e.supervise(ctx, id, sup.Restart, sup.Restarts)
}

// probe (re)starts id's health prober for a run that started at started.
func (e *Engine) probe(id string, sup supervision, started time.Time) {
	if sup.Health == nil {
		return
	}
	e.health.Forget(id)
	ctx, cancel := context.WithCancel(e.base)
	e.watching.replace(e.watching.probes, id, cancel)
	prober := NewProber(e.rt, e.clock, e.health, id, *sup.Health, started)
	go func() { _ = prober.Run(ctx) }()
}

func (e *Engine) supervise(ctx context.Context, id string, policy RestartPolicy, st RestartState) {
	s := &Supervisor{Runtime: e.rt, Restarter: e, Clock: e.clock,
		ManuallyStopped: e.manuallyStopped, Events: e.saveRestartState}
	if _, err := s.Supervise(ctx, id, policy, st); err != nil && ctx.Err() == nil && !errors.Is(err, runtime.ErrNotFound) {
		slog.Warn("restart policy gave up", "container", id, "err", err)
	}
}

func (e *Engine) manuallyStopped(id string) bool {
	sup, err := e.supervision(id)
	return err == nil && sup.ManuallyStopped
}

// saveRestartState keeps a decision's state before it is carried out.
func (e *Engine) saveRestartState(ev RestartEvent) {
	if err := e.updateSupervision(ev.ID, func(s *supervision) { s.Restarts = ev.State }); err != nil {
		slog.Warn("save restart state", "container", ev.ID, "err", err)
	}
}

// Restart starts an exited container again for its restart policy: its
// names come back into DNS and its health is probed anew.
func (e *Engine) Restart(ctx context.Context, id string) error {
	c, err := e.start(ctx, id)
	if err != nil {
		return err
	}
	if sup, err := e.supervision(id); err == nil {
		e.probe(id, sup, c.Started)
	}
	return nil
}

// unwatch ends id's watchers and forgets its health.
func (e *Engine) unwatch(id string) {
	e.watching.replace(e.watching.probes, id, nil)
	e.watching.replace(e.watching.supervisor, id, nil)
	e.health.Forget(id)
}

// Readopt watches every running container again, as a daemon does when it
// starts: their health is probed anew and their restart policies apply,
// counting on from the restarts made before. A container that exited
// while no daemon ran is restarted if its policy says so at a daemon's
// start, as Docker's daemon does on its start.
func (e *Engine) Readopt(ctx context.Context) error {
	list, err := e.rt.List(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		switch c.Status {
		case runtime.StatusRunning:
			e.watch(c.ID, c.Started)
		case runtime.StatusExited:
			e.restartOnDaemonStart(ctx, c)
		}
	}
	return nil
}

func (e *Engine) restartOnDaemonStart(ctx context.Context, c *runtime.Container) {
	sup, err := e.supervision(c.ID)
	if err != nil || sup.Restart.Mode == "" || sup.Restart.Mode == RestartNo {
		return
	}
	status, err := e.rt.Wait(ctx, c.ID) // returns at once: it has exited
	if err != nil {
		return
	}
	exit := Exit{Code: status.Code, At: status.Finished, Ran: status.Finished.Sub(c.Started),
		ManuallyStopped: sup.ManuallyStopped, DaemonStart: true}
	d, st := DecideRestart(sup.Restart, sup.Restarts, exit)
	e.saveRestartState(RestartEvent{ID: c.ID, Exit: exit, Decision: d, State: st})
	if !d.Restart {
		return
	}
	started, err := e.start(ctx, c.ID)
	if err != nil {
		slog.Warn("restart on daemon start", "container", c.ID, "err", err)
		return
	}
	if sup.ManuallyStopped { // `always` undoes a stop only across a daemon start
		_ = e.updateSupervision(c.ID, func(s *supervision) { s.ManuallyStopped = false })
	}
	e.watch(c.ID, started.Started) // its health probe and restart policy
}

func (e *Engine) healthStatus(id string) string {
	st, ok := e.health.Health(id)
	if !ok {
		return ""
	}
	return string(st.Status)
}

func (e *Engine) waitDependency(ctx context.Context, p *types.Project, op Op) error {
	return e.waiter.WaitOp(ctx, p.Name, op)
}

func (e *Engine) waitProject(ctx context.Context, p *types.Project, timeout time.Duration, events func(Event)) error {
	return e.waiter.WaitReady(ctx, p.Name, p.ServiceNames(), timeout)
}

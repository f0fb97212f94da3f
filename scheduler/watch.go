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

// setManuallyStopped records (or clears) a user's stop of id.
func (e *Engine) setManuallyStopped(id string, stopped bool) error {
	s, err := e.supervision(id)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	s.ManuallyStopped = stopped
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
	go e.supervise(ctx, id, sup.Restart)
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

func (e *Engine) supervise(ctx context.Context, id string, policy RestartPolicy) {
	s := &Supervisor{Runtime: e.rt, Restarter: e, Clock: e.clock,
		ManuallyStopped: func(id string) bool { sup, err := e.supervision(id); return err == nil && sup.ManuallyStopped }}
	if _, err := s.Supervise(ctx, id, policy, RestartState{}); err != nil && ctx.Err() == nil && !errors.Is(err, runtime.ErrNotFound) {
		slog.Warn("restart policy gave up", "container", id, "err", err)
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
// starts: their health is probed anew and their restart policies apply.
func (e *Engine) Readopt(ctx context.Context) error {
	list, err := e.rt.List(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.Status == runtime.StatusRunning {
			e.watch(c.ID, c.Started)
		}
	}
	return nil
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

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Executor does one operation. It makes no decisions: the plan has made
// them. Do must honour ctx.
type Executor interface {
	Do(ctx context.Context, op Op) error
}

// EventStatus is where a step is in its life.
type EventStatus string

// Step states reported to the progress stream.
const (
	StatusWorking EventStatus = "working"
	StatusDone    EventStatus = "done"
	StatusWarning EventStatus = "warning"
	StatusError   EventStatus = "error"
	StatusPlanned EventStatus = "planned" // a dry run's step
)

// Event reports progress of one step; the CLI renders the stream.
type Event struct {
	Op     Op
	Status EventStatus
	Err    error
	Step   *Step  // set for planned steps
	Detail string // e.g. pull progress
}

// ExecuteOptions tune Execute.
type ExecuteOptions struct {
	Parallel int         // steps run at once; 0 or less for no bound
	Events   func(Event) // progress; may be nil
	// Rollback, on failure, undoes the steps done so far (removes what was
	// created, stops what was started), newest first.
	Rollback        bool
	RollbackTimeout time.Duration // default one minute
	// KeepGoing, for taking things away (down): a failure skips only the
	// steps that wait for the failed one; every other step still runs,
	// and every failure is returned.
	KeepGoing bool
}

// Execute walks plan: each step starts once every step it waits for is
// done, up to opts.Parallel at a time. The first failure stops new steps
// from starting; those running finish. A failed optional wait (depends_on
// with required: false) is a warning, not a failure. On failure, with
// opts.Rollback, what the plan did is undone on a context that outlives a
// cancelled ctx, and the error returned joins the failure and any failure
// of the undo.
func Execute(ctx context.Context, plan *Plan, exec Executor, opts ExecuteOptions) error {
	w := newWalk(plan, exec, opts)
	err := w.run(ctx)
	if err == nil || !opts.Rollback {
		return err
	}
	timeout := opts.RollbackTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	undoCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return errors.Join(err, undo(undoCtx, w.done, exec, opts.Events))
}

type walk struct {
	plan    *Plan
	exec    Executor
	opts    ExecuteOptions
	mu      sync.Mutex
	waiting map[*Step]int // unfinished prerequisites per step
	done    []*Step       // in order of completion
	failed  error
	errs    []error // every failure, for KeepGoing
}

func newWalk(plan *Plan, exec Executor, opts ExecuteOptions) *walk {
	w := &walk{plan: plan, exec: exec, opts: opts, waiting: map[*Step]int{}}
	for _, s := range plan.Steps {
		w.waiting[s] = len(s.After)
	}
	return w
}

func (w *walk) run(ctx context.Context) error {
	dependents := map[*Step][]*Step{}
	var ready []*Step
	for _, s := range w.plan.Steps {
		for _, a := range s.After {
			dependents[a] = append(dependents[a], s)
		}
		if len(s.After) == 0 {
			ready = append(ready, s)
		}
	}
	limit := w.opts.Parallel
	if limit <= 0 {
		limit = len(w.plan.Steps) + 1
	}
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var launch func(s *Step)
	launch = func(s *Step) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			ok := w.step(ctx, s)
			<-slots
			if !ok {
				return
			}
			for _, next := range w.finish(s, dependents[s]) {
				launch(next)
			}
		}()
	}
	for _, s := range ready {
		launch(s)
	}
	wg.Wait()
	if w.opts.KeepGoing {
		return errors.Join(w.errs...)
	}
	return w.failed
}

// step runs s unless the walk has failed, and reports whether it succeeded.
func (w *walk) step(ctx context.Context, s *Step) bool {
	w.mu.Lock()
	failed := w.failed != nil && !w.opts.KeepGoing
	w.mu.Unlock()
	if failed {
		return false
	}
	if err := ctx.Err(); err != nil {
		w.fail(s, err)
		return false
	}
	w.emit(Event{Op: s.Op, Status: StatusWorking})
	err := w.exec.Do(ctx, s.Op)
	switch {
	case err == nil:
		w.emit(Event{Op: s.Op, Status: StatusDone})
	case s.Op.Kind == OpWaitService && !s.Op.Required:
		w.emit(Event{Op: s.Op, Status: StatusWarning, Err: err})
	default:
		w.fail(s, err)
		return false
	}
	return true
}

func (w *walk) fail(s *Step, err error) {
	err = fmt.Errorf("%s: %w", s.Op.describe(), err)
	w.emit(Event{Op: s.Op, Status: StatusError, Err: err})
	w.mu.Lock()
	if w.failed == nil {
		w.failed = err
	}
	w.errs = append(w.errs, err)
	w.mu.Unlock()
}

// finish records s as done and returns the dependents it made ready.
func (w *walk) finish(s *Step, dependents []*Step) []*Step {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = append(w.done, s)
	var ready []*Step
	for _, d := range dependents {
		w.waiting[d]--
		if w.waiting[d] == 0 {
			ready = append(ready, d)
		}
	}
	return ready
}

func (w *walk) emit(e Event) {
	if w.opts.Events != nil {
		w.opts.Events(e)
	}
}

// describe names a step for an error message: the service, or the resource.
func (o Op) describe() string {
	if o.Kind == OpWaitService {
		return fmt.Sprintf("service %q: dependency %q did not reach %s", o.Service, o.Resource, o.Condition)
	}
	return fmt.Sprintf("%s %s", o.Kind, o.Resource)
}

package scheduler

import (
	"context"
	"os"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// The rest of fakeRuntime's Runtime methods.

func (f *fakeRuntime) Stop(_ context.Context, id string, _ os.Signal, _ time.Duration) error {
	if _, err := f.Inspect(context.Background(), id); err != nil {
		return err
	}
	f.exit(id, 143) // 128+SIGTERM, as a process that obeys the stop signal ends
	return nil
}

func (f *fakeRuntime) Kill(ctx context.Context, id string, _ os.Signal) error {
	c, err := f.Inspect(ctx, id)
	if err != nil {
		return err
	}
	if c.Status != runtime.StatusRunning {
		return runtime.ErrNotRunning
	}
	f.exit(id, 137)
	return nil
}

func (f *fakeRuntime) Remove(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.notRunning(id); err != nil {
		return err
	}
	delete(f.containers, id)
	return nil
}

func (f *fakeRuntime) Inspect(_ context.Context, id string) (*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return nil, runtime.ErrNotFound
	}
	copied := *c
	return &copied, nil
}

func (f *fakeRuntime) List(_ context.Context) ([]*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*runtime.Container
	for _, c := range f.containers {
		copied := *c
		out = append(out, &copied)
	}
	return out, nil
}

// Wait returns at once for a container that is not running, else when its
// current run ends.
func (f *fakeRuntime) Wait(ctx context.Context, id string) (runtime.ExitStatus, error) {
	f.mu.Lock()
	_, ok := f.containers[id]
	var done chan struct{}
	if ok {
		done = f.exited[id]
	}
	f.mu.Unlock()
	if !ok {
		return runtime.ExitStatus{}, runtime.ErrNotFound
	}
	if done != nil {
		select {
		case <-ctx.Done():
			return runtime.ExitStatus{}, ctx.Err()
		case <-done:
		}
	}
	c, err := f.Inspect(ctx, id)
	if err != nil {
		return runtime.ExitStatus{}, err
	}
	return c.Exit, nil
}

func (f *fakeRuntime) Exec(ctx context.Context, id string, p *runtime.ExecConfig) (int, error) {
	c, err := f.Inspect(ctx, id)
	if err != nil {
		return 0, err
	}
	if c.Status != runtime.StatusRunning {
		return 0, runtime.ErrNotRunning
	}
	return f.execFn(ctx, id, p)
}

// Logs delivers nothing: these containers print nothing.
func (f *fakeRuntime) Logs(ctx context.Context, id string, _ runtime.LogOptions, _ func(runtime.LogEntry) error) error {
	_, err := f.Inspect(ctx, id)
	return err
}

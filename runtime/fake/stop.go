package fake

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// Stop signals, waits up to grace (the container's StopGrace when
// negative, Docker's 10s when that is zero too), then kills.
func (f *Fake) Stop(ctx context.Context, id string, sig os.Signal, grace time.Duration) error {
	f.mu.Lock()
	c, err := f.get(id)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	sig, grace = stopParams(c, sig, grace)
	if c.state.Status != runtime.StatusExited {
		c.signal(sig)
	}
	f.mu.Unlock()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-c.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
	}
	f.mu.Lock()
	if c.state.Status != runtime.StatusExited {
		c.signal(syscall.SIGKILL)
	}
	f.mu.Unlock()
	return nil
}

func stopParams(c *container, sig os.Signal, grace time.Duration) (os.Signal, time.Duration) {
	if sig == nil {
		sig = c.cfg.StopSignal
	}
	if sig == nil {
		sig = syscall.SIGTERM
	}
	if grace < 0 {
		grace = c.cfg.StopGrace
		if grace == 0 {
			grace = 10 * time.Second
		}
	}
	if c.state.Status == runtime.StatusCreated {
		sig, grace = syscall.SIGKILL, 0
	}
	return sig, grace
}

// Remove forgets a container that is not running.
func (f *Fake) Remove(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if c.state.Status == runtime.StatusRunning {
		return fmt.Errorf("remove container %q: %w", id, runtime.ErrRunning)
	}
	if c.state.Status == runtime.StatusCreated {
		c.signal(syscall.SIGKILL)
	}
	delete(f.byID, id)
	return nil
}

// Wait blocks until the process exits or ctx ends.
func (f *Fake) Wait(ctx context.Context, id string) (runtime.ExitStatus, error) {
	f.mu.Lock()
	c, err := f.get(id)
	f.mu.Unlock()
	if err != nil {
		return runtime.ExitStatus{}, err
	}
	select {
	case <-c.exited:
	case <-ctx.Done():
		return runtime.ExitStatus{}, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return c.state.Exit, nil
}

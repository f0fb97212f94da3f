package runtimetest

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// stopSignal: Stop sends the container's stop signal, which the process
// handles and exits with its own code, well within the grace period.
func (s *suite) stopSignal(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.config(t, cmdTrap...)
	cfg.StopSignal = syscall.SIGUSR1
	create(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	// A signal that comes before the trap is set is ignored by PID 1.
	untilLogged(t, rt, cfg.ID, "stdout: ready")
	if err := rt.Stop(ctx(t), cfg.ID, nil, hang/2); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	c := status(t, rt, cfg.ID, runtime.StatusExited)
	if c.Exit.Code != 7 {
		t.Fatalf("exit code = %d, want 7 from the USR1 trap", c.Exit.Code)
	}
}

// stopGrace: a PID 1 that ignores SIGTERM is killed once the grace period
// is over.
func (s *suite) stopGrace(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdSleep...)
	if err := rt.Stop(ctx(t), cfg.ID, syscall.SIGTERM, 200*time.Millisecond); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	c := status(t, rt, cfg.ID, runtime.StatusExited)
	if c.Exit.Code != 137 {
		t.Fatalf("exit code = %d, want 137 after SIGKILL", c.Exit.Code)
	}
}

// stopCreated: a container that was never started can be stopped and
// removed.
func (s *suite) stopCreated(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.config(t, cmdSleep...)
	create(t, rt, cfg)
	if err := rt.Stop(ctx(t), cfg.ID, nil, -1); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	status(t, rt, cfg.ID, runtime.StatusExited)
	if err := rt.Remove(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
}

// untilLogged polls the container's log until it has line, or fails at the
// deadline.
func untilLogged(t *testing.T, rt runtime.Runtime, id, line string) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for time.Now().Before(deadline) {
		if slices.Contains(logs(t, rt, id, runtime.LogOptions{Tail: -1}), line) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q in the log of %s", line, id)
}

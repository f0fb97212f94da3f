package libct_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestStartOfFrozenInitReturns: an init that cannot take the exec fifo
// handshake (here, frozen in its cgroup) makes Start fail when its ctx
// ends, instead of blocking in open(2) forever.
func TestStartOfFrozenInitReturns(t *testing.T) {
	rt := newRuntime(t)
	cfg := config(t, "true")
	mustCreate(t, rt, cfg)
	thaw := freeze(t, cfg.ID)
	t.Cleanup(thaw) // before mustCreate's cleanup: SIGKILL needs it thawed
	short, cancel := context.WithTimeout(ctx(t), time.Second)
	defer cancel()
	if err := rt.Start(short, cfg.ID); err == nil {
		t.Fatal("Start of a frozen init succeeded")
	}
}

// freeze freezes the container's cgroup (v1 freezer, else v2) and
// returns what thaws it.
func freeze(t *testing.T, id string) func() {
	t.Helper()
	file, frozen, thawed := filepath.Join("/sys/fs/cgroup/freezer/berth", id, "freezer.state"), "FROZEN", "THAWED"
	if _, err := os.Stat(file); err != nil {
		file, frozen, thawed = filepath.Join("/sys/fs/cgroup/berth", id, "cgroup.freeze"), "1", "0"
	}
	if err := os.WriteFile(file, []byte(frozen), 0o644); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	return func() { _ = os.WriteFile(file, []byte(thawed), 0o644) }
}

// TestStartReturnsOnceTheProcessRuns: Start returns once init has
// execve'd the user's process, so that a stop signal sent right after
// goes to that process, never to libcontainer's init (Go code, which
// would exit 2 on SIGTERM).
func TestStartReturnsOnceTheProcessRuns(t *testing.T) {
	rt := newRuntime(t)
	for range 5 {
		cfg := config(t, "sleep", "1000")
		c, err := rt.Create(ctx(t), cfg)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		t.Cleanup(func() {
			_ = rt.Stop(context.Background(), cfg.ID, syscall.SIGKILL, 0)
			_ = rt.Remove(context.Background(), cfg.ID)
		})
		if err := rt.Start(ctx(t), cfg.ID); err != nil {
			t.Fatalf("Start: %v", err)
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.Pid), "cmdline"))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(cmdline); got != "sleep\x001000\x00" {
			t.Errorf("right after Start the container's pid 1 runs %q, want the user's sleep", got)
		}
	}
}

// TestStartOfDeadInitFails: an init that died before it was released makes
// Start fail on its own liveness check, not only when the caller's ctx
// ends.
func TestStartOfDeadInitFails(t *testing.T) {
	rt := newRuntime(t)
	cfg := config(t, "true")
	mustCreate(t, rt, cfg)
	c, err := rt.Inspect(ctx(t), cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(c.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	long, cancel := context.WithTimeout(ctx(t), 20*time.Second)
	defer cancel()
	err = rt.Start(long, cfg.ID)
	if err == nil {
		t.Fatal("Start of a killed init succeeded")
	}
	if errors.Is(err, context.DeadlineExceeded) || long.Err() != nil {
		t.Fatalf("Start waited for its ctx instead of noticing the dead init: %v", err)
	}
}

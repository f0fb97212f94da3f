package libct_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/runtimetest"
)

// TestConcurrentLifecycleLeavesNothing runs what `up -d` and `down -t 0`
// do to a 10-service stack, several times over: every container is
// created, started, watched by a waiter (as the daemon's supervisor
// does), stopped twice at once (as `down` racing `stop` does) and
// removed, all containers in parallel. Nothing may fail and nothing may
// be left: no mount under the root, no cgroup, no process.
//
// It runs twice: with the root apart from the test binary, and inside the
// binary's directory, where every shim runs from one sealed copy of the
// binary made by the Runtime (see sealedExe).
func TestConcurrentLifecycleLeavesNothing(t *testing.T) {
	t.Run("root apart", func(t *testing.T) { concurrentLifecycle(t, t.TempDir()) })
	t.Run("root inside the binary's directory", func(t *testing.T) { concurrentLifecycle(t, besideBinary(t)) })
}

func concurrentLifecycle(t *testing.T, root string) {
	rt := newRuntimeAt(t, root)
	image := runtimetest.BusyboxImage(t)
	for round := range 5 {
		ids := make([]string, 10)
		pids := make([][]int, len(ids))
		errs := make([]error, len(ids))
		var wg sync.WaitGroup
		for i := range ids {
			ids[i] = fmt.Sprintf("stress-%d-%d-%d", os.Getpid(), round, i)
			t.Cleanup(func() { forceRemove(rt, ids[i]) })
			wg.Go(func() { pids[i], errs[i] = cycle(ctx(t), rt, root, ids[i], image) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		assertNothingLeft(t, root, ids, pids)
	}
}

// cycle takes one container through its whole life and returns the pids
// of its shim and init.
func cycle(ctx context.Context, rt runtime.Runtime, root, id string, image []string) ([]int, error) {
	cfg := &runtime.ContainerConfig{
		ID: id, LowerDirs: image,
		Process: runtime.Process{
			Args: []string{"sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"},
			Env:  []string{"PATH=/bin"}, Cwd: "/",
		},
		StopSignal: syscall.SIGTERM,
	}
	c, err := rt.Create(ctx, cfg)
	if err != nil {
		return nil, err
	}
	shimPid, _ := os.ReadFile(filepath.Join(root, "containers", id, "shim.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(shimPid)))
	pids := []int{c.Pid, pid}
	if err := rt.Start(ctx, id); err != nil {
		return pids, err
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { _, errs[0] = rt.Wait(ctx, id) })
	for i := 1; i < 3; i++ {
		wg.Go(func() { errs[i] = rt.Stop(ctx, id, nil, 0) })
	}
	wg.Wait()
	errs = append(errs, rt.Remove(ctx, id))
	return pids, errors.Join(errs...)
}

// assertNothingLeft checks that no mount under root, no cgroup of ids and
// none of pids is left.
func assertNothingLeft(t *testing.T, root string, ids []string, pids [][]int) {
	t.Helper()
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mounts), root) {
		t.Errorf("mounts under %s are left", root)
	}
	for i, id := range ids {
		if dirs := cgroupDirs(id); len(dirs) > 0 {
			t.Errorf("cgroups left: %q", dirs)
		}
		for _, pid := range pids[i] {
			if pid > 0 && !gone(pid) {
				t.Errorf("process %d of %s is left", pid, id)
			}
		}
	}
}

// gone reports whether pid has exited and been reaped, polling a while:
// the test process reaps its shims from a goroutine, after Wait returned.
func gone(pid int) bool {
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// forceRemove takes away what a failed round left of id.
func forceRemove(rt runtime.Runtime, id string) {
	c, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	_ = rt.Stop(c, id, syscall.SIGKILL, 0)
	_ = rt.Remove(c, id)
}

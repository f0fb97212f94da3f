// Package runtimetest is the conformance suite every runtime.Runtime
// passes: the in-memory fake in unit tests, the libcontainer runtime as
// root. It also builds the busybox test image the real runtime runs.
package runtimetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// hang bounds every blocking call of the suite, so a broken runtime fails
// instead of hanging; it is no timing assertion.
const hang = 60 * time.Second

// suite is one run of the conformance tests.
type suite struct {
	newRuntime func(testing.TB) runtime.Runtime
	image      func(testing.TB) []string
}

// Run runs the conformance suite: newRuntime returns a fresh, empty
// runtime (cleaned up by the test), image the lower dirs of a busybox
// image.
func Run(t *testing.T, newRuntime func(testing.TB) runtime.Runtime, image func(testing.TB) []string) {
	s := &suite{newRuntime: newRuntime, image: image}
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"RunToExit", s.runToExit},
		{"ExitCode", s.exitCode},
		{"Kill", s.kill},
		{"MissingCommand", s.missingCommand},
		{"Lifecycle", s.lifecycle},
		{"StopSignal", s.stopSignal},
		{"StopGrace", s.stopGrace},
		{"StopCreated", s.stopCreated},
		{"Exec", s.exec},
		{"ExecCommandErrors", s.execCommandErrors},
		{"LogsTail", s.logsTail},
		{"Reset", s.reset},
		{"ResetKeepsLogs", s.resetKeepsLogs},
		{"NotFound", s.notFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.fn)
	}
}

var ids atomic.Int64

// config is a container of the busybox image running args.
func (s *suite) config(t testing.TB, args ...string) *runtime.ContainerConfig {
	return &runtime.ContainerConfig{
		ID:        fmt.Sprintf("rtt-%d-%d", os.Getpid(), ids.Add(1)),
		Labels:    map[string]string{"com.docker.compose.service": "test"},
		LowerDirs: s.image(t),
		Process: runtime.Process{
			Args: args, Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar"}, Cwd: "/",
		},
	}
}

// create creates cfg's container and removes it when the test ends.
func create(t *testing.T, rt runtime.Runtime, cfg *runtime.ContainerConfig) *runtime.Container {
	t.Helper()
	c, err := rt.Create(ctx(t), cfg)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		_ = rt.Stop(cctx, cfg.ID, syscall.SIGKILL, 0)
		if err := rt.Remove(cctx, cfg.ID); err != nil && !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("cleanup: Remove: %v", err)
		}
	})
	return c
}

// run creates and starts a container running args.
func (s *suite) run(t *testing.T, rt runtime.Runtime, args ...string) *runtime.ContainerConfig {
	t.Helper()
	cfg := s.config(t, args...)
	create(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return cfg
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), hang)
	t.Cleanup(cancel)
	return c
}

func wait(t *testing.T, rt runtime.Runtime, id string) runtime.ExitStatus {
	t.Helper()
	st, err := rt.Wait(ctx(t), id)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return st
}

func status(t *testing.T, rt runtime.Runtime, id string, want runtime.Status) *runtime.Container {
	t.Helper()
	c, err := rt.Inspect(ctx(t), id)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if c.Status != want {
		t.Fatalf("status = %q, want %q", c.Status, want)
	}
	return c
}

// logs returns the container's whole log as "stream: line" strings.
func logs(t *testing.T, rt runtime.Runtime, id string, opts runtime.LogOptions) []string {
	t.Helper()
	var out []string
	err := rt.Logs(ctx(t), id, opts, func(e runtime.LogEntry) error {
		if e.Time.IsZero() {
			t.Errorf("log entry %q has no time", e.Line)
		}
		out = append(out, e.Stream+": "+strings.TrimSuffix(string(e.Line), "\n"))
		return nil
	})
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	return out
}

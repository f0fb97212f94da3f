// Package fake is an in-memory runtime.Runtime for scheduler tests: no
// kernel, no processes. What each container's process does is scripted:
// a Script maps its command to a Program (output, exit code, which
// signals end it). It passes the same conformance suite as the real
// runtime (runtime/runtimetest), so it cannot drift from it.
package fake

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// Proc is a process as a Script sees it.
type Proc struct {
	Args []string
	Env  []string
	Cwd  string
	User string // "uid:gid" of the container, or an exec's user
}

// Program is what a scripted process does: it writes Stdout and Stderr,
// then exits with Code, or with UntilSignal keeps running until a signal
// ends it. Like a PID 1 without handlers, it ignores every signal but
// SIGKILL (exit 137) and those in OnSignal.
type Program struct {
	Stdout, Stderr string
	Code           int
	UntilSignal    bool
	OnSignal       map[syscall.Signal]int
}

// Script decides what a process does; a *runtime.CommandError error makes
// it one that cannot be run (a missing command).
type Script func(Proc) (Program, error)

// Fake is the in-memory runtime. Safe for concurrent use.
type Fake struct {
	script Script
	mu     sync.Mutex
	byID   map[string]*container
	pids   int
}

var _ runtime.Runtime = (*Fake)(nil)

// New returns an empty Fake whose processes follow script.
func New(script Script) *Fake {
	return &Fake{script: script, byID: map[string]*container{}, pids: 1000}
}

type container struct {
	cfg     runtime.ContainerConfig
	state   runtime.Container
	program Program
	logs    []runtime.LogEntry
	exited  chan struct{} // closed when the process ends
}

// Create records the container; a command the script cannot run is
// refused as the real runtime refuses it.
func (f *Fake) Create(_ context.Context, cfg *runtime.ContainerConfig) (*runtime.Container, error) {
	p := cfg.Process
	prog, err := f.script(Proc{Args: p.Args, Env: p.Env, Cwd: p.Cwd, User: fmt.Sprintf("%d:%d", p.UID, p.GID)})
	if err != nil {
		return nil, fmt.Errorf("create container %q: %w", cfg.ID, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.byID[cfg.ID]; ok {
		return nil, fmt.Errorf("create container %q: %w", cfg.ID, runtime.ErrExists)
	}
	f.pids++
	c := &container{cfg: *cfg, program: prog, exited: make(chan struct{})}
	c.state = runtime.Container{
		ID: cfg.ID, Labels: cfg.Labels, Status: runtime.StatusCreated, Pid: f.pids,
		NetNSPath: netNS(cfg.NetNSPath, f.pids), Created: time.Now().UTC(),
	}
	f.byID[cfg.ID] = c
	return snapshot(c), nil
}

func netNS(mode string, pid int) string {
	switch mode {
	case "host":
		return ""
	case "":
		return fmt.Sprintf("/proc/%d/ns/net", pid)
	}
	return mode
}

func snapshot(c *container) *runtime.Container {
	s := c.state
	return &s
}

// get returns the container id; the caller holds f.mu.
func (f *Fake) get(id string) (*container, error) {
	c, ok := f.byID[id]
	if !ok {
		return nil, fmt.Errorf("container %q: %w", id, runtime.ErrNotFound)
	}
	return c, nil
}

// Start runs the program: its output is logged at once, and it exits at
// once unless it runs until a signal.
func (f *Fake) Start(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	switch c.state.Status {
	case runtime.StatusRunning:
		return fmt.Errorf("start container %q: %w", id, runtime.ErrRunning)
	case runtime.StatusExited:
		return fmt.Errorf("start container %q: container has exited; reset it to run it again", id)
	}
	c.state.Status, c.state.Started = runtime.StatusRunning, time.Now().UTC()
	c.log("stdout", c.program.Stdout)
	c.log("stderr", c.program.Stderr)
	if !c.program.UntilSignal {
		c.exit(c.program.Code)
	}
	return nil
}

// Reset makes an exited container created again with a new process; its
// logs stay.
func (f *Fake) Reset(_ context.Context, id string) (*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return nil, err
	}
	switch c.state.Status {
	case runtime.StatusRunning:
		return nil, fmt.Errorf("reset container %q: %w", id, runtime.ErrRunning)
	case runtime.StatusExited:
		f.pids++
		c.exited = make(chan struct{})
		c.state.Status, c.state.Pid, c.state.NetNSPath = runtime.StatusCreated, f.pids, netNS(c.cfg.NetNSPath, f.pids)
		c.state.Started, c.state.Exit = time.Time{}, runtime.ExitStatus{}
	}
	return snapshot(c), nil
}

// exit ends the process; the caller holds f.mu.
func (c *container) exit(code int) {
	c.state.Status, c.state.Pid = runtime.StatusExited, 0
	c.state.Exit = runtime.ExitStatus{Code: code, Finished: time.Now().UTC()}
	close(c.exited)
}

// Kill delivers sig as the program says.
func (f *Fake) Kill(_ context.Context, id string, sig os.Signal) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if c.state.Status != runtime.StatusRunning {
		return fmt.Errorf("kill container %q: %w", id, runtime.ErrNotRunning)
	}
	c.signal(sig)
	return nil
}

// signal delivers sig to a live process; the caller holds f.mu.
func (c *container) signal(sig os.Signal) {
	s, _ := sig.(syscall.Signal)
	if s == syscall.SIGKILL {
		c.exit(128 + int(s))
		return
	}
	if code, ok := c.program.OnSignal[s]; ok {
		c.exit(code)
	}
}

// List reports every container, by ID.
func (f *Fake) List(_ context.Context) ([]*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*runtime.Container
	for _, c := range f.byID {
		out = append(out, snapshot(c))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Inspect reports a container's state.
func (f *Fake) Inspect(_ context.Context, id string) (*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return nil, err
	}
	return snapshot(c), nil
}

// Package runtime is berth's embedded container runtime, behind the small
// Runtime interface the scheduler drives. The real implementation (libct)
// runs containers on runc's libcontainer; fake is an in-memory one for
// scheduler tests. Both pass the same conformance suite (runtimetest).
//
// The package shadows Go's runtime: import the standard one as goruntime.
package runtime

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// Errors returned by Runtime implementations; check them with errors.Is.
var (
	// ErrNotFound: no container has the given ID.
	ErrNotFound = errors.New("container not found")
	// ErrExists: a container with the given ID already exists.
	ErrExists = errors.New("container already exists")
	// ErrNotRunning: the operation needs a running container.
	ErrNotRunning = errors.New("container is not running")
	// ErrRunning: the operation needs a stopped container.
	ErrRunning = errors.New("container is running")
)

// Runtime creates, runs and removes containers. Every method is safe for
// concurrent use and may be called by a process other than the one that
// created the container: state lives on disk, not in memory.
type Runtime interface {
	// Create prepares a container from cfg (rootfs, cgroups, namespaces) and
	// leaves its init process waiting, so that networks can be attached to
	// its network namespace before the user process starts. ErrExists if
	// cfg.ID is taken; a *CommandError when the command is not found or
	// not executable in the image. A failed Create leaves nothing behind.
	Create(ctx context.Context, cfg *ContainerConfig) (*Container, error)
	// Start runs the user process of a created container and returns once
	// it runs. ErrNotFound, ErrRunning; an exited container must be Reset
	// first.
	Start(ctx context.Context, id string) error
	// Reset makes an exited container created again, as Create leaves it
	// (a new init waiting, a new network namespace to attach networks to),
	// keeping its writable layer and its logs: Docker's restart is Reset,
	// attach, Start. A created container is returned as it is.
	// ErrNotFound, ErrRunning.
	Reset(ctx context.Context, id string) (*Container, error)
	// Stop sends signal (the container's stop signal when nil), waits up
	// to grace (the container's StopGrace when negative), then SIGKILLs,
	// and returns when the process has exited. A created container that
	// never started is killed at once. Stopping a stopped container is not
	// an error. ErrNotFound.
	Stop(ctx context.Context, id string, signal os.Signal, grace time.Duration) error
	// Kill sends signal to the container's init process. ErrNotFound,
	// ErrNotRunning.
	Kill(ctx context.Context, id string, signal os.Signal) error
	// Remove destroys a container that is not running (created or exited)
	// and everything the runtime made for it (rootfs mounts, cgroups,
	// state, logs). ErrNotFound, ErrRunning.
	Remove(ctx context.Context, id string) error
	// Inspect reports a container's current state. ErrNotFound.
	Inspect(ctx context.Context, id string) (*Container, error)
	// List reports every container the runtime knows, running or not.
	List(ctx context.Context) ([]*Container, error)
	// Wait blocks until the container's process exits (or ctx ends) and
	// returns its exit status. ErrNotFound.
	Wait(ctx context.Context, id string) (ExitStatus, error)
	// Exec runs an extra process in a running container and returns its
	// exit code once it ends. ErrNotFound, ErrNotRunning; a command that
	// cannot be run returns Docker's code with a *CommandError.
	Exec(ctx context.Context, id string, p *ExecConfig) (int, error)
	// Logs streams the container's output in order. ErrNotFound.
	Logs(ctx context.Context, id string, opts LogOptions, sink func(LogEntry) error) error
}

// CommandError reports a process that could not be run in a container,
// with the exit code Docker gives it: 127 when the command is not found,
// 126 when it cannot be executed. Create returns one for the container's
// own command (its init looks it up before the user process runs); Exec
// returns one with the same code as its result.
type CommandError struct {
	Code int
	Err  error // the reason, worded as Docker words it
}

func (e *CommandError) Error() string { return e.Err.Error() }

func (e *CommandError) Unwrap() error { return e.Err }

// Status is a container's life-cycle state, named as Docker names them.
type Status string

// Container states.
const (
	StatusCreated Status = "created"
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
)

// Container is what a Runtime reports about one container.
type Container struct {
	ID        string
	Labels    map[string]string
	Status    Status
	Pid       int    // init process on the host; 0 when not running
	NetNSPath string // network namespace to attach networks to; "" for host networking
	Created   time.Time
	Started   time.Time
	Exit      ExitStatus
}

// ExitStatus is how a container's process ended.
type ExitStatus struct {
	Code      int // 128+signal when killed by a signal, as Docker reports
	Finished  time.Time
	OOMKilled bool
}

// ExecConfig describes a process started in a running container.
type ExecConfig struct {
	Args       []string
	Env        []string // added to the container's environment
	User       string   // "uid[:gid]" or a name from the image; "" keeps the container's
	WorkingDir string
	TTY        bool
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
}

// LogOptions selects which log entries Logs delivers.
type LogOptions struct {
	Follow bool      // keep streaming until the container exits or ctx ends
	Tail   int       // last N entries only; negative for all
	Since  time.Time // zero for no bound
	Until  time.Time // zero for no bound
}

// LogEntry is one line of container output, as the json-file driver stores it.
type LogEntry struct {
	Stream string // "stdout" or "stderr"
	Time   time.Time
	Line   []byte // including its trailing newline, if it had one
}

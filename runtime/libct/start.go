package libct

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/runtime"
)

// errExited: Start was asked to run a container whose process already
// ran; libcontainer cannot run init twice, so Reset must make a new one.
var errExited = errors.New("container has exited; reset it to run it again")

// Start releases the waiting init: opening libcontainer's exec fifo lets it
// execve the user process.
func (r *Runtime) Start(ctx context.Context, id string) error {
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return err
	}
	switch c.Status {
	case runtime.StatusRunning:
		return fmt.Errorf("start container %q: %w", id, runtime.ErrRunning)
	case runtime.StatusExited:
		return fmt.Errorf("start container %q: %w", id, errExited)
	}
	if err := r.exec(ctx, id); err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	awaitExecve(ctx, c.Pid, r.initCmdline())
	return writeTime(filepath.Join(r.dir(id), startedFile), time.Now())
}

// startTimeout bounds the exec fifo handshake. init is already waiting
// in open(2) on the fifo when Create returns, so it takes milliseconds;
// only an init that cannot run (frozen, stopped) never takes it.
const startTimeout = 30 * time.Second

// execFifo is the fifo in libcontainer's state directory on which init
// waits to execve the user process.
const execFifo = "exec.fifo"

// exec lets init go on through libcontainer's Exec, which opens the exec
// fifo for reading and blocks until init opens its write end: it checks
// every 100 ms that init is still alive, but an init that lives and never
// opens would hold it forever. When ctx or startTimeout ends first, a
// write end opened here and closed at once makes Exec's read see end of
// file without init's byte, and Exec return an error. Start does not take
// the container's lock: holding it through the handshake would make Stop
// wait for a start that hangs, and Exec notices a destroyed init itself.
func (r *Runtime) exec(ctx context.Context, id string) error {
	lc, err := libcontainer.Load(r.libcontainerRoot(), id)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- lc.Exec() }()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	fifo := filepath.Join(r.libcontainerRoot(), id, execFifo)
	for {
		releaseReader(fifo)
		select {
		case execErr := <-done:
			// Exec's own error only says the fifo was released under it.
			return fmt.Errorf("init never opened the exec fifo: %w", errors.Join(ctx.Err(), execErr))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// releaseReader opens fifo for writing without blocking and closes it: a
// reader blocked in open(2) returns, and reads end of file. Without a
// reader yet, open fails with ENXIO (fifo(7)) and the caller tries again.
func releaseReader(fifo string) {
	f, err := os.OpenFile(fifo, os.O_WRONLY|unix.O_NONBLOCK, 0)
	if err == nil {
		f.Close()
	}
}

// initCmdline is the argv of libcontainer's init while it waits: the
// shim's argv[0] and "init".
func (r *Runtime) initCmdline() []byte {
	return []byte(r.shimPath() + "\x00init\x00")
}

// awaitExecve waits until init has execve'd the user process. Opening the
// exec fifo only lets init go on; until its execve, init is Go code whose
// runtime would exit with status 2 on a SIGTERM, so a Stop right after
// Start would not reach the user's process as Docker's does. An empty
// command line is a process between its old image and its new one, in
// execve(2), or one that has exited: waiting on it is bounded like the rest.
func awaitExecve(ctx context.Context, pid int, initCmdline []byte) {
	path := "/proc/" + strconv.Itoa(pid) + "/cmdline"
	for range 2000 {
		b, err := os.ReadFile(path)
		if err != nil || ctx.Err() != nil || len(b) > 0 && !bytes.Equal(b, initCmdline) {
			return
		}
		time.Sleep(500 * time.Microsecond)
	}
}

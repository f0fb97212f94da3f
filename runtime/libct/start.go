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
	if err := r.exec(ctx, id, c.Pid); err != nil {
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

// exec lets init go on, as libcontainer's Exec would, without loading the
// container's state: the protocol is the exec fifo alone, and Load decodes
// the whole state.json (the seccomp rules with it), ~0.5 ms of a start.
// init waits in open(2) for the fifo's write end until a reader comes,
// then writes one byte, closes its end and, after closing its other
// descriptors, execve's the user process (awaitExecve waits for that).
// The reader here is opened non-blocking and polled, so nothing is ever
// left blocked in open(2): a wait that ends (ctx, startTimeout, init gone)
// just closes it. An init stalled between its open and its write (frozen
// there) then fails its write and exits, as it did when Exec's reader
// was released. A FIFO reports hang-up only after a writer has come and
// gone (fifo(7), pipe_poll), so end of file without init's byte is init
// failing between its open and its write.
// Start does not take the container's lock: holding it through the
// handshake would make Stop wait for a start that hangs; a destroyed init
// is noticed by the liveness check between polls.
func (r *Runtime) exec(ctx context.Context, id string, pid int) error {
	fifo := filepath.Join(r.libcontainerRoot(), id, execFifo)
	fd, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("exec fifo: %w", err)
	}
	defer unix.Close(fd)
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	initCmdline := r.initCmdline()
	reader := execFifoReader{fd: fd}
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(livenessInterval/time.Millisecond))
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("exec fifo: poll: %w", err)
		}
		if n > 0 {
			execed, err := reader.read()
			if err != nil {
				return err
			}
			if execed {
				// The fifo has served; Exec removes it too.
				if err := os.Remove(fifo); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				return nil
			}
		}
		if done, err := reader.givenUp(ctx, pid, initCmdline); done {
			return err
		}
	}
}

// givenUp is asked between polls whether the wait is over without init's
// hang-up: ctx ended, or init is gone.
func (f *execFifoReader) givenUp(ctx context.Context, pid int, initCmdline []byte) (bool, error) {
	switch {
	case f.released && ctx.Err() != nil:
		return true, nil // between its byte and its hang-up; awaitExecve bounds the rest
	case f.released, ctx.Err() == nil && waitingInit(pid, initCmdline):
		return false, nil
	}
	// init may have taken the handshake since the poll, and even execve'd
	// or exited: its byte, if there, says it was started (as Exec's last
	// look does).
	if _, err := f.read(); err == nil && f.released {
		return false, nil
	}
	if ctx.Err() != nil {
		return true, fmt.Errorf("init never opened the exec fifo: %w", ctx.Err())
	}
	return true, errors.New("container process is already dead")
}

// execFifoReader reads the exec fifo's read end, non-blocking.
type execFifoReader struct {
	fd       int
	released bool // init has written its byte
	buf      [64]byte
}

// read takes what the fifo holds. execed: init, having written its byte,
// closed its end, as it does right before its execve.
func (f *execFifoReader) read() (execed bool, err error) {
	k, err := unix.Read(f.fd, f.buf[:])
	switch {
	case k > 0:
		f.released = true
		return false, nil
	case k == 0 && f.released:
		return true, nil
	case k == 0:
		return false, errors.New("init closed the exec fifo without starting the process")
	case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
		return false, nil
	}
	return false, fmt.Errorf("exec fifo: read: %w", err)
}

// livenessInterval is how often a start that waits on the exec fifo checks
// that init is still there to open it, as libcontainer's Exec does.
const livenessInterval = 100 * time.Millisecond

// waitingInit says whether pid is still libcontainer's init, before its
// execve: a process gone, a zombie (an empty command line) or another
// process that took the PID is not.
func waitingInit(pid int, initCmdline []byte) bool {
	b, err := readCmdline(pid)
	return err == nil && bytes.Equal(b, initCmdline)
}

// readCmdline reads a process's argv, NUL-separated; empty for a zombie.
func readCmdline(pid int) ([]byte, error) {
	return os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
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
	for range 2000 {
		b, err := readCmdline(pid)
		if err != nil || ctx.Err() != nil || len(b) > 0 && !bytes.Equal(b, initCmdline) {
			return
		}
		time.Sleep(500 * time.Microsecond)
	}
}

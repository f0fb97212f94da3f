package libct

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// Exec runs p in the running container, as `runc exec` does: libcontainer
// joins the container's namespaces and cgroups, and the process is this
// process's child until it ends. A command that cannot be run gives
// Docker's 126 or 127 with a *runtime.CommandError.
func (r *Runtime) Exec(ctx context.Context, id string, p *runtime.ExecConfig) (int, error) {
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return 0, err
	}
	if c.Status != runtime.StatusRunning {
		return 0, fmt.Errorf("exec in container %q: %w", id, runtime.ErrNotRunning)
	}
	warmCgroupMoves()
	rec, err := r.loadRecord(id)
	if err != nil {
		return 0, err
	}
	lc, err := libcontainer.Load(r.libcontainerRoot(), id)
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	proc, err := execProcess(r.dir(id), rec, p)
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, err)
	}
	code, err := run(ctx, lc, proc, p)
	if err != nil {
		var cmdErr *runtime.CommandError
		if errors.As(err, &cmdErr) {
			return cmdErr.Code, err
		}
		return code, fmt.Errorf("exec in container %q: %w", id, err)
	}
	return code, nil
}

// execProcess builds the libcontainer process: the container's env with
// p's added, the user resolved in the container's /etc/passwd and
// /etc/group, and the container's working directory unless p names one.
func execProcess(dir string, rec *record, p *runtime.ExecConfig) (*libcontainer.Process, error) {
	u, err := resolveUser(dir, rec, p.User)
	if err != nil {
		return nil, err
	}
	cwd := p.WorkingDir
	if cwd == "" {
		cwd = rec.Cwd
	}
	if cwd == "" {
		cwd = "/"
	}
	env := append(append([]string{}, rec.Env...), p.Env...)
	return &libcontainer.Process{
		Args: p.Args, Env: env, Cwd: cwd,
		UID: u.Uid, GID: u.Gid, AdditionalGroups: u.Sgids,
	}, nil
}

// run starts proc with p's streams and returns its exit code.
func run(ctx context.Context, lc *libcontainer.Container, proc *libcontainer.Process, p *runtime.ExecConfig) (int, error) {
	if p.TTY {
		return runTTY(ctx, lc, proc, p)
	}
	proc.Stdin, proc.Stdout, proc.Stderr = p.Stdin, orDiscard(p.Stdout), orDiscard(p.Stderr)
	if err := lc.Run(proc); err != nil {
		return 0, commandError(err)
	}
	return wait(ctx, proc)
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// runTTY gives proc a terminal: libcontainer's init sends its master on a
// console socket, and the master is copied from p.Stdin and to p.Stdout.
func runTTY(ctx context.Context, lc *libcontainer.Container, proc *libcontainer.Process, p *runtime.ExecConfig) (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("console socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "console"), os.NewFile(uintptr(fds[1]), "console-child")
	defer ours.Close()
	proc.ConsoleSocket = theirs
	err = lc.Run(proc)
	theirs.Close()
	if err != nil {
		return 0, commandError(err)
	}
	master, err := shim.RecvFile(ours)
	if err != nil {
		_ = proc.Signal(syscall.SIGKILL)
		_, _ = proc.Wait()
		return 0, fmt.Errorf("receive console: %w", err)
	}
	defer master.Close()
	if p.Stdin != nil {
		go func() { _, _ = io.Copy(master, p.Stdin) }()
	}
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(orDiscard(p.Stdout), master) // ends with EIO when the last slave closes
		close(copied)
	}()
	code, err := wait(ctx, proc)
	<-copied
	return code, err
}

// wait waits for proc, killing it if ctx ends first, and returns its exit
// code (128+signal when a signal ended it).
func wait(ctx context.Context, proc *libcontainer.Process) (int, error) {
	stop := context.AfterFunc(ctx, func() { _ = proc.Signal(syscall.SIGKILL) })
	defer stop()
	state, err := proc.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 0, fmt.Errorf("wait exec process: %w", err)
	}
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok {
		return 0, errors.New("wait exec process: no wait status")
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), ctx.Err()
	}
	return ws.ExitStatus(), ctx.Err()
}

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
	lc, err := libcontainer.Load(r.libcontainerRoot(), id)
	if err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	if err := lc.Exec(); err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	awaitExecve(ctx, c.Pid)
	return writeTime(filepath.Join(r.dir(id), startedFile), time.Now())
}

// initCmdline is the argv of libcontainer's init while it waits: the
// helper's argv[0] and "init".
var initCmdline = []byte(createName + "\x00init\x00")

// awaitExecve waits until init has execve'd the user process. Opening the
// exec fifo only lets init go on; until its execve, init is Go code whose
// runtime would exit with status 2 on a SIGTERM, so a Stop right after
// Start would not reach the user's process as Docker's does.
func awaitExecve(ctx context.Context, pid int) {
	path := "/proc/" + strconv.Itoa(pid) + "/cmdline"
	for range 2000 {
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(b, initCmdline) || ctx.Err() != nil {
			return
		}
		time.Sleep(500 * time.Microsecond)
	}
}

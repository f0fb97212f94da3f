package shim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// run creates the container in dir and monitors it until it exits.
func run(dir string, creator Creator) error {
	cfg, err := ReadConfig(dir)
	if err != nil {
		return err
	}
	report := os.NewFile(3, "report")
	// With PR_SET_CHILD_SUBREAPER (prctl(2)), orphaned descendants are
	// reparented to the shim instead of the host's PID 1: what init leaves
	// behind when it shares the host's PID namespace is reaped here.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set child subreaper: %w", err)
	}
	// The shim outlives the session that started it; hang-ups and Ctrl-C
	// aimed at that session are not for us. The ignores pass on to init,
	// which gives the two Go keeps back their default before the
	// container's process runs (libct's defaultInheritedIgnores).
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE)
	pid, streams, stdin, err := create(dir, cfg, creator)
	// A failed report means the runtime that asked is gone; the container
	// is on disk all the same, and a later runtime finds it there.
	if err != nil {
		_, _ = fmt.Fprintf(report, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return nil
	}
	_, _ = fmt.Fprintf(report, "ok %d\n", pid)
	report.Close()
	time.AfterFunc(shedDelay, shed)
	err = monitor(dir, cfg, pid, streams)
	// An open stdin is the write end of init's stdin pipe, never written
	// and held until init exits; dropped, its finalizer would close it at
	// the next GC and init would read end of file.
	if stdin != nil {
		stdin.Close()
	}
	return err
}

// shedDelay is how long after creating the container the shim sheds what
// creating took. The container's start follows its creation within
// milliseconds; a shed then, a full garbage collection and ~1 ms of
// madvise(2), would take a CPU from init at its busiest.
const shedDelay = time.Second

// shed returns to the kernel what the shim no longer needs once the
// container runs: the heap that parsing its spec and running libcontainer
// left (a garbage collection would not come for the container's whole
// life, the heap hardly growing), and the code and data pages that
// starting touched (trimResident).
func shed() {
	debug.FreeOSMemory()
	trimResident()
}

// monitor copies the container's output to its log until init exits, then
// records the exit.
func monitor(dir string, cfg *Config, pid int, streams []stream) error {
	log, err := OpenLog(cfg.LogPath, cfg.MaxSize, cfg.MaxFiles)
	if err != nil {
		return err
	}
	defer log.Close()
	var copiers sync.WaitGroup
	for _, s := range streams {
		copiers.Go(func() { copyStream(log, s) })
	}
	code := Reap(pid)
	copiers.Wait()
	exit := Exit{Code: code, Finished: time.Now().UTC(), OOMKilled: oomKilled(cfg.OOMFile)}
	return WriteExit(dir, exit)
}

// stream is one output of the container and the name its entries get.
type stream struct {
	name string
	r    io.ReadCloser
}

func copyStream(log *Log, s stream) {
	defer s.r.Close()
	buf := make([]byte, 16<<10)
	for {
		n, err := s.r.Read(buf)
		if n > 0 {
			log.Write(s.name, buf[:n])
		}
		if err != nil {
			// A terminal's master reads EIO once the last slave fd is
			// closed (pty(7)); a pipe reads EOF.
			log.Flush(s.name)
			return
		}
	}
}

// Reap waits for (and so reaps) every child of the calling process until
// the one with pid exits, and returns its exit code as Docker reports it:
// the status, or 128+signal. The shim and berth-init both reap this way.
func Reap(initPid int) int {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 255 // ECHILD: init is gone and was never ours
		}
		if pid != initPid {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}

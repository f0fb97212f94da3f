package libct

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// Create mounts the container's rootfs, writes its spec and starts its
// shim, which creates the container and leaves init waiting. A failed
// Create removes all it made.
func (r *Runtime) Create(ctx context.Context, cfg *runtime.ContainerConfig) (_ *runtime.Container, err error) {
	if !validName(cfg.ID) {
		return nil, fmt.Errorf("create container %q: invalid ID", cfg.ID)
	}
	if len(cfg.Process.Args) == 0 {
		return nil, fmt.Errorf("create container %q: no command", cfg.ID)
	}
	warmCgroupMoves()
	dir := r.dir(cfg.ID)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create container %q: %w", cfg.ID, runtime.ErrExists)
		}
		return nil, fmt.Errorf("create container %q: %w", cfg.ID, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, r.teardown(cfg.ID))
		}
	}()
	if err := r.prepare(dir, cfg); err != nil {
		return nil, fmt.Errorf("create container %q: %w", cfg.ID, err)
	}
	if err := r.startShim(ctx, dir, cfg.ID); err != nil {
		return nil, fmt.Errorf("create container %q: %w", cfg.ID, err)
	}
	return r.Inspect(ctx, cfg.ID)
}

func validName(id string) bool {
	return validID.MatchString(id) && id != "." && id != ".."
}

// prepare mounts the rootfs and writes the container's spec, record and
// shim config.
func (r *Runtime) prepare(dir string, cfg *runtime.ContainerConfig) error {
	rootfs, err := mountRootfs(dir, cfg.LowerDirs)
	if err != nil {
		return err
	}
	spec, err := buildSpec(cfg, rootfs)
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, specFile), spec); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, recordFile), newRecord(cfg)); err != nil {
		return err
	}
	return shim.WriteConfig(dir, &shim.Config{
		ID: cfg.ID, LogPath: logPath(dir, cfg.ID), MaxSize: cfg.Log.MaxSize, MaxFiles: cfg.Log.MaxFiles,
		TTY: cfg.Process.TTY, OpenStdin: cfg.Process.OpenStdin, OOMFile: oomFile(cfg.ID),
		StateDir: r.libcontainerRoot(),
	})
}

// startShim starts the container's monitor in a session of its own, so
// that it outlives this process, and waits for its report.
func (r *Runtime) startShim(ctx context.Context, dir, id string) error {
	report, reportW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("shim report pipe: %w", err)
	}
	defer report.Close()
	logf, err := os.OpenFile(filepath.Join(dir, shimLogFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		reportW.Close()
		return fmt.Errorf("shim log: %w", err)
	}
	defer logf.Close()
	cmd := &exec.Cmd{
		Path: r.exe.path(), Args: []string{r.shimPath(), dir}, Dir: "/",
		Stdout: logf, Stderr: logf, ExtraFiles: []*os.File{reportW},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	reportW.Close()
	if err != nil {
		return fmt.Errorf("start shim: %w", err)
	}
	// Reap the shim if it ends while this process still lives; once this
	// process is gone, it is reparented like any orphan.
	go func() { _ = cmd.Wait() }()
	if err := writeInt(filepath.Join(dir, shimPidFile), cmd.Process.Pid); err != nil {
		return err
	}
	return readReport(ctx, report, dir, cmd.Process)
}

// readReport waits for the shim's "ok <pid>" and records init's pid.
func readReport(ctx context.Context, report *os.File, dir string, p *os.Process) error {
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(report).ReadString('\n')
		lines <- strings.TrimSuffix(line, "\n")
	}()
	var line string
	select {
	case line = <-lines:
	case <-ctx.Done():
		_ = p.Kill()
		return ctx.Err()
	}
	if rest, ok := strings.CutPrefix(line, "ok "); ok {
		pid, err := strconv.Atoi(rest)
		if err != nil {
			return fmt.Errorf("shim report %q: %w", line, err)
		}
		return writeInt(filepath.Join(dir, pidFile), pid)
	}
	if rest, ok := strings.CutPrefix(line, "error "); ok {
		return commandError(errors.New(rest))
	}
	return fmt.Errorf("shim exited without a report: %s", shimLog(dir))
}

// shimLog is the last thing the shim wrote on its stderr, for errors.
func shimLog(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, shimLogFile))
	s := strings.TrimSpace(string(b))
	return s[max(0, len(s)-500):]
}

// writeTime records t in path.
func writeTime(path string, t time.Time) error {
	return os.WriteFile(path, []byte(t.UTC().Format(time.RFC3339Nano)), 0o600)
}

func readTime(path string) time.Time {
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, string(b))
	return t
}

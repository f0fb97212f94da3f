package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/api"
)

// stateRoot is where berth keeps images, containers, volumes and networks:
// --root, then $BERTH_ROOT, then /var/lib/berth.
func (g *globalOptions) stateRoot() string {
	if g.Root != "" {
		return g.Root
	}
	if root := os.Getenv("BERTH_ROOT"); root != "" {
		return root
	}
	return "/var/lib/berth"
}

// runDir holds the daemon's socket and runtime state: /run/berth, or a run
// directory inside a state root given explicitly, so that a test's berth
// (its own --root) never talks to the host's daemon.
func (g *globalOptions) runDir() string {
	if g.Root == "" && os.Getenv("BERTH_ROOT") == "" {
		return "/run/berth"
	}
	return filepath.Join(g.stateRoot(), "run")
}

func (g *globalOptions) socket() string { return filepath.Join(g.runDir(), "berth.sock") }

// daemonStartTimeout bounds how long the CLI waits for a daemon it started.
const daemonStartTimeout = 15 * time.Second

// client returns a client for the daemon, starting one when none answers:
// there is no install step and no service manager, so the first command
// that needs a daemon brings it up, detached in its own session, logging
// to the run directory.
func (g *globalOptions) client(ctx context.Context) (*api.Client, error) {
	c := api.NewClient(g.socket())
	if c.Ping(ctx) == nil {
		return c, nil
	}
	exited, err := g.startDaemon()
	if err != nil {
		return nil, err
	}
	deadline := time.After(daemonStartTimeout)
	for {
		if c.Ping(ctx) == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-exited:
			// Another daemon may have won the race for the socket.
			if c.Ping(ctx) == nil {
				return c, nil
			}
			return nil, fmt.Errorf("berth daemon failed to start: %s", g.daemonLogTail())
		case <-deadline:
			return nil, fmt.Errorf("berth daemon did not answer on %s within %s; see %s", g.socket(), daemonStartTimeout, g.daemonLog())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// daemonLogTail is the last line the daemon logged: why it stopped.
func (g *globalOptions) daemonLogTail() string {
	b, err := os.ReadFile(g.daemonLog())
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

func (g *globalOptions) daemonLog() string { return filepath.Join(g.runDir(), "daemon.log") }

// startDaemon starts a daemon in its own session, so that it outlives
// this command, and returns a channel closed if it exits while this
// command still runs (it then failed to start).
func (g *globalOptions) startDaemon() (<-chan struct{}, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start berth daemon: %w", err)
	}
	if err := os.MkdirAll(g.runDir(), 0o755); err != nil {
		return nil, fmt.Errorf("start berth daemon: %w", err)
	}
	logFile, err := os.OpenFile(g.daemonLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("start berth daemon: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(self, "--root", g.stateRoot(), "daemon", "--socket", g.socket())
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start berth daemon: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // its exit status is in its log
		close(exited)
	}()
	return exited, nil
}

// remoteExit turns the daemon's error into the CLI's exit code.
func remoteExit(err error) error {
	var remote *api.RemoteError
	if errors.As(err, &remote) && remote.Code > 1 {
		return &ExitError{Code: remote.Code, Message: remote.Message}
	}
	return err
}

package e2e

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const chatty = `name: chatty
services:
  talker:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do echo tick; sleep 0.2; done"]
`

// TestForegroundUpStreamsLogsAndStopsOnInterrupt: `up` without -d prints
// each service's output behind its prefix; the first Ctrl-C stops the
// containers gracefully (the service sees its stop signal) and up exits
// 130.
func TestForegroundUpStreamsLogsAndStopsOnInterrupt(t *testing.T) {
	s := newStack(t, chatty)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", "--net="+s.netns, "--", berthBin, "up")
	cmd.Dir, cmd.Env = s.dir, append(cleanEnv(), "BERTH_ROOT="+s.root)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var seen []string
	for lines.Scan() {
		seen = append(seen, lines.Text())
		if len(seen) == 3 {
			break
		}
	}
	for _, l := range seen {
		if l != "talker-1  | tick" {
			t.Errorf("log line %q, want %q", l, "talker-1  | tick")
		}
	}
	// nsenter passes the signal on to berth, its child.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
		t.Errorf("up ended with %v, want exit 130\n%s", err, stderr.String())
	}
	mustContain(t, stderr.String(), "Gracefully Stopping", "Container chatty-talker-1  Stopped")
	mustContain(t, rest.String(), "talker-1  | bye")
	if c := s.container("chatty-talker-1"); c.State != "exited" {
		t.Errorf("talker is %s after the interrupt", c.State)
	}
}

const oneShot = `name: oneshot
services:
  job:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "echo working; sleep 0.5; exit 3"]
  server:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`

// TestExitCodeFrom: up --exit-code-from stops the stack when the job exits
// and returns the job's exit code.
func TestExitCodeFrom(t *testing.T) {
	s := newStack(t, oneShot)
	r := s.berth("up", "--exit-code-from", "job")
	if r.exit != 3 {
		t.Errorf("exit %d, want 3 (the job's)\n%s", r.exit, r.stderr)
	}
	mustContain(t, r.stdout, "job-1     | working\n", "job-1 exited with code 3\n")
	mustContain(t, r.stderr, "Aborting on container exit...")
	if c := s.container("oneshot-server-1"); c.State != "exited" {
		t.Errorf("server is %s: the stack was not stopped", c.State)
	}
}

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
	cmd := s.command(ctx, berthBin, "up")
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

// slowGate keeps `up -d` waiting: app waits for db to be healthy, and db's
// check passes only after a minute.
const slowGate = `name: slowgate
services:
  db:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    healthcheck:
      test: ["CMD-SHELL", "[ $$(cut -d. -f1 /proc/uptime) -lt 0 ]"]
      interval: 1s
      start_period: 60s
  app:
    image: REGISTRY/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    depends_on:
      db: {condition: service_healthy}
`

// TestInterruptedUpRollsBack: Ctrl-C while `up -d` waits for a dependency
// exits 130, as Docker Compose does, and undoes what that up made: no
// container, interface or firewall rule of the project is left.
func TestInterruptedUpRollsBack(t *testing.T) {
	s := newStack(t, slowGate)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := s.command(ctx, berthBin, "up", "-d", "--progress", "plain")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var seen strings.Builder
	for lines.Scan() {
		seen.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "Service db  Waiting") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		seen.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
		t.Errorf("up ended with %v, want exit 130\n%s", err, seen.String())
	}
	// The rollback's progress shows before up exits.
	mustContain(t, seen.String(), "Container slowgate-db-1  Removed", "Network slowgate_default  Removed")
	if rows := s.containers(); len(rows) != 0 {
		t.Errorf("containers left after the interrupted up: %v\n%s", rows, seen.String())
	}
	if links := s.exec("ip", "-o", "link", "show"); strings.Count(links, "\n") != 1 {
		t.Errorf("interfaces left in the namespace:\n%s", links)
	}
	if rules := s.exec("/usr/sbin/nft", "list", "ruleset"); strings.TrimSpace(rules) != "" {
		t.Errorf("nftables rules left:\n%s", rules)
	}
}

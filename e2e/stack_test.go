package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/roottest"
	"github.com/berth-dev/berth/runtime/image/imagetest"
)

// stack is one end-to-end scenario's world: a state root of its own, a
// throwaway network namespace where the CLI, the daemon it starts, its
// bridges and published ports all live (nothing touches the host's
// network), and an in-process registry listening inside that namespace.
type stack struct {
	t        *testing.T
	root     string
	netns    string // path of the namespace
	dir      string // the compose project's directory
	registry string // host:port of the registry, reachable from the daemon
}

var stackCount atomic.Int32

func newStack(t *testing.T, compose string) *stack {
	t.Helper()
	roottest.Require(t)
	s := &stack{t: t, root: t.TempDir(), dir: t.TempDir()}
	name := fmt.Sprintf("berth-e2e-%d-%d", os.Getpid(), stackCount.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	s.netns = "/run/netns/" + name
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns delete: %v: %s", err, out)
		}
	})
	s.exec("ip", "link", "set", "lo", "up")
	var pushTo string
	s.registry, pushTo = s.serveRegistry()
	// Both addresses serve the same registry: the test pushes on its own
	// loopback, the daemon pulls on the namespace's.
	imagetest.Push(t, pushTo+"/busybox:latest", mustBusybox(t))
	t.Cleanup(s.teardown)
	if compose != "" {
		s.write("compose.yaml", strings.ReplaceAll(compose, "REGISTRY", s.registry))
	}
	return s
}

func mustBusybox(t *testing.T) v1.Image {
	t.Helper()
	img, err := imagetest.BusyboxImage()
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// serveRegistry starts one in-memory registry answering on two sockets:
// one made inside the stack's namespace (a socket belongs to the namespace
// of the thread creating it), where the daemon pulls, and one on the
// test's own loopback, where the test pushes.
func (s *stack) serveRegistry() (inNetns, onHost string) {
	handler := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	inside := httptest.NewUnstartedServer(handler)
	inside.Listener = s.listenInNetns("tcp", "127.0.0.1:0")
	inside.Start()
	s.t.Cleanup(inside.Close)
	host := httptest.NewServer(handler)
	s.t.Cleanup(host.Close)
	return inside.Listener.Addr().String(), host.Listener.Addr().String()
}

func (s *stack) listenInNetns(network, addr string) net.Listener {
	s.t.Helper()
	l, err := inNetns(s.netns, func() (net.Listener, error) { return net.Listen(network, addr) })
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// inNetns runs make on an OS thread switched into the stack's namespace,
// so that the socket it makes belongs there, and switches the thread back.
func inNetns[T any](netns string, make func() (T, error)) (T, error) {
	var zero T
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return zero, err
	}
	defer self.Close()
	target, err := os.Open(netns)
	if err != nil {
		return zero, err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return zero, err
	}
	v, makeErr := make()
	if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
		panic(fmt.Sprintf("cannot return to the test's network namespace: %v", err))
	}
	return v, makeErr
}

func (s *stack) write(name, content string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// berth runs the CLI in the stack's namespace and project directory.
func (s *stack) berth(args ...string) result {
	s.t.Helper()
	return s.run(append([]string{berthBin}, args...)...)
}

// exec runs a command in the stack's namespace and fails the test if it
// fails.
func (s *stack) exec(args ...string) string {
	s.t.Helper()
	r := s.run(args...)
	if r.exit != 0 {
		s.t.Fatalf("%v: exit %d: %s%s", args, r.exit, r.stdout, r.stderr)
	}
	return r.stdout
}

func (s *stack) run(args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return runCommand(s.t, s.command(ctx, args...))
}

// command is args run in the scenario's network namespace, in its project
// directory, with its BERTH_ROOT.
func (s *stack) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "nsenter", append([]string{"--net=" + s.netns, "--"}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(cleanEnv(), "BERTH_ROOT="+s.root)
	return cmd
}

func (s *stack) mustBerth(args ...string) string {
	s.t.Helper()
	r := s.berth(args...)
	if r.exit != 0 {
		s.t.Fatalf("berth %v: exit %d\n%s%s", args, r.exit, r.stdout, r.stderr)
	}
	return r.stdout
}

// daemonPid is the PID of the daemon the stack's CLI started, 0 if none.
func (s *stack) daemonPid() int {
	b, err := os.ReadFile(filepath.Join(s.root, "run", "daemon.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// killDaemon ends the scenario's daemon with SIGKILL, waits until it is
// gone and returns its pid; the next berth command starts another.
func (s *stack) killDaemon() int {
	s.t.Helper()
	pid := s.daemonPid()
	if pid == 0 {
		s.t.Fatal("no daemon pid file")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		s.t.Fatal(err)
	}
	s.eventually(5*time.Second, "daemon gone", func() bool { return syscall.Kill(pid, 0) != nil })
	return pid
}

// teardown removes what the scenario brought up and ends its daemon.
func (s *stack) teardown() {
	if s.t.Failed() {
		s.t.Logf("ps -a:\n%s\nlogs:\n%s", s.berth("ps", "-a").stdout, s.berth("logs").stdout)
	}
	if r := s.berth("down", "-v", "-t", "1"); r.exit != 0 {
		s.t.Errorf("teardown down: %s", r.stderr)
	}
	if s.t.Failed() {
		if b, err := os.ReadFile(filepath.Join(s.root, "run", "daemon.log")); err == nil {
			s.t.Logf("daemon log:\n%s", b)
		}
	}
	if pid := s.daemonPid(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		s.eventually(10*time.Second, "daemon exits", func() bool { return syscall.Kill(pid, 0) != nil })
	}
}

// eventually polls cond until it holds or the deadline passes.
func (s *stack) eventually(limit time.Duration, what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fetch GETs url from inside the namespace: the client's sockets are
// made there.
func (s *stack) fetch(url string) (string, bool) {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return inNetns(s.netns, func() (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			})
		},
		DisableKeepAlives: true,
	}}
	resp, err := client.Get(url)
	if err != nil {
		s.t.Logf("fetch %s: %v", url, err)
		return "", false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Logf("fetch %s: %s: %s", url, resp.Status, body)
	}
	return string(body), err == nil && resp.StatusCode == http.StatusOK
}

// containers is `ps -a --format json`.
func (s *stack) containers() []psRow {
	s.t.Helper()
	out := s.mustBerth("ps", "-a", "--format", "json")
	var rows []psRow
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r psRow
		if err := dec.Decode(&r); err != nil {
			s.t.Fatalf("ps json: %v\n%s", err, out)
		}
		rows = append(rows, r)
	}
	return rows
}

type psRow struct {
	ID, Name, Service, State, Status, Health string
	ExitCode                                 int
}

func (s *stack) container(name string) psRow {
	s.t.Helper()
	for _, r := range s.containers() {
		if r.Name == name {
			return r
		}
	}
	s.t.Fatalf("no container %s", name)
	return psRow{}
}

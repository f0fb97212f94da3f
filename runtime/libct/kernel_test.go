package libct_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/roottest"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
	"github.com/berth-dev/berth/runtime/runtimetest"
)

const hang = 60 * time.Second

var seq atomic.Int64

func config(t *testing.T, args ...string) *runtime.ContainerConfig {
	return &runtime.ContainerConfig{
		ID:        fmt.Sprintf("libct-%d-%d", os.Getpid(), seq.Add(1)),
		LowerDirs: runtimetest.BusyboxImage(t),
		Process: runtime.Process{
			Args: args, Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, Cwd: "/",
		},
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), hang)
	t.Cleanup(cancel)
	return c
}

// runToExit creates, starts and waits for cfg on a fresh runtime, and
// returns its exit and its log (stream-prefixed lines).
func runToExit(t *testing.T, cfg *runtime.ContainerConfig) (runtime.ExitStatus, string) {
	t.Helper()
	rt := newRuntime(t)
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	st, err := rt.Wait(ctx(t), cfg.ID)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return st, logText(t, rt, cfg.ID)
}

func mustCreate(t *testing.T, rt runtime.Runtime, cfg *runtime.ContainerConfig) {
	t.Helper()
	if _, err := rt.Create(ctx(t), cfg); err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		_ = rt.Stop(c, cfg.ID, syscall.SIGKILL, 0)
		if err := rt.Remove(c, cfg.ID); err != nil && !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("cleanup: %v", err)
		}
	})
}

func logText(t *testing.T, rt runtime.Runtime, id string) string {
	t.Helper()
	var b strings.Builder
	err := rt.Logs(ctx(t), id, runtime.LogOptions{Tail: -1}, func(e runtime.LogEntry) error {
		b.WriteString(e.Stream + ": " + string(e.Line))
		return nil
	})
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	return b.String()
}

func TestMemoryLimitOOMKills(t *testing.T) {
	cfg := config(t, "tail", "/dev/zero") // /dev/zero has no newline: tail buffers all of it
	cfg.Resources.Memory = 16 << 20
	cfg.Resources.MemorySwap = 16 << 20
	st, _ := runToExit(t, cfg)
	if st.Code != 137 || !st.OOMKilled {
		t.Fatalf("exit = %+v, want 137 and OOMKilled", st)
	}
}

func TestPidsLimitRefusesForks(t *testing.T) {
	cfg := config(t, "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo all forked")
	cfg.Resources.PidsLimit = 4
	st, logs := runToExit(t, cfg)
	if strings.Contains(logs, "all forked") || !strings.Contains(logs, "can't fork") {
		t.Fatalf("exit %d, log %q: want a refused fork", st.Code, logs)
	}
}

func TestReadOnlyRootfsRefusesWrites(t *testing.T) {
	cfg := config(t, "sh", "-c", "touch /file")
	cfg.ReadOnly = true
	st, logs := runToExit(t, cfg)
	if st.Code == 0 || !strings.Contains(logs, "Read-only file system") {
		t.Fatalf("exit %d, log %q: want a refused write", st.Code, logs)
	}
}

func TestDefaults(t *testing.T) {
	cfg := config(t, "sh", "-c", strings.Join([]string{
		"grep -E '^(CapBnd|Seccomp|NoNewPrivs):' /proc/self/status",
		"hostname",
		"df -k /dev/shm | tail -n 1 | awk '{print \"shm \" $2}'",
		"touch /sys/x 2>&1 | sed 's/.*: /sys: /'",
		"test -c /proc/timer_list && echo timer_list masked",
		"(echo x > /proc/sys/kernel/domainname) 2>&1 | sed 's/.*: /procsys: /'",
		"ls /dev | tr '\\n' ' '",
	}, "; "))
	cfg.Hostname = "web"
	cfg.NoNewPrivileges = true
	_, logs := runToExit(t, cfg)
	filter := map[bool]string{true: "Seccomp:\t2", false: "Seccomp:\t0"}[seccompBuilt]
	for _, want := range []string{
		"CapBnd:\t00000000a80425fb", // Docker's default set
		filter,                      // Docker's profile, if built with it
		"NoNewPrivs:\t1",
		"stdout: web\n",
		"shm 65536",
		"sys: Read-only file system",
		"procsys: Read-only file system",
		"timer_list masked",
		"fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestSurvivesItsCreatorAndIsReadopted(t *testing.T) {
	roottest.Require(t)
	root := t.TempDir()
	cfg := config(t, "sh", "-c", "echo up; exec sleep 1000")
	spawnElsewhere(t, root, cfg, false)
	rt, err := libct.New(root, libct.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = rt.Stop(context.Background(), cfg.ID, syscall.SIGKILL, 0)
		_ = rt.Remove(context.Background(), cfg.ID)
	})
	c, err := rt.Inspect(ctx(t), cfg.ID)
	if err != nil || c.Status != runtime.StatusRunning || syscall.Kill(c.Pid, 0) != nil {
		t.Fatalf("Inspect from a fresh runtime = %+v, %v; want running with a live pid", c, err)
	}
	var out bytes.Buffer
	if code, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{Args: []string{"echo", "exec works"}, Stdout: &out}); code != 0 || err != nil || out.String() != "exec works\n" {
		t.Errorf("Exec = %d, %v, %q", code, err, out.String())
	}
	if logs := logText(t, rt, cfg.ID); !strings.Contains(logs, "stdout: up\n") {
		t.Errorf("logs = %q, want the line written before the creator died", logs)
	}
	if err := rt.Stop(ctx(t), cfg.ID, nil, 100*time.Millisecond); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if st, err := rt.Wait(ctx(t), cfg.ID); err != nil || st.Code != 137 {
		t.Fatalf("Wait = %+v, %v; want 137", st, err)
	}
	assertRemoveLeavesNothing(t, rt, root, cfg.ID)
}

func TestStartFromAnotherProcessThanCreate(t *testing.T) {
	roottest.Require(t)
	root := t.TempDir()
	cfg := config(t, "sh", "-c", "echo started; exit 9")
	spawnElsewhere(t, root, cfg, true)
	rt := newRuntimeAt(t, root)
	t.Cleanup(func() { _ = rt.Remove(context.Background(), cfg.ID) })
	if c, err := rt.Inspect(ctx(t), cfg.ID); err != nil || c.Status != runtime.StatusCreated {
		t.Fatalf("Inspect = %+v, %v; want created", c, err)
	}
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if st, err := rt.Wait(ctx(t), cfg.ID); err != nil || st.Code != 9 {
		t.Fatalf("Wait = %+v, %v; want 9", st, err)
	}
	if logs := logText(t, rt, cfg.ID); logs != "stdout: started\n" {
		t.Errorf("logs = %q", logs)
	}
}

func TestExecStdinAndFollowLogs(t *testing.T) {
	rt := newRuntime(t)
	cfg := config(t, "sh", "-c", "echo first; read line")
	cfg.Process.OpenStdin = true
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{Args: []string{"cat"}, Stdin: strings.NewReader("piped\n"), Stdout: &out})
	if err != nil || code != 0 || out.String() != "piped\n" {
		t.Errorf("Exec cat = %d, %v, %q; want the piped input back", code, err, out.String())
	}
	// Follow a running container: "first" comes at once, and the stream
	// ends when the container exits.
	lines := make(chan string, 4)
	done := make(chan error, 1)
	go func() {
		done <- rt.Logs(ctx(t), cfg.ID, runtime.LogOptions{Tail: -1, Follow: true}, func(e runtime.LogEntry) error {
			lines <- string(e.Line)
			return nil
		})
	}()
	if l := <-lines; l != "first\n" {
		t.Fatalf("first followed line = %q", l)
	}
	// The container waits on its stdin, which the shim holds open: only
	// a kill ends it.
	if err := rt.Kill(ctx(t), cfg.ID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Logs follow: %v", err)
	}
}

package libct_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

func TestExecWithTTY(t *testing.T) {
	rt := newRuntime(t)
	cfg := config(t, "sleep", "1000")
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	var out bytes.Buffer
	code, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{
		Args: []string{"sh", "-c", "tty; echo to-stderr >&2; exit 4"}, TTY: true, Stdout: &out,
	})
	if err != nil || code != 4 {
		t.Fatalf("Exec = %d, %v; want 4", code, err)
	}
	// A terminal turns "\n" into "\r\n" and merges stderr into it.
	if got := out.String(); got != "/dev/pts/0\r\nto-stderr\r\n" {
		t.Errorf("tty output = %q", got)
	}
}

func TestContainerWithTTYLogsToStdout(t *testing.T) {
	cfg := config(t, "sh", "-c", "tty; echo err >&2")
	cfg.Process.TTY = true
	st, logs := runToExit(t, cfg)
	if st.Code != 0 || !strings.Contains(logs, "stdout: /dev/pts/0\r\n") || !strings.Contains(logs, "stdout: err\r\n") {
		t.Fatalf("exit %d, log %q: want the terminal's output as stdout", st.Code, logs)
	}
}

func TestLogRotation(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	cfg := config(t, "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done")
	cfg.Log = runtime.LogConfig{MaxSize: 2000, MaxFiles: 3}
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := rt.Wait(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "containers", cfg.ID, cfg.ID+"-json.log*"))
	if len(files) != 3 {
		t.Errorf("log files = %q, want 3", files)
	}
	logs := logText(t, rt, cfg.ID)
	if !strings.HasSuffix(logs, "stdout: line-199\n") || strings.Contains(logs, "line-0\n") {
		t.Errorf("logs should end with line-199 and have lost the oldest lines; got %d bytes", len(logs))
	}
}

func TestSysctlAndUlimit(t *testing.T) {
	cfg := config(t, "sh", "-c", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start; ulimit -n")
	cfg.Sysctls = map[string]string{"net.ipv4.ip_unprivileged_port_start": "80"}
	cfg.Rlimits = []runtime.Rlimit{{Type: "nofile", Soft: 333, Hard: 444}}
	_, logs := runToExit(t, cfg)
	if logs != "stdout: 80\nstdout: 333\n" {
		t.Fatalf("log = %q, want the sysctl and the soft nofile limit", logs)
	}
}

func TestInitReapsAsPID1(t *testing.T) {
	// The orphaned sleep is reparented to PID 1, which must reap it.
	cfg := config(t, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; (sleep 0.1 &); sleep 0.5; "+
		"echo zombies: $(cat /proc/[0-9]*/stat | awk '$3 == \"Z\"' | wc -l); exit 6")
	cfg.Init = true
	rt := newRuntime(t)
	_, err := rt.Create(ctx(t), cfg)
	if !static(t) {
		if err == nil || !strings.Contains(err.Error(), "dynamically linked") {
			t.Fatalf("Create with init from a dynamic binary = %v, want a refusal", err)
		}
		t.Skip("test binary is dynamically linked; build it static to run berth-init")
	}
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = rt.Remove(ctx(t), cfg.ID) })
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	st, err := rt.Wait(ctx(t), cfg.ID)
	if err != nil || st.Code != 6 {
		t.Fatalf("Wait = %+v, %v; want 6", st, err)
	}
	want := "stdout: /sbin/berth-init -- sh -c " + cfg.Process.Args[2] + " \nstdout: zombies: 0\n"
	if logs := logText(t, rt, cfg.ID); logs != want {
		t.Errorf("log = %q, want %q", logs, want)
	}
}

func static(t *testing.T) bool {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

func TestOpenStdinIsAPipeElseDevNull(t *testing.T) {
	for open, want := range map[bool]string{true: "stdout: pipe:", false: "stdout: /dev/null\n"} {
		cfg := config(t, "readlink", "/proc/self/fd/0")
		cfg.Process.OpenStdin = open
		if _, logs := runToExit(t, cfg); !strings.HasPrefix(logs, want) {
			t.Errorf("open stdin %v: log = %q, want %q", open, logs, want)
		}
	}
}

func TestLostMonitorKillsAndRecords255(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	cfg := config(t, "sleep", "1000")
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatal(err)
	}
	c, err := rt.Inspect(ctx(t), cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	shimPid := readPid(t, filepath.Join(root, "containers", cfg.ID, "shim.pid"))
	if err := syscall.Kill(shimPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st, err := rt.Wait(ctx(t), cfg.ID)
	if err != nil || st.Code != 255 {
		t.Fatalf("Wait = %+v, %v; want 255 for a lost monitor", st, err)
	}
	// Dead: gone, or a zombie (this machine's PID 1 may not reap).
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.Pid)); err == nil && !strings.Contains(string(stat), ") Z ") {
		t.Errorf("init %d still runs without its monitor: %s", c.Pid, stat)
	}
	if got, _ := rt.Inspect(ctx(t), cfg.ID); got == nil || got.Status != runtime.StatusExited {
		t.Errorf("Inspect = %+v, want exited", got)
	}
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestProcessStartsWithNoSignalIgnored(t *testing.T) {
	// As under nohup or in a shell's background job: the runtime's caller
	// ignores hang-ups and Ctrl-C, and the shim it starts inherits that.
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT)
	defer signal.Reset(syscall.SIGHUP, syscall.SIGINT)
	rt := newRuntime(t)
	cfg := config(t, "sh", "-c", "grep SigIgn /proc/self/status; exec sleep 1000")
	mustCreate(t, rt, cfg)
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	// Docker's containers start with every signal at its default action,
	// so that a stop_signal of SIGINT or SIGHUP ends a process that never
	// handles it; so do the processes exec runs.
	const none = "SigIgn:\t0000000000000000\n"
	var out bytes.Buffer
	code, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{Args: []string{"grep", "SigIgn", "/proc/self/status"}, Stdout: &out})
	if code != 0 || err != nil || out.String() != none {
		t.Errorf("exec: %d, %v, %q; want no signal ignored", code, err, out.String())
	}
	// The container's own line is logged by the time exec is done, or soon.
	for range 100 {
		if logText(t, rt, cfg.ID) != "" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if logs := logText(t, rt, cfg.ID); logs != "stdout: "+none {
		t.Errorf("log = %q, want no signal ignored", logs)
	}
}

package libct_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/runtime"
)

// nsLinks is what a container prints about its namespaces.
const nsLinks = "for ns in net ipc pid; do readlink /proc/self/ns/$ns; done"

func TestNamespaceSharing(t *testing.T) {
	rt := newRuntime(t)
	owner := config(t, "sleep", "1000")
	mustCreate(t, rt, owner)
	c, err := rt.Inspect(ctx(t), owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	hostNet, _ := os.Readlink("/proc/self/ns/net")
	if link, _ := os.Readlink(c.NetNSPath); link == "" || link == hostNet {
		t.Fatalf("created container's netns %q = %q, want its own (host %q)", c.NetNSPath, link, hostNet)
	}
	proc := "/proc/" + strconv.Itoa(c.Pid) + "/ns/"
	joiner := config(t, "sh", "-c", nsLinks)
	joiner.NetNSPath, joiner.IPCMode, joiner.PIDMode = c.NetNSPath, proc+"ipc", proc+"pid"
	_, logs := runToExit(t, joiner)
	want := ""
	for _, ns := range []string{"net", "ipc", "pid"} {
		link, _ := os.Readlink(proc + ns)
		want += "stdout: " + link + "\n"
	}
	if logs != want {
		t.Errorf("joined namespaces = %q, want the owner's %q", logs, want)
	}
}

func TestHostNetwork(t *testing.T) {
	rt := newRuntime(t)
	cfg := config(t, "readlink", "/proc/self/ns/net")
	cfg.NetNSPath = "host"
	mustCreate(t, rt, cfg)
	c, err := rt.Inspect(ctx(t), cfg.ID)
	if err != nil || c.NetNSPath != "" {
		t.Fatalf("Inspect = %+v, %v; want no netns path to attach to", c, err)
	}
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Wait(ctx(t), cfg.ID); err != nil {
		t.Fatal(err)
	}
	hostNet, _ := os.Readlink("/proc/self/ns/net")
	if logs := logText(t, rt, cfg.ID); logs != "stdout: "+hostNet+"\n" {
		t.Errorf("log = %q, want the host's %q", logs, hostNet)
	}
}

func TestDevicesOOMScoreDomainname(t *testing.T) {
	adj := 500
	cfg := config(t, "sh", "-c", "echo x > /dev/mynull && echo device ok; cat /proc/self/oom_score_adj /proc/sys/kernel/domainname")
	cfg.Devices = []runtime.Device{{HostPath: "/dev/null", ContainerPath: "/dev/mynull", Permissions: "rw"}}
	cfg.OOMScoreAdj = &adj
	cfg.Domainname = "example.test"
	if _, logs := runToExit(t, cfg); logs != "stdout: device ok\nstdout: 500\nstdout: example.test\n" {
		t.Errorf("log = %q", logs)
	}
}

func TestPrivileged(t *testing.T) {
	cfg := config(t, "sh", "-c", "grep -E '^(CapBnd|Seccomp):' /proc/self/status; awk '$2 == \"/sys\" {print \"sys \" substr($4, 1, 2)}' /proc/mounts; test -c /dev/kmsg && echo host devices")
	cfg.Privileged = true
	_, logs := runToExit(t, cfg)
	for _, want := range []string{"Seccomp:\t0", "sys rw", "host devices"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "CapBnd:\t00000000a80425fb") {
		t.Errorf("privileged container has the default capabilities:\n%s", logs)
	}
}

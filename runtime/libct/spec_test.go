package libct

import (
	"errors"
	"slices"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

func baseConfig() *runtime.ContainerConfig {
	return &runtime.ContainerConfig{
		ID:      "0123456789abcdef",
		Process: runtime.Process{Args: []string{"sh"}, Env: []string{"A=1"}},
	}
}

func mustSpec(t *testing.T, cfg *runtime.ContainerConfig) *specs.Spec {
	t.Helper()
	s, err := buildSpec(cfg, "/rootfs")
	if err != nil {
		t.Fatalf("buildSpec: %v", err)
	}
	return s
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		add, drop   []string
		privileged  bool
		has, hasNot []string
	}{
		{name: "docker defaults", has: []string{"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"}, hasNot: []string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}},
		{name: "add and drop", add: []string{"net_admin"}, drop: []string{"CAP_CHOWN"}, has: []string{"CAP_NET_ADMIN"}, hasNot: []string{"CAP_CHOWN"}},
		{name: "drop all add one", add: []string{"KILL"}, drop: []string{"ALL"}, hasNot: []string{"CAP_KILL", "CAP_CHOWN"}},
		{name: "add all", add: []string{"ALL"}, has: []string{"CAP_SYS_ADMIN", "CAP_BPF"}},
		{name: "privileged", privileged: true, has: []string{"CAP_SYS_ADMIN", "CAP_SYS_MODULE"}},
	}
	for _, tc := range tests {
		cfg := baseConfig()
		cfg.CapAdd, cfg.CapDrop, cfg.Privileged = tc.add, tc.drop, tc.privileged
		caps := mustSpec(t, cfg).Process.Capabilities.Bounding
		for _, c := range tc.has {
			if !slices.Contains(caps, c) {
				t.Errorf("%s: %s missing from %v", tc.name, c, caps)
			}
		}
		for _, c := range tc.hasNot {
			if slices.Contains(caps, c) {
				t.Errorf("%s: %s present", tc.name, c)
			}
		}
	}
	cfg := baseConfig()
	cfg.CapAdd = []string{"CAP_NOPE"}
	if _, err := buildSpec(cfg, "/rootfs"); err == nil {
		t.Error("an unknown capability was accepted")
	}
}

func TestPrivilegedUnmasksAndAllowsDevices(t *testing.T) {
	t.Parallel()
	s := mustSpec(t, baseConfig())
	if len(s.Linux.MaskedPaths) == 0 || !slices.Contains(s.Linux.ReadonlyPaths, "/proc/sys") {
		t.Error("default container has no masked or read-only /proc paths")
	}
	if d := s.Linux.Resources.Devices; len(d) != 1 || d[0].Allow {
		t.Errorf("default device rules = %+v, want deny-all (libcontainer adds the defaults)", d)
	}
	cfg := baseConfig()
	cfg.Privileged = true
	s = mustSpec(t, cfg)
	if len(s.Linux.MaskedPaths)+len(s.Linux.ReadonlyPaths) != 0 {
		t.Error("privileged container has masked paths")
	}
	if d := s.Linux.Resources.Devices; len(d) != 1 || !d[0].Allow {
		t.Errorf("privileged device rules = %+v, want allow-all", d)
	}
	if slices.ContainsFunc(s.Mounts, func(m specs.Mount) bool { return m.Destination == "/sys" && slices.Contains(m.Options, "ro") }) {
		t.Error("privileged /sys is read-only")
	}
}

func TestNamespaces(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.NetNSPath, cfg.PIDMode, cfg.IPCMode = "host", "/proc/42/ns/pid", "shareable"
	got := map[specs.LinuxNamespaceType]string{}
	for _, ns := range mustSpec(t, cfg).Linux.Namespaces {
		got[ns.Type] = ns.Path
	}
	if _, ok := got[specs.NetworkNamespace]; ok {
		t.Error("host networking has a network namespace")
	}
	if got[specs.PIDNamespace] != "/proc/42/ns/pid" {
		t.Errorf("pid namespace = %q, want the joined path", got[specs.PIDNamespace])
	}
	if p, ok := got[specs.IPCNamespace]; !ok || p != "" {
		t.Errorf("shareable ipc = %q, %v; want a new namespace", p, ok)
	}
}

func TestSysctlsMustBeNamespaced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, net string
		ok       bool
	}{
		{"net.ipv4.ip_forward", "", true},
		{"net.ipv4.ip_forward", "host", false},
		{"kernel.shmmax", "", true},
		{"fs.mqueue.msg_max", "", true},
		{"kernel.domainname", "", false},
		{"vm.swappiness", "", false},
	}
	for _, tc := range tests {
		cfg := baseConfig()
		cfg.NetNSPath, cfg.Sysctls = tc.net, map[string]string{tc.key: "1"}
		_, err := buildSpec(cfg, "/rootfs")
		if (err == nil) != tc.ok {
			t.Errorf("sysctl %s (net %q): err = %v, want ok=%v", tc.key, tc.net, err, tc.ok)
		}
	}
}

func TestResources(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.Resources = runtime.Resources{NanoCPUs: 1_500_000_000, CPUShares: 512, CpusetCpus: "0-1", PidsLimit: 50, MemoryReservation: 1 << 20}
	r := mustSpec(t, cfg).Linux.Resources
	if *r.CPU.Quota != 150000 || *r.CPU.Period != 100000 || *r.CPU.Shares != 512 || r.CPU.Cpus != "0-1" {
		t.Errorf("cpu = quota %d period %d shares %d cpus %q", *r.CPU.Quota, *r.CPU.Period, *r.CPU.Shares, r.CPU.Cpus)
	}
	if *r.Pids.Limit != 50 || *r.Memory.Reservation != 1<<20 || r.Memory.Limit != nil {
		t.Errorf("pids %d, memory %+v", *r.Pids.Limit, r.Memory)
	}
}

func TestShmSizeHostnameRlimits(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.ShmSize = 1 << 30
	cfg.Rlimits = []runtime.Rlimit{{Type: "nofile", Soft: 1024, Hard: 2048}}
	s := mustSpec(t, cfg)
	if s.Hostname != "0123456789ab" {
		t.Errorf("hostname = %q, want the ID's first 12 characters", s.Hostname)
	}
	i := slices.IndexFunc(s.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/shm" })
	if i < 0 || !slices.Contains(s.Mounts[i].Options, "size=1073741824") {
		t.Errorf("/dev/shm mount = %+v, want size=1 GiB", s.Mounts)
	}
	if r := s.Process.Rlimits; len(r) != 1 || r[0].Type != "RLIMIT_NOFILE" || r[0].Hard != 2048 {
		t.Errorf("rlimits = %+v", r)
	}
	cfg.Rlimits = []runtime.Rlimit{{Type: "bogus"}}
	if _, err := buildSpec(cfg, "/rootfs"); err == nil {
		t.Error("an unknown ulimit was accepted")
	}
}

func TestCommandError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		code int
		want string
	}{
		{`start init: unable to start container process: exec: "foo": executable file not found in $PATH`, 127, `exec: "foo": executable file not found in $PATH`},
		{`exec: "/nope": stat /nope: no such file or directory`, 127, `exec: "/nope": stat /nope: no such file or directory`},
		{`exec: "/etc/passwd": permission denied`, 126, `exec: "/etc/passwd": permission denied`},
		{`cgroup: no space left on device`, 0, ""},
	}
	for _, tc := range tests {
		err := commandError(errors.New(tc.msg))
		var cmdErr *runtime.CommandError
		if !errors.As(err, &cmdErr) {
			if tc.code != 0 {
				t.Errorf("%q: no CommandError", tc.msg)
			}
			continue
		}
		if cmdErr.Code != tc.code || cmdErr.Error() != tc.want {
			t.Errorf("%q: got %d %q, want %d %q", tc.msg, cmdErr.Code, cmdErr.Error(), tc.code, tc.want)
		}
	}
}

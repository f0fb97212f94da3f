package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// invalidCase is a service that does not translate: the error must name
// the service and key, contain msg, and wrap ErrInvalid unless notInvalid
// (and is too when set).
type invalidCase struct {
	name       string
	yaml       string
	image      func(*runtime.ImageConfig)
	opts       func(*Options)
	key        string
	msg        string
	is         error
	notInvalid bool
}

var invalidCases = []invalidCase{
	{name: "unknown user", yaml: `user: foo`, key: "user",
		msg: "unable to find user foo: no matching entries in passwd file", is: ErrNoPasswdEntry},
	{name: "unknown user of the image", yaml: ``, image: func(img *runtime.ImageConfig) { img.User = "www-data" }, key: "user",
		msg: "unable to find user www-data", is: ErrNoPasswdEntry},
	{name: "user name in an image without passwd", yaml: `user: app`, opts: func(o *Options) { o.ReadFile = memFiles(nil) },
		key: "user", msg: "unable to find user app", is: ErrNoPasswdEntry},
	{name: "unknown group", yaml: `user: app:nosuch`, key: "user",
		msg: "unable to find group nosuch: no matching entries in group file", is: ErrNoGroupEntry},
	{name: "unknown group_add", yaml: `group_add: [audio, nosuch]`, key: "group_add",
		msg: "unable to find group nosuch", is: ErrNoGroupEntry},
	{name: "uid out of range", yaml: `user: "4294967296"`, key: "user", msg: "uids and gids must be in range 0-2147483647"},
	{name: "negative gid", yaml: `user: "1:-1"`, key: "user", msg: "must be in range"},
	{name: "no command", yaml: ``, image: func(img *runtime.ImageConfig) { img.Cmd = nil }, key: "command",
		msg: "no command specified"},
	{name: "empty entrypoint and no command", yaml: `entrypoint: []`, image: func(img *runtime.ImageConfig) { img.Cmd = nil },
		key: "command", msg: "no command specified"},
	{name: "relative working_dir", yaml: `working_dir: app`, key: "working_dir", msg: `"app" is not an absolute path`},
	{name: "relative working_dir of the image", yaml: ``, image: func(img *runtime.ImageConfig) { img.WorkingDir = "srv" },
		key: "working_dir", msg: "not an absolute path"},
	{name: "hostname with another container's network", yaml: "hostname: web\nnetwork_mode: service:db" + withDB,
		key: "hostname", msg: "conflicting options: hostname and the network mode"},
	{name: "hostname too long", yaml: "hostname: " + strings.Repeat("h", 65), key: "hostname", msg: "longer than 64 bytes"},
	{name: "pid mode", yaml: `pid: shared`, key: "pid", msg: `invalid mode "shared"`},
	{name: "ipc mode", yaml: `ipc: bogus`, key: "ipc", msg: `invalid mode "bogus"`},
	{name: "pid of a service without a resolver", yaml: `pid: service:db` + withDB, opts: func(o *Options) { o.Namespace = nil },
		key: "pid", msg: "no resolver", notInvalid: true},
	{name: "ipc of an unknown container", yaml: `ipc: container:nosuch`, key: "ipc", msg: `no container for "container:nosuch"`, notInvalid: true},
	{name: "network_mode naming nothing", yaml: `network_mode: "container:"`, key: "network_mode", msg: "names no service or container"},
	{name: "unknown capability", yaml: `cap_add: [NET_ADMIN, NET_FOO]`, key: "cap_add", msg: `unknown capability "NET_FOO"`},
	{name: "unknown capability dropped", yaml: `cap_drop: [CAP_EVERYTHING]`, key: "cap_drop", msg: `unknown capability "CAP_EVERYTHING"`},
	{name: "unknown security_opt", yaml: `security_opt: ["foo=bar"]`, key: "security_opt", msg: `unknown option "foo=bar"`},
	{name: "security_opt without value", yaml: `security_opt: ["seccomp"]`, key: "security_opt", msg: "want key=value"},
	{name: "no-new-privileges not a boolean", yaml: `security_opt: ["no-new-privileges=maybe"]`, key: "security_opt", msg: "want true or false"},
	{name: "relative seccomp profile without project", yaml: `security_opt: ["seccomp=p.json"]`, opts: func(o *Options) { o.ProjectDir = "" },
		key: "security_opt", msg: "no project directory"},
	{name: "empty seccomp profile", yaml: `security_opt: ["seccomp="]`, key: "security_opt", msg: "seccomp needs a profile"},
	{name: "host sysctl", yaml: "sysctls:\n  vm.swappiness: 10", key: "sysctls", msg: `"vm.swappiness" is not in a separate kernel namespace`},
	{name: "kernel.hostname sysctl", yaml: "sysctls:\n  kernel.hostname: x", key: "sysctls", msg: "not in a separate kernel namespace"},
	{name: "IPC sysctl outside the IPC list", yaml: "sysctls:\n  kernel.shm_next_id: 1", key: "sysctls", msg: "not in a separate kernel namespace"},
	{name: "net sysctl on the host network", yaml: "network_mode: host\nsysctls:\n  net.core.somaxconn: 1024", key: "sysctls",
		msg: "host's network namespace"},
	{name: "IPC sysctl in the host IPC namespace", yaml: "ipc: host\nsysctls:\n  kernel.msgmax: 1024", key: "sysctls",
		msg: "host's IPC namespace"},
	{name: "relative tmpfs", yaml: `tmpfs: [run]`, key: "tmpfs", msg: "must be an absolute path"},
	{name: "tmpfs on /", yaml: `tmpfs: ["/"]`, key: "tmpfs", msg: "other than /"},
	{name: "tmpfs unknown option", yaml: `tmpfs: ["/run:bind"]`, key: "tmpfs", msg: `invalid tmpfs option "bind"`},
	{name: "tmpfs bad size", yaml: `tmpfs: ["/run:size=big"]`, key: "tmpfs", msg: `invalid tmpfs option "size=big"`},
	{name: "tmpfs bad mode", yaml: `tmpfs: ["/run:mode=999"]`, key: "tmpfs", msg: `invalid tmpfs option "mode=999"`},
	{name: "tmpfs twice", yaml: `tmpfs: ["/run", "/run/"]`, key: "tmpfs", msg: `duplicate mount point "/run"`},
	{name: "device permissions", yaml: `devices: ["/dev/fuse:/dev/fuse:rwx"]`, key: "devices", msg: `invalid permissions "rwx"`},
	{name: "device permissions repeated", yaml: `devices: ["/dev/fuse:/dev/fuse:rr"]`, key: "devices", msg: `invalid permissions "rr"`},
	{name: "relative device", yaml: `devices: ["dev/fuse"]`, key: "devices", msg: "must be absolute"},
	{name: "unknown ulimit", yaml: "ulimits:\n  nofiles: 10", key: "ulimits", msg: `unknown limit "nofiles"`},
	{name: "ulimit soft above hard", yaml: "ulimits:\n  nofile: {soft: 2048, hard: 1024}", key: "ulimits",
		msg: "soft limit 2048 is above hard limit 1024"},
	{name: "ulimit soft unlimited above hard", yaml: "ulimits:\n  core: {soft: -1, hard: 0}", key: "ulimits", msg: "soft limit -1 is above"},
	{name: "ulimit below -1", yaml: "ulimits:\n  nproc: -2", key: "ulimits", msg: "want -1 (unlimited)"},
	{name: "unknown stop_signal", yaml: `stop_signal: SIGFOO`, key: "stop_signal", msg: `invalid signal "SIGFOO"`},
	{name: "stop_signal number out of range", yaml: `stop_signal: "65"`, key: "stop_signal", msg: `invalid signal "65"`},
	{name: "stop_signal RTMIN beyond RTMAX", yaml: `stop_signal: RTMIN+31`, key: "stop_signal", msg: `invalid signal`},
	{name: "unknown STOPSIGNAL of the image", yaml: ``, image: func(img *runtime.ImageConfig) { img.StopSignal = "BOGUS" },
		key: `stop_signal (STOPSIGNAL of image "docker.io/library/busybox:latest")`, msg: `invalid signal "BOGUS"`},
	{name: "negative stop_grace_period", yaml: `stop_grace_period: -5s`, key: "stop_grace_period", msg: "must not be negative"},
	{name: "logging max-size not a size", yaml: "logging:\n  options: {max-size: ten}", key: "logging", msg: `max-size "ten"`},
	{name: "logging max-size negative", yaml: "logging:\n  options: {max-size: \"-1\"}", key: "logging", msg: `max-size "-1"`},
	{name: "logging max-file zero", yaml: "logging:\n  options: {max-file: \"0\"}", key: "logging", msg: "at least 1"},
	{name: "logging unknown json-file option", yaml: "logging:\n  options: {syslog-address: x}", key: "logging",
		msg: `unknown option "syslog-address" for the json-file driver`},
	{name: "logging local with a json-file option", yaml: "logging:\n  driver: local\n  options: {tag: x}", key: "logging",
		msg: `unknown option "tag" for the local driver`},
	{name: "memory below 6MB", yaml: `mem_limit: 1m`, key: "mem_limit", msg: "below the minimum of 6MB"},
	{name: "negative memory", yaml: `mem_limit: -1`, key: "mem_limit", msg: "must not be negative"},
	{name: "deploy memory below 6MB", yaml: "deploy:\n  resources:\n    limits: {memory: 4m}", key: "deploy.resources.limits.memory",
		msg: "below the minimum"},
	{name: "memswap below memory", yaml: "mem_limit: 200m\nmemswap_limit: 100m", key: "memswap_limit",
		msg: "below the memory limit mem_limit"},
	{name: "memswap below deploy memory", yaml: "memswap_limit: 100m\ndeploy:\n  resources:\n    limits: {memory: 200m}", key: "memswap_limit",
		msg: "below the memory limit deploy.resources.limits.memory"},
	{name: "memswap without memory", yaml: `memswap_limit: 1g`, key: "memswap_limit", msg: "needs a memory limit"},
	{name: "memswap below -1", yaml: "mem_limit: 100m\nmemswap_limit: -2", key: "memswap_limit", msg: "want -1 (unlimited)"},
	{name: "reservation above limit", yaml: "mem_limit: 100m\nmem_reservation: 200m", key: "mem_reservation", msg: "above the memory limit"},
	{name: "deploy reservation above deploy limit", yaml: "deploy:\n  resources:\n    limits: {memory: 100m}\n    reservations: {memory: 200m}",
		key: "deploy.resources.reservations.memory", msg: "above the memory limit deploy.resources.limits.memory"},
	{name: "negative reservation", yaml: `mem_reservation: -1`, key: "mem_reservation", msg: "must not be negative"},
	{name: "negative cpus", yaml: `cpus: -1`, key: "cpus", msg: "must not be negative"},
	{name: "cpus too small", yaml: "deploy:\n  resources:\n    limits: {cpus: \"0.001\"}", key: "deploy.resources.limits.cpus",
		msg: "the range of CPUs is from 0.01"},
	{name: "cpus above the host's", yaml: `cpus: 4`, opts: func(o *Options) { o.HostCPUs = 2 }, key: "cpus", msg: "from 0.01 to 2"},
	{name: "negative cpu_shares", yaml: `cpu_shares: -5`, key: "cpu_shares", msg: "must not be negative"},
	{name: "cpuset syntax", yaml: `cpuset: "0-"`, key: "cpuset", msg: "want a list of CPU numbers"},
	{name: "cpuset backwards", yaml: `cpuset: "0,3-1"`, key: "cpuset", msg: "range 3-1 is backwards"},
	{name: "pids_limit below -1", yaml: `pids_limit: -5`, key: "pids_limit", msg: "want -1 (unlimited)"},
	{name: "negative shm_size", yaml: `shm_size: -1`, key: "shm_size", msg: "must not be negative"},
}

func TestFromServiceInvalid(t *testing.T) {
	t.Parallel()
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, _, err := translate(t, tc.yaml, tc.image, tc.opts)
			if err == nil {
				t.Fatalf("FromService succeeded with %+v, want an error", cfg)
			}
			prefix := `service "app": ` + tc.key + ": "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q: want it to start with %q and contain %q", err, prefix, tc.msg)
			}
			if errors.Is(err, ErrInvalid) == tc.notInvalid {
				t.Errorf("errors.Is(%q, ErrInvalid) = %v, want %v", err, !tc.notInvalid, !tc.notInvalid)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%q, %v) = false", err, tc.is)
			}
		})
	}
}

// TestFromServiceReadError: a failure to read the image's files (not a
// missing file) is an error naming the service and the file, not an
// invalid value.
func TestFromServiceReadError(t *testing.T) {
	t.Parallel()
	broken := errors.New("input/output error")
	_, _, err := translate(t, ``, nil, func(o *Options) {
		o.ReadFile = func(string) ([]byte, error) { return nil, broken }
	})
	if !errors.Is(err, broken) || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `service "app": read /etc/passwd`) {
		t.Errorf("got %v, want the read error of /etc/passwd for service app", err)
	}
}

// TestFromServiceInvalidBuilt covers values compose-go's schema refuses
// in a file but a ServiceConfig built in code may hold.
func TestFromServiceInvalidBuilt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec types.ContainerSpec
		msg  string
	}{
		{name: "oom_score_adj above 1000", spec: types.ContainerSpec{OomScoreAdj: 1001}, msg: `service "app": oom_score_adj: invalid value: 1001 is outside the range [-1000, 1000]`},
		{name: "oom_score_adj below -1000", spec: types.ContainerSpec{OomScoreAdj: -1001}, msg: `service "app": oom_score_adj: invalid value: -1001`},
		{name: "ulimit without value", spec: types.ContainerSpec{Ulimits: map[string]*types.UlimitsConfig{"nofile": nil}}, msg: `service "app": ulimits: invalid value: nofile has no value`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := types.ServiceConfig{Name: "app", ContainerSpec: tc.spec}
			_, _, err := FromService(svc, testImage(), testOptions())
			if err == nil || !strings.HasPrefix(err.Error(), tc.msg) || !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want an invalid value error starting %q", err, tc.msg)
			}
		})
	}
}

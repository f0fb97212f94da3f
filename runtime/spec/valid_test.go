package spec

import (
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// validCase is a service that translates: want changes the baseline into
// the expected config, warn lists the keys warned about.
type validCase struct {
	name  string
	yaml  string // the body of the service "app", which has image: busybox
	image func(*runtime.ImageConfig)
	opts  func(*Options)
	want  func(*runtime.ContainerConfig)
	warn  []string
}

// env is the baseline environment with extra entries before HOME=/root.
func env(extra ...string) []string {
	e := []string{"PATH=" + defaultPath, "HOSTNAME=0123456789ab"}
	return append(append(e, extra...), "HOME=/root")
}

// withDB adds a service "db" to the compose file, for references to it.
const withDB = "\n---top\n  db:\n    image: postgres\n"

func nginxImage(img *runtime.ImageConfig) {
	img.Entrypoint = []string{"/docker-entrypoint.sh"}
	img.Cmd = []string{"nginx", "-g", "daemon off;"}
}

var processCases = []validCase{
	{name: "image defaults", yaml: ``, want: func(c *runtime.ContainerConfig) {}},
	{name: "command replaces the image's, split like a shell", yaml: `command: echo "hello world"`,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"echo", "hello world"} }},
	{name: "command in exec form", yaml: `command: ["printf", "%s\n", "a b"]`,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"printf", "%s\n", "a b"} }},
	{name: "command keeps the image's entrypoint", yaml: `command: nginx -T`, image: nginxImage,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"/docker-entrypoint.sh", "nginx", "-T"} }},
	{name: "entrypoint drops the image's command", yaml: `entrypoint: /bin/true`, image: nginxImage,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"/bin/true"} }},
	{name: "entrypoint and command", yaml: "entrypoint: [\"/bin/sh\", \"-c\"]\ncommand: [\"echo $$HOME\"]", image: nginxImage,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"/bin/sh", "-c", "echo $HOME"} }},
	{name: "empty entrypoint list keeps the image's command", yaml: `entrypoint: []`, image: nginxImage,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"nginx", "-g", "daemon off;"} }},
	{name: "empty entrypoint string keeps the image's command", yaml: `entrypoint: ""`, image: nginxImage,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"nginx", "-g", "daemon off;"} }},
	{name: "empty command keeps the image's, as Docker does", yaml: `command: []`, image: nginxImage,
		want: func(c *runtime.ContainerConfig) {
			c.Process.Args = []string{"/docker-entrypoint.sh", "nginx", "-g", "daemon off;"}
		}},
	{name: "empty entrypoint and a command", yaml: "entrypoint: []\ncommand: [\"id\"]", image: nginxImage,
		want: func(c *runtime.ContainerConfig) { c.Process.Args = []string{"id"} }},
	{name: "environment sorted after PATH and HOSTNAME", yaml: "environment:\n  B: \"2\"\n  A: \"1\"",
		want: func(c *runtime.ContainerConfig) { c.Process.Env = env("A=1", "B=2") }},
	{name: "environment overrides the image's, in place", yaml: "environment:\n  - LANG=C.UTF-8",
		image: func(img *runtime.ImageConfig) { img.Env = []string{"PATH=/opt/bin:/bin", "LANG=C", "KEEP=1"} },
		want: func(c *runtime.ContainerConfig) {
			c.Process.Env = []string{"PATH=/opt/bin:/bin", "HOSTNAME=0123456789ab", "LANG=C.UTF-8", "KEEP=1", "HOME=/root"}
		}},
	{name: "default PATH when the image has none", yaml: ``,
		image: func(img *runtime.ImageConfig) { img.Env = []string{"LANG=C"} },
		want:  func(c *runtime.ContainerConfig) { c.Process.Env = env("LANG=C") }},
	{name: "a variable without value unsets the image's; one from the host resolves", yaml: "environment:\n  - SECRET\n  - FROM_HOST\n  - EMPTY=",
		image: func(img *runtime.ImageConfig) { img.Env = []string{"SECRET=from-image", "OTHER=1"} },
		want:  func(c *runtime.ContainerConfig) { c.Process.Env = env("EMPTY=", "FROM_HOST=host-value", "OTHER=1") }},
	{name: "environment overrides HOSTNAME and HOME", yaml: "environment:\n  HOSTNAME: custom\n  HOME: /data",
		want: func(c *runtime.ContainerConfig) {
			c.Process.Env = []string{"PATH=" + defaultPath, "HOSTNAME=custom", "HOME=/data"}
		}},
	{name: "tty and stdin_open; TERM with a terminal", yaml: "tty: true\nstdin_open: true",
		want: func(c *runtime.ContainerConfig) {
			c.Process.TTY, c.Process.OpenStdin = true, true
			c.Process.Env = env("TERM=xterm")
		}},
	{name: "working_dir cleaned", yaml: `working_dir: /app/./src/`,
		want: func(c *runtime.ContainerConfig) { c.Process.Cwd = "/app/src" }},
	{name: "working_dir from the image", yaml: ``,
		image: func(img *runtime.ImageConfig) { img.WorkingDir = "/srv" },
		want:  func(c *runtime.ContainerConfig) { c.Process.Cwd = "/srv" }},
	{name: "hostname and domainname", yaml: "hostname: web\ndomainname: example.com",
		want: func(c *runtime.ContainerConfig) {
			c.Hostname, c.Domainname = "web", "example.com"
			c.Process.Env = []string{"PATH=" + defaultPath, "HOSTNAME=web", "HOME=/root"}
		}},
	{name: "hostname from Options with network_mode host", yaml: `network_mode: host`,
		opts: func(o *Options) { o.Hostname = "buildhost" },
		want: func(c *runtime.ContainerConfig) {
			c.Hostname, c.NetNSPath = "buildhost", "host"
			c.Process.Env = []string{"PATH=" + defaultPath, "HOSTNAME=buildhost", "HOME=/root"}
		}},
}

// user sets the expected ids and the HOME the environment ends with.
func user(c *runtime.ContainerConfig, uid, gid uint32, gids []uint32, home string) {
	c.Process.UID, c.Process.GID, c.Process.AdditionalGIDs = uid, gid, gids
	c.Process.Env[len(c.Process.Env)-1] = "HOME=" + home
}

var userCases = []validCase{
	{name: "user by name gets its groups and home", yaml: `user: app`,
		want: func(c *runtime.ContainerConfig) { user(c, 1000, 1000, []uint32{1000, 10, 29}, "/home/app") }},
	{name: "user by listed uid", yaml: `user: "1000"`,
		want: func(c *runtime.ContainerConfig) { user(c, 1000, 1000, []uint32{1000, 10, 29}, "/home/app") }},
	{name: "user by unlisted uid", yaml: `user: "4321"`,
		want: func(c *runtime.ContainerConfig) { user(c, 4321, 0, []uint32{0}, "/") }},
	{name: "user:group by names drops the implicit groups", yaml: `user: app:staff`,
		want: func(c *runtime.ContainerConfig) { user(c, 1000, 50, []uint32{50}, "/home/app") }},
	{name: "uid:gid unlisted", yaml: `user: "1234:5678"`,
		want: func(c *runtime.ContainerConfig) { user(c, 1234, 5678, []uint32{5678}, "/") }},
	{name: "user from the image", yaml: ``,
		image: func(img *runtime.ImageConfig) { img.User = "daemon" },
		want:  func(c *runtime.ContainerConfig) { user(c, 1, 1, []uint32{1, 10}, "/usr/sbin") }},
	{name: "service user overrides the image's", yaml: `user: nobody`,
		image: func(img *runtime.ImageConfig) { img.User = "daemon" },
		want:  func(c *runtime.ContainerConfig) { user(c, 65534, 65534, []uint32{65534}, "/nonexistent") }},
	{name: "group_add by name and number, without repeats", yaml: "user: app\ngroup_add: [audio, staff, \"4000\", \"50\"]",
		want: func(c *runtime.ContainerConfig) { user(c, 1000, 1000, []uint32{1000, 10, 29, 50, 4000}, "/home/app") }},
	{name: "image without passwd or group: numeric ids work", yaml: "user: \"1000:1000\"\ngroup_add: [\"7\"]",
		opts: func(o *Options) { o.ReadFile = memFiles(nil) },
		want: func(c *runtime.ContainerConfig) { user(c, 1000, 1000, []uint32{1000, 7}, "/") }},
	{name: "image without passwd: root's home is /", yaml: ``,
		opts: func(o *Options) { o.ReadFile = memFiles(nil) },
		want: func(c *runtime.ContainerConfig) { user(c, 0, 0, []uint32{0}, "/") }},
}

var securityCases = []validCase{
	{name: "read_only, privileged, init", yaml: "read_only: true\nprivileged: true\ninit: true",
		want: func(c *runtime.ContainerConfig) { c.ReadOnly, c.Privileged, c.Init = true, true, true }},
	{name: "init false", yaml: `init: false`, want: func(c *runtime.ContainerConfig) {}},
	{name: "capabilities normalized", yaml: "cap_add: [net_admin, CAP_SYS_TIME, Sys_Time]\ncap_drop: [all]",
		want: func(c *runtime.ContainerConfig) {
			c.CapAdd, c.CapDrop = []string{"CAP_NET_ADMIN", "CAP_SYS_TIME"}, []string{"ALL"}
		}},
	{name: "seccomp unconfined, no-new-privileges:true", yaml: `security_opt: ["seccomp=unconfined", "no-new-privileges:true"]`,
		want: func(c *runtime.ContainerConfig) { c.Seccomp, c.NoNewPrivileges = "unconfined", true }},
	{name: "seccomp profile relative to the project, bare no-new-privileges", yaml: `security_opt: ["seccomp:profiles/strict.json", "no-new-privileges"]`,
		want: func(c *runtime.ContainerConfig) { c.Seccomp, c.NoNewPrivileges = "/project/profiles/strict.json", true }},
	{name: "seccomp absolute and builtin, no-new-privileges=false", yaml: `security_opt: ["seccomp=/etc/s.json", "seccomp=builtin", "no-new-privileges=false"]`,
		want: func(c *runtime.ContainerConfig) {}},
	{name: "apparmor and label warned", yaml: `security_opt: ["apparmor=unconfined", "label=disable", "seccomp=unconfined"]`,
		want: func(c *runtime.ContainerConfig) { c.Seccomp = "unconfined" }, warn: []string{"security_opt", "security_opt"}},
	{name: "namespaced sysctls", yaml: "sysctls:\n  net.core.somaxconn: 1024\n  kernel.shmmax: 65536\n  fs.mqueue.msg_max: 100",
		want: func(c *runtime.ContainerConfig) {
			c.Sysctls = map[string]string{"net.core.somaxconn": "1024", "kernel.shmmax": "65536", "fs.mqueue.msg_max": "100"}
		}},
	{name: "sysctls as a list", yaml: `sysctls: ["net.ipv4.ip_forward=1", "kernel.sem=250 32000 100 128"]`,
		want: func(c *runtime.ContainerConfig) {
			c.Sysctls = map[string]string{"net.ipv4.ip_forward": "1", "kernel.sem": "250 32000 100 128"}
		}},
	{name: "ulimits single, soft/hard, unlimited; sorted", yaml: "ulimits:\n  nproc: 512\n  nofile: {soft: 1024, hard: 4096}\n  core: -1",
		want: func(c *runtime.ContainerConfig) {
			c.Rlimits = []runtime.Rlimit{
				{Type: "core", Soft: unlimited, Hard: unlimited},
				{Type: "nofile", Soft: 1024, Hard: 4096},
				{Type: "nproc", Soft: 512, Hard: 512},
			}
		}},
	{name: "oom_score_adj", yaml: `oom_score_adj: -500`,
		want: func(c *runtime.ContainerConfig) { adj := -500; c.OOMScoreAdj = &adj }},
	{name: "devices, short forms", yaml: `devices: ["/dev/fuse", "/dev/sda:/dev/xvda:r", "/dev/snd/:/dev/snd"]`,
		want: func(c *runtime.ContainerConfig) {
			c.Devices = []runtime.Device{
				{HostPath: "/dev/fuse", ContainerPath: "/dev/fuse", Permissions: "rwm"},
				{HostPath: "/dev/sda", ContainerPath: "/dev/xvda", Permissions: "r"},
				{HostPath: "/dev/snd", ContainerPath: "/dev/snd", Permissions: "rwm"},
			}
		}},
	{name: "devices, long form", yaml: "devices:\n  - source: /dev/kvm\n    target: /dev/kvm\n    permissions: rw",
		want: func(c *runtime.ContainerConfig) {
			c.Devices = []runtime.Device{{HostPath: "/dev/kvm", ContainerPath: "/dev/kvm", Permissions: "rw"}}
		}},
	{name: "CDI device warned", yaml: `devices: ["vendor.com/gpu=all"]`,
		want: func(c *runtime.ContainerConfig) {}, warn: []string{"devices"}},
}

var namespaceCases = []validCase{
	{name: "pid host", yaml: `pid: host`, want: func(c *runtime.ContainerConfig) { c.PIDMode = "host" }},
	{name: "pid of a service", yaml: `pid: service:db` + withDB,
		want: func(c *runtime.ContainerConfig) { c.PIDMode = "/proc/4242/ns/pid" }},
	{name: "pid of a container", yaml: `pid: container:c1`,
		want: func(c *runtime.ContainerConfig) { c.PIDMode = "/proc/77/ns/pid" }},
	{name: "ipc host", yaml: `ipc: host`, want: func(c *runtime.ContainerConfig) { c.IPCMode = "host" }},
	{name: "ipc shareable", yaml: `ipc: shareable`, want: func(c *runtime.ContainerConfig) { c.IPCMode = "shareable" }},
	{name: "ipc private", yaml: `ipc: private`, want: func(c *runtime.ContainerConfig) {}},
	{name: "ipc of a service", yaml: `ipc: service:db` + withDB,
		want: func(c *runtime.ContainerConfig) { c.IPCMode = "/proc/4242/ns/ipc" }},
	{name: "ipc none warned", yaml: `ipc: none`, want: func(c *runtime.ContainerConfig) {}, warn: []string{"ipc"}},
	{name: "network_mode of a service", yaml: `network_mode: service:db` + withDB,
		want: func(c *runtime.ContainerConfig) { c.NetNSPath = "/proc/4242/ns/net" }},
	{name: "network_mode none gets its own namespace", yaml: `network_mode: none`, want: func(c *runtime.ContainerConfig) {}},
	{name: "shm_size", yaml: `shm_size: 256m`, want: func(c *runtime.ContainerConfig) { c.ShmSize = 256 << 20 }},
	{name: "tmpfs with Docker's defaults merged", yaml: `tmpfs: ["/run", "/tmp/:size=64m,mode=1777,exec"]`,
		want: func(c *runtime.ContainerConfig) {
			c.Mounts = []runtime.Mount{
				{Source: "tmpfs", Destination: "/run", Type: "tmpfs", Options: []string{"noexec", "nosuid", "nodev"}},
				{Source: "tmpfs", Destination: "/tmp", Type: "tmpfs", Options: []string{"nosuid", "nodev", "size=64m", "mode=1777", "exec"}},
			}
		}},
	{name: "tmpfs as one string, the last size wins", yaml: `tmpfs: /cache:size=1m,defaults,size=2m,ro`,
		want: func(c *runtime.ContainerConfig) {
			c.Mounts = []runtime.Mount{{Source: "tmpfs", Destination: "/cache", Type: "tmpfs", Options: []string{"noexec", "nosuid", "nodev", "size=2m", "ro"}}}
		}},
}

var stopCases = []validCase{
	{name: "stop_signal by name", yaml: `stop_signal: SIGUSR1`, want: func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(10) }},
	{name: "stop_signal without SIG, any case", yaml: `stop_signal: quit`, want: func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(3) }},
	{name: "stop_signal by number", yaml: `stop_signal: "9"`, want: func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(9) }},
	{name: "stop_signal real-time", yaml: `stop_signal: SIGRTMIN+3`, want: func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(37) }},
	{name: "stop_signal RTMAX-1", yaml: `stop_signal: RTMAX-1`, want: func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(63) }},
	{name: "stop signal from the image", yaml: ``,
		image: func(img *runtime.ImageConfig) { img.StopSignal = "SIGQUIT" },
		want:  func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(3) }},
	{name: "service stop_signal overrides the image's", yaml: `stop_signal: SIGINT`,
		image: func(img *runtime.ImageConfig) { img.StopSignal = "SIGQUIT" },
		want:  func(c *runtime.ContainerConfig) { c.StopSignal = syscall.Signal(2) }},
	{name: "stop_grace_period", yaml: `stop_grace_period: 1m30s`, want: func(c *runtime.ContainerConfig) { c.StopGrace = 90 * time.Second }},
	{name: "stop_grace_period in whole seconds, as Docker", yaml: `stop_grace_period: 1500ms`, want: func(c *runtime.ContainerConfig) { c.StopGrace = time.Second }},
	{name: "stop_grace_period zero kills at once", yaml: `stop_grace_period: 0s`, want: func(c *runtime.ContainerConfig) { c.StopGrace = time.Nanosecond }},
	{name: "logging json-file rotation", yaml: "logging:\n  driver: json-file\n  options:\n    max-size: 10m\n    max-file: \"3\"",
		want: func(c *runtime.ContainerConfig) { c.Log = runtime.LogConfig{MaxSize: 10_000_000, MaxFiles: 3} }},
	{name: "logging options without driver are json-file's", yaml: "logging:\n  options:\n    max-size: 1.5kb",
		want: func(c *runtime.ContainerConfig) { c.Log = runtime.LogConfig{MaxSize: 1500} }},
	{name: "logging local rotates by default", yaml: "logging:\n  driver: local",
		want: func(c *runtime.ContainerConfig) { c.Log = runtime.LogConfig{MaxSize: 20 << 20, MaxFiles: 5} }},
	{name: "logging local with max-file", yaml: "logging:\n  driver: local\n  options: {max-file: \"2\"}",
		want: func(c *runtime.ContainerConfig) { c.Log = runtime.LogConfig{MaxSize: 20 << 20, MaxFiles: 2} }},
	{name: "logging another driver warned", yaml: "logging:\n  driver: syslog\n  options: {syslog-address: \"udp://1.2.3.4:514\"}",
		want: func(c *runtime.ContainerConfig) {}, warn: []string{"logging"}},
	{name: "logging json-file tag and compress warned", yaml: "logging:\n  options: {tag: \"{{.Name}}\", compress: \"true\", max-file: \"2\"}",
		want: func(c *runtime.ContainerConfig) { c.Log.MaxFiles = 2 }, warn: []string{"logging", "logging"}},
}

var resourceCases = []validCase{
	{name: "service-level resources", yaml: "mem_limit: 512m\nmemswap_limit: 1g\nmem_reservation: 128m\ncpus: 1.5\ncpu_shares: 512\ncpuset: \"0-1,3\"\npids_limit: 100",
		want: func(c *runtime.ContainerConfig) {
			c.Resources = runtime.Resources{Memory: 512 << 20, MemorySwap: 1 << 30, MemoryReservation: 128 << 20,
				NanoCPUs: 1_500_000_000, CPUShares: 512, CpusetCpus: "0-1,3", PidsLimit: 100}
		}},
	{name: "deploy limits and reservations", yaml: "deploy:\n  resources:\n    limits: {cpus: \"0.25\", memory: 64M, pids: 50}\n    reservations: {memory: 32M}",
		want: func(c *runtime.ContainerConfig) {
			c.Resources = runtime.Resources{Memory: 64 << 20, MemoryReservation: 32 << 20, NanoCPUs: 250_000_000, PidsLimit: 50}
		}},
	{name: "deploy limits with service memswap and equal mem_limit", yaml: "mem_limit: 64m\nmemswap_limit: 128m\ndeploy:\n  resources:\n    limits: {memory: 64m}",
		want: func(c *runtime.ContainerConfig) {
			c.Resources = runtime.Resources{Memory: 64 << 20, MemorySwap: 128 << 20}
		}},
	{name: "deploy pids, as pids_limit", yaml: "pids_limit: 20\ndeploy:\n  resources:\n    limits: {pids: 20}",
		want: func(c *runtime.ContainerConfig) { c.Resources.PidsLimit = 20 }},
	{name: "cpus from the decimal written", yaml: `cpus: 0.1`,
		want: func(c *runtime.ContainerConfig) { c.Resources.NanoCPUs = 100_000_000 }},
	{name: "unlimited pids and swap", yaml: "pids_limit: -1\nmem_limit: 100m\nmemswap_limit: -1",
		want: func(c *runtime.ContainerConfig) { c.Resources = runtime.Resources{Memory: 100 << 20, MemorySwap: -1} }},
	{name: "cpus within the host's", yaml: `cpus: 2`, opts: func(o *Options) { o.HostCPUs = 2 },
		want: func(c *runtime.ContainerConfig) { c.Resources.NanoCPUs = 2e9 }},
}

var warningCases = []validCase{
	{name: "keys honoured elsewhere are not warned about", yaml: `
container_name: my-app
restart: unless-stopped
labels: {a: b}
ports: ["8080:80"]
expose: ["9000"]
networks: [front]
volumes: ["data:/data", "./src:/src"]
healthcheck: {test: ["CMD", "true"], interval: 5s}
depends_on: [db]
links: [db]
extra_hosts: ["somehost:162.242.195.82"]
dns: 8.8.8.8
dns_search: example.com
mac_address: "02:42:ac:11:65:43"
volumes_from: ["db"]
pull_policy: always
deploy:
  mode: replicated
  replicas: 1
  restart_policy: {condition: on-failure}
---top
  db:
    image: postgres
networks:
  front: {}
volumes:
  data: {}
`,
		want: func(c *runtime.ContainerConfig) {}},
}

func TestFromService(t *testing.T) {
	t.Parallel()
	tables := [][]validCase{processCases, userCases, securityCases, namespaceCases, stopCases, resourceCases, warningCases}
	for _, table := range tables {
		for _, tc := range table {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				got, warnings, err := translate(t, tc.yaml, tc.image, tc.opts)
				if err != nil {
					t.Fatalf("FromService: %v", err)
				}
				want := baseline()
				tc.want(&want)
				if !reflect.DeepEqual(&want, got) {
					t.Errorf("config differs (-want +got):\n%s", diffConfigs(&want, got))
				}
				if !sameKeys(tc.warn, warningKeys(warnings)) {
					t.Errorf("warnings: got %v, want keys %v", warnings, tc.warn)
				}
			})
		}
	}
}

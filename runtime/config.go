package runtime

import (
	"os"
	"time"
)

// ContainerConfig is everything a Runtime needs to create one container. It
// is runtime-neutral: the translation from a compose service and its image
// fills it (pure, table-tested), and each implementation turns it into its
// own form.
type ContainerConfig struct {
	ID     string
	Labels map[string]string

	// Rootfs: image layers (lowest first) shared read-only as overlay lower
	// dirs; the runtime adds a writable upper layer of its own.
	LowerDirs []string
	ReadOnly  bool

	Process Process

	Hostname   string
	Domainname string

	// Namespaces shared with something else; "" means a private one.
	NetNSPath string // "host", or a /proc/<pid>/ns/net style path to join
	PIDMode   string // "host", or a path to a pid namespace to join
	IPCMode   string // "host", "shareable", or a path to join

	Mounts  []Mount
	Devices []Device

	Privileged      bool
	CapAdd, CapDrop []string // Docker's default set is the base
	NoNewPrivileges bool
	Seccomp         string // "" Docker's default profile, "unconfined", or a profile file's path
	Sysctls         map[string]string
	Rlimits         []Rlimit
	OOMScoreAdj     *int
	ShmSize         int64 // bytes; 0 for Docker's 64 MiB
	Init            bool  // run a reaping PID 1 (berth-init) in front of the process

	Resources Resources

	StopSignal os.Signal     // nil for SIGTERM
	StopGrace  time.Duration // 0 for Docker's 10s

	Log LogConfig
}

// Process is the user process of a container.
type Process struct {
	Args           []string // entrypoint and command, merged as Docker does
	Env            []string
	Cwd            string
	UID, GID       uint32
	AdditionalGIDs []uint32
	TTY            bool
	OpenStdin      bool
}

// Mount is one filesystem mounted into the container.
type Mount struct {
	Source      string
	Destination string
	Type        string // "bind", "tmpfs", ...
	Options     []string
}

// Device is a host device node made available in the container.
type Device struct {
	HostPath, ContainerPath string
	Permissions             string // "rwm" subset
}

// Rlimit is one ulimit.
type Rlimit struct {
	Type       string // "nofile", "nproc", ... as compose names them
	Soft, Hard uint64
}

// Resources are the cgroup limits of a container; zero means unlimited.
type Resources struct {
	Memory            int64 // bytes
	MemorySwap        int64 // bytes, memory+swap; -1 unlimited swap
	MemoryReservation int64
	NanoCPUs          int64 // cpus * 1e9
	CPUShares         uint64
	CpusetCpus        string
	CpusetMems        string
	PidsLimit         int64
}

// LogConfig is how the monitor stores the container's output (json-file).
type LogConfig struct {
	MaxSize  int64 // bytes per file; 0 for no rotation
	MaxFiles int   // files kept when rotating; 0 means 1
}

package libct

import (
	"fmt"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

// defaultShmSize is Docker's /dev/shm size.
const defaultShmSize = 64 << 20

// buildSpec turns cfg into the OCI runtime spec of the container, with
// Docker's defaults: the spec is what libcontainer's specconv (and runc)
// read. rootfs is the mounted overlay.
func buildSpec(cfg *runtime.ContainerConfig, rootfs string) (*specs.Spec, error) {
	s := &specs.Spec{
		Version:    specs.Version,
		Root:       &specs.Root{Path: rootfs, Readonly: cfg.ReadOnly},
		Hostname:   hostname(cfg),
		Domainname: cfg.Domainname,
		Process:    process(cfg),
		Mounts:     defaultMounts(cfg),
		Linux: &specs.Linux{
			CgroupsPath:       cgroupsPath(cfg.ID),
			Namespaces:        namespaces(cfg),
			RootfsPropagation: "rprivate",
		},
	}
	steps := []func(*specs.Spec, *runtime.ContainerConfig) error{
		addMounts, addInit, addSecurity, addDevices, addResources, addSysctls, addRlimits, addSeccomp,
	}
	for _, step := range steps {
		if err := step(s, cfg); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// hostname defaults to the container ID's first 12 characters, as Docker's.
func hostname(cfg *runtime.ContainerConfig) string {
	if cfg.Hostname != "" {
		return cfg.Hostname
	}
	return cfg.ID[:min(len(cfg.ID), 12)]
}

func process(cfg *runtime.ContainerConfig) *specs.Process {
	p := cfg.Process
	cwd := p.Cwd
	if cwd == "" {
		cwd = "/"
	}
	return &specs.Process{
		Terminal:        p.TTY,
		Args:            p.Args,
		Env:             p.Env,
		Cwd:             cwd,
		User:            specs.User{UID: p.UID, GID: p.GID, AdditionalGids: p.AdditionalGIDs},
		NoNewPrivileges: cfg.NoNewPrivileges,
		OOMScoreAdj:     cfg.OOMScoreAdj,
	}
}

// namespaces lists the container's namespaces: new ones, or ones joined by
// path; "host" leaves a kind out so the host's is shared.
func namespaces(cfg *runtime.ContainerConfig) []specs.LinuxNamespace {
	ns := []specs.LinuxNamespace{{Type: specs.MountNamespace}, {Type: specs.UTSNamespace}}
	shared := []struct {
		typ  specs.LinuxNamespaceType
		mode string
	}{
		{specs.NetworkNamespace, cfg.NetNSPath},
		{specs.PIDNamespace, cfg.PIDMode},
		{specs.IPCNamespace, cfg.IPCMode},
	}
	for _, s := range shared {
		switch {
		case s.mode == "host":
		case strings.HasPrefix(s.mode, "/"):
			ns = append(ns, specs.LinuxNamespace{Type: s.typ, Path: s.mode})
		default:
			ns = append(ns, specs.LinuxNamespace{Type: s.typ})
		}
	}
	// Docker gives each container its own cgroup namespace on cgroup v2
	// only; on v1 it keeps the host's.
	if cgroup2() {
		ns = append(ns, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
	return ns
}

// defaultMounts are Docker's: /proc, a tmpfs /dev with pts, shm and
// mqueue, and /sys read-only unless privileged.
func defaultMounts(cfg *runtime.ContainerConfig) []specs.Mount {
	shm := cfg.ShmSize
	if shm <= 0 {
		shm = defaultShmSize
	}
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	if cfg.Privileged {
		sysOpts = sysOpts[:3]
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro", "nosuid", "noexec", "nodev"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", fmt.Sprintf("size=%d", shm)}},
	}
}

// addMounts appends the configured mounts; a bind mount without a bind
// option is recursive, as Docker's are.
func addMounts(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	for _, m := range cfg.Mounts {
		if m.Destination == "" || !strings.HasPrefix(m.Destination, "/") {
			return fmt.Errorf("mount %q: destination must be an absolute path", m.Destination)
		}
		opts := m.Options
		if m.Type == "bind" && !hasAny(opts, "bind", "rbind") {
			opts = append([]string{"rbind"}, opts...)
		}
		s.Mounts = append(s.Mounts, specs.Mount{Destination: m.Destination, Type: m.Type, Source: m.Source, Options: opts})
	}
	return nil
}

func hasAny(list []string, want ...string) bool {
	for _, l := range list {
		for _, w := range want {
			if l == w {
				return true
			}
		}
	}
	return false
}

// addSysctls sets the sysctls, which must be namespaced: the kernel keeps
// these per IPC or network namespace (sysctl(8), namespaces(7)), others
// would change the host.
func addSysctls(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	if len(cfg.Sysctls) == 0 {
		return nil
	}
	s.Linux.Sysctl = map[string]string{}
	for k, v := range cfg.Sysctls {
		if err := namespacedSysctl(k, cfg); err != nil {
			return err
		}
		s.Linux.Sysctl[k] = v
	}
	return nil
}

func namespacedSysctl(key string, cfg *runtime.ContainerConfig) error {
	ipc := key == "kernel.msgmax" || key == "kernel.msgmnb" || key == "kernel.msgmni" || key == "kernel.sem" ||
		key == "kernel.shmall" || key == "kernel.shmmax" || key == "kernel.shmmni" || key == "kernel.shm_rmid_forced" ||
		strings.HasPrefix(key, "fs.mqueue.")
	switch {
	case ipc && cfg.IPCMode != "host":
		return nil
	case strings.HasPrefix(key, "net.") && cfg.NetNSPath != "host":
		return nil
	}
	return fmt.Errorf("sysctl %q is not namespaced or the namespace is the host's", key)
}

package libct

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runc/libcontainer/capabilities"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

// defaultCaps is Docker's default capability set.
var defaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// maskedPaths hide kernel information from containers, as Docker's
// defaults do; readonlyPaths let them read but not change it.
var (
	maskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// addSecurity sets capabilities and masked paths: Docker's defaults with
// cap_add and cap_drop applied, or everything when privileged.
func addSecurity(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	caps, err := capSet(cfg)
	if err != nil {
		return err
	}
	s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
	if !cfg.Privileged {
		s.Linux.MaskedPaths = maskedPaths
		s.Linux.ReadonlyPaths = readonlyPaths
	}
	return nil
}

// capSet applies cap_add then cap_drop to the base set, as Docker does;
// "ALL" adds or drops every capability. Names may omit "CAP_".
func capSet(cfg *runtime.ContainerConfig) ([]string, error) {
	known := capabilities.KnownCapabilities()
	if cfg.Privileged {
		return allCaps(), nil
	}
	set := slices.Clone(defaultCaps)
	for _, c := range cfg.CapAdd {
		name, err := capName(c, known)
		if err != nil {
			return nil, err
		}
		if name == "ALL" {
			set = allCaps()
		} else if !slices.Contains(set, name) {
			set = append(set, name)
		}
	}
	for _, c := range cfg.CapDrop {
		name, err := capName(c, known)
		if err != nil {
			return nil, err
		}
		set = slices.DeleteFunc(set, func(s string) bool { return name == "ALL" || s == name })
	}
	return set, nil
}

func capName(c string, known []string) (string, error) {
	name := strings.ToUpper(c)
	if name == "ALL" {
		return name, nil
	}
	if !strings.HasPrefix(name, "CAP_") {
		name = "CAP_" + name
	}
	if !slices.Contains(known, name) {
		return "", fmt.Errorf("unknown capability %q", c)
	}
	return name, nil
}

// allCaps is "every capability": those the kernel supports that this
// process still has in its bounding set. A capability dropped from the
// bounding set can never be regained (capabilities(7)), so asking for it
// would only make the container's init fail.
func allCaps() []string {
	supported, err := capability.ListSupported()
	if err != nil {
		supported = capability.ListKnown()
	}
	var out []string
	for _, c := range supported {
		if ok, err := capability.GetBound(c); err == nil && ok {
			out = append(out, "CAP_"+strings.ToUpper(c.String()))
		}
	}
	return out
}

package spec

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// capabilityNames are the Linux capabilities, numbered 0 to 40 in
// capabilities(7), as Docker names them.
var capabilityNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// capabilities normalizes cap_add and cap_drop as Docker does: any case,
// with or without the CAP_ prefix, or ALL. The runtime applies them to
// Docker's default set.
func (t *translation) capabilities() error {
	var err error
	if t.cfg.CapAdd, err = t.normalizeCaps("cap_add", t.svc.CapAdd); err != nil {
		return err
	}
	t.cfg.CapDrop, err = t.normalizeCaps("cap_drop", t.svc.CapDrop)
	return err
}

func (t *translation) normalizeCaps(key string, caps []string) ([]string, error) {
	var out []string
	for _, c := range caps {
		name := strings.ToUpper(strings.TrimSpace(c))
		if name != "ALL" && !strings.HasPrefix(name, "CAP_") {
			name = "CAP_" + name
		}
		if name != "ALL" && !slices.Contains(capabilityNames, name) {
			return nil, t.invalid(key, "unknown capability %q", c)
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// securityOpts applies security_opt as Docker Compose and Docker's daemon
// parse it: seccomp (unconfined, builtin, or a profile's path),
// no-new-privileges; "key=value" or the deprecated "key:value". AppArmor,
// SELinux labels and systempaths are not supported: a warning each.
func (t *translation) securityOpts() error {
	for _, opt := range t.svc.SecurityOpt {
		if opt == "no-new-privileges" {
			t.cfg.NoNewPrivileges = true
			continue
		}
		key, value, ok := cutOption(opt)
		if !ok {
			return t.invalid("security_opt", "%q: want key=value", opt)
		}
		if err := t.securityOpt(opt, key, value); err != nil {
			return err
		}
	}
	return nil
}

// cutOption splits "key=value" or, failing that, "key:value".
func cutOption(opt string) (string, string, bool) {
	if k, v, ok := strings.Cut(opt, "="); ok {
		return k, v, true
	}
	return strings.Cut(opt, ":")
}

func (t *translation) securityOpt(opt, key, value string) error {
	switch key {
	case "seccomp":
		return t.seccomp(value)
	case "no-new-privileges":
		on, err := strconv.ParseBool(value)
		if err != nil {
			return t.invalid("security_opt", "%q: want true or false", opt)
		}
		t.cfg.NoNewPrivileges = on
	case "apparmor", "label", "systempaths", "writable-cgroups":
		t.warn("security_opt", "%q is not supported and is ignored", opt)
	default:
		return t.invalid("security_opt", "unknown option %q", opt)
	}
	return nil
}

// seccomp sets the profile: "" (Docker's default) for builtin,
// "unconfined", or a file's path; a relative path is the project
// directory's, as Docker Compose reads it.
func (t *translation) seccomp(value string) error {
	switch {
	case value == "builtin":
		t.cfg.Seccomp = ""
	case value == "unconfined" || filepath.IsAbs(value):
		t.cfg.Seccomp = value
	case value == "":
		return t.invalid("security_opt", "seccomp needs a profile: unconfined, builtin or a file's path")
	case t.opts.ProjectDir == "":
		return t.invalid("security_opt", "seccomp profile %q is relative and no project directory is known", value)
	default:
		t.cfg.Seccomp = filepath.Join(t.opts.ProjectDir, value)
	}
	return nil
}

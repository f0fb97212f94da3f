package spec

import "fmt"

// namespaces sets the namespaces the container shares instead of getting
// its own: network_mode, pid and ipc.
func (t *translation) namespaces() error {
	var err error
	if t.cfg.NetNSPath, err = t.netMode(); err != nil {
		return err
	}
	if t.cfg.PIDMode, err = t.pidMode(); err != nil {
		return err
	}
	t.cfg.IPCMode, err = t.ipcMode()
	return err
}

// netMode: "host" shares the host's network namespace; "service:x" or
// "container:x" joins another container's; anything else ("", "bridge",
// "none", a network's name) gives the container its own, which the
// networks berth attaches to it (or none) then fill.
func (t *translation) netMode() (string, error) {
	switch mode := t.svc.NetworkMode; {
	case mode == "host":
		return "host", nil
	case isJoined(mode):
		return t.join("network_mode", "net", mode)
	default:
		return "", nil
	}
}

// pidMode: "" a private PID namespace, "host", or another container's.
func (t *translation) pidMode() (string, error) {
	switch mode := t.svc.Pid; {
	case mode == "" || mode == "host":
		return mode, nil
	case isJoined(mode):
		return t.join("pid", "pid", mode)
	default:
		return "", t.invalid("pid", "invalid mode %q: want host, service:<name> or container:<name>", mode)
	}
}

// ipcMode: "" (or "private") a private IPC namespace, "shareable" a
// private one that others may join, "host", or another container's.
// Docker's "none" (no /dev/shm at all) is not supported: the container
// gets a private namespace and /dev/shm, with a warning.
func (t *translation) ipcMode() (string, error) {
	switch mode := t.svc.Ipc; {
	case mode == "" || mode == "private":
		return "", nil
	case mode == "host" || mode == "shareable":
		return mode, nil
	case mode == "none":
		t.warn("ipc", `"none" is not supported: the container gets a private IPC namespace with /dev/shm`)
		return "", nil
	case isJoined(mode):
		return t.join("ipc", "ipc", mode)
	default:
		return "", t.invalid("ipc", "invalid mode %q: want private, shareable, host, service:<name> or container:<name>", mode)
	}
}

// join resolves a reference to another container's namespace of kind.
func (t *translation) join(key, kind, ref string) (string, error) {
	if ref == "service:" || ref == "container:" {
		return "", t.invalid(key, "%q names no service or container", ref)
	}
	if t.opts.Namespace == nil {
		return "", fmt.Errorf("service %q: %s: %q: no resolver for other containers' namespaces", t.svc.Name, key, ref)
	}
	p, err := t.opts.Namespace(kind, ref)
	if err != nil {
		return "", fmt.Errorf("service %q: %s: %w", t.svc.Name, key, err)
	}
	return p, nil
}

// shm sets the size of the /dev/shm the container's own IPC namespace
// gets; Docker refuses a negative one.
func (t *translation) shm() error {
	if t.svc.ShmSize < 0 {
		return t.invalid("shm_size", "%d must not be negative", t.svc.ShmSize)
	}
	t.cfg.ShmSize = int64(t.svc.ShmSize)
	return nil
}

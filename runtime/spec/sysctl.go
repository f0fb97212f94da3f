package spec

import (
	"maps"
	"slices"
	"strings"
)

// ipcSysctls are the sysctls of the IPC namespace that runc accepts
// (ipc_namespaces(7), runc's libcontainer/configs/validate): with the
// fs.mqueue.* ones, they belong to the container's IPC namespace.
var ipcSysctls = []string{
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
}

// sysctls accepts only sysctls that live in a namespace of the container's
// own, as runc (and so Docker) does: net.* in its network namespace, the
// IPC ones in its IPC namespace, kernel.domainname in its UTS namespace.
// Any other would change the host's kernel for everyone.
func (t *translation) sysctls() error {
	for _, name := range slices.Sorted(maps.Keys(t.svc.Sysctls)) {
		if err := t.checkSysctl(name); err != nil {
			return err
		}
	}
	if len(t.svc.Sysctls) > 0 {
		t.cfg.Sysctls = maps.Clone(map[string]string(t.svc.Sysctls))
	}
	return nil
}

func (t *translation) checkSysctl(name string) error {
	switch {
	case slices.Contains(ipcSysctls, name) || strings.HasPrefix(name, "fs.mqueue."):
		if t.cfg.IPCMode == "host" {
			return t.invalid("sysctls", "%q is not allowed in the host's IPC namespace (ipc: host)", name)
		}
	case strings.HasPrefix(name, "net."):
		if t.cfg.NetNSPath == "host" {
			return t.invalid("sysctls", "%q is not allowed in the host's network namespace (network_mode: host)", name)
		}
	case name == "kernel.domainname":
	default:
		return t.invalid("sysctls", "%q is not in a separate kernel namespace: only net.*, fs.mqueue.*, kernel.domainname and %s are", name, strings.Join(ipcSysctls, ", "))
	}
	return nil
}

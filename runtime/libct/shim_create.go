package libct

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	// Without it libcontainer's cgroup managers cannot set device rules.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime/shim"
)

// shimPath is the shim's argv[0]: a path in the runtime's root (its base
// name is what makes the binary run as the shim). libcontainer gives init
// the argv[0] of the process that starts it, the shim's, and init finds
// the root's seccomp cache by it.
func (r *Runtime) shimPath() string { return filepath.Join(r.root, shim.Name) }

// createInShim is the shim's Creator: it creates the container and leaves
// init waiting on libcontainer's exec fifo, as `runc create` does under
// containerd's shim, but in the shim itself, so that init is the shim's
// child from the start and no process is executed between them.
func createInShim(dir string, cfg *shim.Config, stdio shim.Stdio) (int, error) {
	spec, err := readSpec(dir)
	if err != nil {
		return 0, err
	}
	config, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{CgroupName: cfg.ID, Spec: spec})
	if err != nil {
		return 0, fmt.Errorf("container config: %w", err)
	}
	if config.Rlimits, err = rlimits(spec.Process.Rlimits); err != nil {
		return 0, err
	}
	c, err := libcontainer.Create(cfg.StateDir, cfg.ID, config)
	if err != nil {
		return 0, fmt.Errorf("create container: %w", err)
	}
	p := initProcess(spec.Process, stdio)
	if err := c.Start(p); err != nil {
		_ = c.Destroy()
		return 0, fmt.Errorf("start init: %w", err)
	}
	return p.Pid()
}

func initProcess(sp *specs.Process, stdio shim.Stdio) *libcontainer.Process {
	groups := make([]int, len(sp.User.AdditionalGids))
	for i, g := range sp.User.AdditionalGids {
		groups[i] = int(g)
	}
	p := &libcontainer.Process{
		Args: sp.Args, Env: sp.Env, Cwd: sp.Cwd,
		UID: int(sp.User.UID), GID: int(sp.User.GID), AdditionalGroups: groups,
		Init: true,
	}
	// Only the streams there are: a nil *os.File in an io.Writer is not a
	// nil Writer, and libcontainer would hand it on.
	p.Stdin = stdio.Stdin
	if stdio.Console != nil {
		p.ConsoleSocket = stdio.Console
	} else {
		p.Stdout, p.Stderr = stdio.Stdout, stdio.Stderr
	}
	return p
}

func readSpec(dir string) (*specs.Spec, error) {
	b, err := os.ReadFile(filepath.Join(dir, specFile))
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	return &s, nil
}

func rlimits(in []specs.POSIXRlimit) ([]configs.Rlimit, error) {
	var out []configs.Rlimit
	for _, r := range in {
		t, ok := rlimitTypes[r.Type]
		if !ok {
			return nil, fmt.Errorf("unknown rlimit %q", r.Type)
		}
		out = append(out, configs.Rlimit{Type: t, Soft: r.Soft, Hard: r.Hard})
	}
	return out, nil
}

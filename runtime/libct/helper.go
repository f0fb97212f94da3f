package libct

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	// Without it libcontainer's cgroup managers cannot set device rules.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/berth-dev/berth/runtime/shim"
)

// createArgs is what the shim hands back to createInShim.
func createArgs(root, id, dir string, tty bool) []string {
	return []string{root, id, dir, strconv.FormatBool(tty)}
}

// createInShim is the shim's shim.Creator: libcontainer creates the
// container from the shim's own process, so init is the shim's child (as
// with `runc create` under containerd's shim, minus that extra process)
// and waits on libcontainer's exec fifo until Start.
func createInShim(args []string, stdio shim.Stdio) (int, error) {
	// The shim's stderr is its log; libcontainer's own log lines would
	// only repeat the error it returns.
	logrus.SetOutput(io.Discard)
	if len(args) != 4 {
		return 0, fmt.Errorf("create arguments %q: want ROOT ID DIR TTY", args)
	}
	tty, _ := strconv.ParseBool(args[3])
	if !tty {
		stdio.Console = nil
	}
	return createContainer(args[0], args[1], args[2], stdio)
}

func createContainer(root, id, dir string, stdio shim.Stdio) (int, error) {
	spec, err := readSpec(dir)
	if err != nil {
		return 0, err
	}
	config, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{CgroupName: id, Spec: spec})
	if err != nil {
		return 0, fmt.Errorf("container config: %w", err)
	}
	if config.Rlimits, err = rlimits(spec.Process.Rlimits); err != nil {
		return 0, err
	}
	c, err := libcontainer.Create(root, id, config)
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
	return &libcontainer.Process{
		Args: sp.Args, Env: sp.Env, Cwd: sp.Cwd,
		UID: int(sp.User.UID), GID: int(sp.User.GID), AdditionalGroups: groups,
		Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr,
		ConsoleSocket: stdio.Console, Init: true,
	}
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

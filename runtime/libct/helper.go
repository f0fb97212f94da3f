package libct

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	// Without it libcontainer's cgroup managers cannot set device rules.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
)

// createName is argv[0] of the helper the shim runs to create a container:
// the helper is the parent of init while libcontainer sets it up, then
// exits so that init is reparented to the shim (a child subreaper), as
// `runc create` does under containerd's shim. The shim itself so never
// loads libcontainer's code and stays small.
const createName = "berth-create"

// helperPath is the helper's argv[0]: a path in the runtime's root.
// libcontainer gives init the helper's argv[0], and init finds the root's
// seccomp cache by it.
func (r *Runtime) helperPath() string { return filepath.Join(r.root, createName) }

// helperArgs is the argv with which the shim runs the helper.
func (r *Runtime) helperArgs(id, dir string, tty bool) []string {
	return []string{r.helperPath(), r.libcontainerRoot(), id, dir, strconv.FormatBool(tty)}
}

// createMain is the helper: it creates the container and leaves init
// waiting on libcontainer's exec fifo, then reports "ok <pid>" or
// "error <reason>" on fd 3.
func createMain(args []string) int {
	result := os.NewFile(3, "result")
	// stderr is the container's: libcontainer's own log lines must not
	// end up in its log. Failures travel back on the result pipe.
	logrus.SetOutput(io.Discard)
	if len(args) != 4 {
		_, _ = fmt.Fprintln(result, "error usage: "+createName+" ROOT ID DIR TTY")
		return 2
	}
	tty, _ := strconv.ParseBool(args[3])
	pid, err := createContainer(args[0], args[1], args[2], tty)
	if err != nil {
		_, _ = fmt.Fprintf(result, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	_, _ = fmt.Fprintf(result, "ok %d\n", pid)
	return 0
}

func createContainer(root, id, dir string, tty bool) (int, error) {
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
	p := initProcess(spec.Process)
	if tty {
		p.ConsoleSocket = os.NewFile(4, "console")
	}
	if err := c.Start(p); err != nil {
		_ = c.Destroy()
		return 0, fmt.Errorf("start init: %w", err)
	}
	return p.Pid()
}

func initProcess(sp *specs.Process) *libcontainer.Process {
	groups := make([]int, len(sp.User.AdditionalGids))
	for i, g := range sp.User.AdditionalGids {
		groups[i] = int(g)
	}
	return &libcontainer.Process{
		Args: sp.Args, Env: sp.Env, Cwd: sp.Cwd,
		UID: int(sp.User.UID), GID: int(sp.User.GID), AdditionalGroups: groups,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Init: true,
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

package libct

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// initPath is where berth's own binary is bind-mounted, read-only, in a
// container that asked for an init (Docker mounts tini at /sbin/docker-init
// the same way). The process runs from the container's rootfs, so the
// binary must be statically linked: build berth with
// -ldflags '-linkmode external -extldflags -static'.
const (
	initPath = "/sbin/berth-init"
	initName = "berth-init"
)

// addInit puts berth-init in front of the process as PID 1.
func addInit(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	if !cfg.Init {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := checkStatic(exe); err != nil {
		return err
	}
	s.Mounts = append(s.Mounts, specs.Mount{Destination: initPath, Type: "bind", Source: exe, Options: []string{"bind", "ro"}})
	s.Process.Args = append([]string{initPath, "--"}, s.Process.Args...)
	return nil
}

func checkStatic(exe string) error {
	f, err := elf.Open(exe)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("init: berth is dynamically linked and cannot run inside the container; build it static")
		}
	}
	return nil
}

// pid1Main is berth-init: it runs its arguments as a child, forwards every
// signal to it, reaps every orphan the kernel reparents to PID 1 of the
// namespace (pid_namespaces(7)) and exits as the child did.
func pid1Main(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: berth-init -- COMMAND [ARG...]")
		return 2
	}
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	child, err := startChild(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "berth-init: %v\n", err)
		return 127
	}
	go forward(sigs, child)
	return shim.Reap(child.Pid)
}

func startChild(args []string) (*os.Process, error) {
	path, err := exec.LookPath(args[0])
	if err != nil {
		return nil, err
	}
	return os.StartProcess(path, args, &os.ProcAttr{
		Env:   os.Environ(),
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
	})
}

func forward(sigs <-chan os.Signal, child *os.Process) {
	for s := range sigs {
		if s != syscall.SIGCHLD {
			_ = child.Signal(s)
		}
	}
}

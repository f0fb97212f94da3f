package runtimetest

import (
	"fmt"
	"slices"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/fake"
)

// The commands the suite runs in the busybox image. Script tells the fake
// what each does, so the fake and the real runtime are held to the same
// outcomes.
var (
	cmdOutput  = []string{"sh", "-c", "echo hello; echo oops >&2"}
	cmdLines   = []string{"sh", "-c", "echo one; echo two; echo three"}
	cmdExit3   = []string{"sh", "-c", "exit 3"}
	cmdSleep   = []string{"sleep", "1000"} // PID 1 with no handlers ignores SIGTERM
	cmdTrap    = []string{"sh", "-c", "trap 'exit 7' USR1; echo ready; while :; do sleep 0.1; done"}
	cmdMissing = []string{"nonexistent"}
	cmdNotExec = []string{"/etc/notexec"} // a text file without execute bits
	cmdExecEnv = []string{"sh", "-c", "echo $FOO; pwd; id -u; exit 5"}
)

// Script is the fake's script for the suite's commands: what busybox does
// with them. A command it does not know is one not found in the image.
func Script(p fake.Proc) (fake.Program, error) {
	switch {
	case slices.Equal(p.Args, cmdOutput):
		return fake.Program{Stdout: "hello\n", Stderr: "oops\n"}, nil
	case slices.Equal(p.Args, cmdLines):
		return fake.Program{Stdout: "one\ntwo\nthree\n"}, nil
	case slices.Equal(p.Args, cmdExit3):
		return fake.Program{Code: 3}, nil
	case slices.Equal(p.Args, cmdSleep):
		return fake.Program{UntilSignal: true}, nil
	case slices.Equal(p.Args, cmdTrap):
		return fake.Program{Stdout: "ready\n", UntilSignal: true, OnSignal: map[syscall.Signal]int{syscall.SIGUSR1: 7}}, nil
	case slices.Equal(p.Args, cmdExecEnv):
		return fake.Program{Stdout: fmt.Sprintf("%s\n%s\n%s\n", env(p.Env, "FOO"), p.Cwd, uid(p.User)), Code: 5}, nil
	case slices.Equal(p.Args, cmdNotExec):
		return fake.Program{}, &runtime.CommandError{Code: 126, Err: fmt.Errorf("exec: %q: permission denied", p.Args[0])}
	}
	return fake.Program{}, &runtime.CommandError{Code: 127, Err: fmt.Errorf("exec: %q: executable file not found in $PATH", p.Args[0])}
}

func env(list []string, key string) string {
	for i := len(list) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(list[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// uid resolves a user as the busybox image's /etc/passwd does.
func uid(user string) string {
	name, _, _ := strings.Cut(user, ":")
	switch name {
	case "root":
		return "0"
	case "nobody":
		return "65534"
	}
	return name
}

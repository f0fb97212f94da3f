package runtimetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/runtime"
)

func (s *suite) exec(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdSleep...)
	var out, errOut bytes.Buffer
	code, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{
		Args: cmdExecEnv, Env: []string{"FOO=from-exec"}, User: "nobody", WorkingDir: "/tmp",
		Stdout: &out, Stderr: &errOut,
	})
	if err != nil || code != 5 {
		t.Fatalf("Exec = %d, %v; want 5, nil (stderr %q)", code, err, errOut.String())
	}
	if want := "from-exec\n/tmp\n65534\n"; out.String() != want {
		t.Errorf("exec output = %q, want %q", out.String(), want)
	}
	if err := rt.Kill(ctx(t), cfg.ID, syscall.SIGKILL); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	wait(t, rt, cfg.ID)
	if _, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{Args: cmdExecEnv}); !errors.Is(err, runtime.ErrNotRunning) {
		t.Errorf("Exec in an exited container = %v, want ErrNotRunning", err)
	}
}

func (s *suite) execCommandErrors(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdSleep...)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"foo"}, 127, `exec: "foo": executable file not found in $PATH`},
		{cmdNotExec, 126, `exec: "/etc/notexec": permission denied`},
	}
	for _, tc := range tests {
		code, err := rt.Exec(ctx(t), cfg.ID, &runtime.ExecConfig{Args: tc.args})
		var cmdErr *runtime.CommandError
		if code != tc.code || !errors.As(err, &cmdErr) || cmdErr.Code != tc.code {
			t.Errorf("Exec %q = %d, %v; want %d with a CommandError", tc.args, code, err, tc.code)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Exec %q error = %q, want %q", tc.args, err, tc.msg)
		}
	}
}

func (s *suite) logsTail(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdLines...)
	wait(t, rt, cfg.ID)
	if got, want := logs(t, rt, cfg.ID, runtime.LogOptions{Tail: 2}), []string{"stdout: two", "stdout: three"}; !slices.Equal(got, want) {
		t.Errorf("logs tail 2 = %q, want %q", got, want)
	}
	if got := logs(t, rt, cfg.ID, runtime.LogOptions{Tail: 0}); len(got) != 0 {
		t.Errorf("logs tail 0 = %q, want none", got)
	}
	if got := logs(t, rt, cfg.ID, runtime.LogOptions{Tail: -1, Follow: true}); len(got) != 3 {
		t.Errorf("logs follow of an exited container = %q, want 3 lines", got)
	}
}

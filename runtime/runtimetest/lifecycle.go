package runtimetest

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

func (s *suite) runToExit(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdOutput...)
	st := wait(t, rt, cfg.ID)
	if st.Code != 0 || st.Finished.IsZero() || st.OOMKilled {
		t.Fatalf("exit = %+v, want code 0 with a finish time", st)
	}
	c := status(t, rt, cfg.ID, runtime.StatusExited)
	if c.Started.IsZero() || c.Exit.Code != 0 || c.Pid != 0 {
		t.Errorf("Inspect = %+v, want a start time, exit 0 and no pid", c)
	}
	got := logs(t, rt, cfg.ID, runtime.LogOptions{Tail: -1})
	slices.Sort(got) // the two streams are not ordered with each other
	if want := []string{"stderr: oops", "stdout: hello"}; !slices.Equal(got, want) {
		t.Errorf("logs = %q, want %q", got, want)
	}
}

func (s *suite) exitCode(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdExit3...)
	if st := wait(t, rt, cfg.ID); st.Code != 3 {
		t.Fatalf("exit code = %d, want 3", st.Code)
	}
}

func (s *suite) kill(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdSleep...)
	status(t, rt, cfg.ID, runtime.StatusRunning)
	if err := rt.Kill(ctx(t), cfg.ID, syscall.SIGKILL); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	if st := wait(t, rt, cfg.ID); st.Code != 137 {
		t.Fatalf("exit code = %d, want 137", st.Code)
	}
	if err := rt.Kill(ctx(t), cfg.ID, syscall.SIGKILL); !errors.Is(err, runtime.ErrNotRunning) {
		t.Errorf("Kill of an exited container = %v, want ErrNotRunning", err)
	}
}

func (s *suite) missingCommand(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.config(t, cmdMissing...)
	_, err := rt.Create(ctx(t), cfg)
	var cmdErr *runtime.CommandError
	if !errors.As(err, &cmdErr) || cmdErr.Code != 127 {
		t.Fatalf("Create = %v, want a CommandError with code 127", err)
	}
	if want := `exec: "nonexistent": executable file not found in $PATH`; cmdErr.Error() != want {
		t.Errorf("message = %q, want %q", cmdErr.Error(), want)
	}
	if _, err := rt.Inspect(ctx(t), cfg.ID); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Inspect after a failed Create = %v, want ErrNotFound", err)
	}
}

func (s *suite) lifecycle(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.config(t, cmdSleep...)
	c := create(t, rt, cfg)
	if c.Status != runtime.StatusCreated || c.Pid <= 0 || c.NetNSPath == "" || c.Created.IsZero() {
		t.Fatalf("Create = %+v, want created with a pid, a netns path and a creation time", c)
	}
	if _, err := rt.Create(ctx(t), cfg); !errors.Is(err, runtime.ErrExists) {
		t.Errorf("second Create = %v, want ErrExists", err)
	}
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	status(t, rt, cfg.ID, runtime.StatusRunning)
	if err := rt.Start(ctx(t), cfg.ID); !errors.Is(err, runtime.ErrRunning) {
		t.Errorf("second Start = %v, want ErrRunning", err)
	}
	if err := rt.Remove(ctx(t), cfg.ID); !errors.Is(err, runtime.ErrRunning) {
		t.Errorf("Remove of a running container = %v, want ErrRunning", err)
	}
	s.listed(t, rt, cfg)
	if err := rt.Stop(ctx(t), cfg.ID, syscall.SIGKILL, time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := rt.Stop(ctx(t), cfg.ID, nil, time.Second); err != nil {
		t.Errorf("Stop of a stopped container: %v", err)
	}
	if err := rt.Remove(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := rt.Inspect(ctx(t), cfg.ID); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Inspect after Remove = %v, want ErrNotFound", err)
	}
}

func (s *suite) listed(t *testing.T, rt runtime.Runtime, cfg *runtime.ContainerConfig) {
	t.Helper()
	list, err := rt.List(ctx(t))
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, c := range list {
		if c.ID == cfg.ID && c.Labels["com.docker.compose.service"] == "test" {
			return
		}
	}
	t.Errorf("List = %d containers, none is %q with its labels", len(list), cfg.ID)
}

func (s *suite) notFound(t *testing.T) {
	rt := s.newRuntime(t)
	const id = "no-such-container"
	errs := map[string]error{
		"Start":   rt.Start(ctx(t), id),
		"Stop":    rt.Stop(ctx(t), id, nil, 0),
		"Kill":    rt.Kill(ctx(t), id, syscall.SIGKILL),
		"Remove":  rt.Remove(ctx(t), id),
		"Logs":    rt.Logs(ctx(t), id, runtime.LogOptions{}, func(runtime.LogEntry) error { return nil }),
		"Inspect": second(rt.Inspect(ctx(t), id)),
		"Wait":    second(rt.Wait(ctx(t), id)),
		"Exec":    second(rt.Exec(ctx(t), id, &runtime.ExecConfig{Args: []string{"true"}})),
		"Reset":   second(rt.Reset(ctx(t), id)),
	}
	for name, err := range errs {
		if !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("%s = %v, want ErrNotFound", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// reset: an exited container runs again after Reset, with a new process,
// and its log keeps the output of both runs.
func (s *suite) reset(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdExit3...)
	wait(t, rt, cfg.ID)
	if err := rt.Start(ctx(t), cfg.ID); err == nil {
		t.Error("Start of an exited container succeeded without Reset")
	}
	c, err := rt.Reset(ctx(t), cfg.ID)
	if err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if c.Status != runtime.StatusCreated || c.Pid <= 0 || c.NetNSPath == "" {
		t.Fatalf("Reset = %+v, want created with a pid and a netns path", c)
	}
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start after Reset: %v", err)
	}
	if st := wait(t, rt, cfg.ID); st.Code != 3 {
		t.Fatalf("second run exit = %d, want 3", st.Code)
	}
	running := s.run(t, rt, cmdSleep...)
	if _, err := rt.Reset(ctx(t), running.ID); !errors.Is(err, runtime.ErrRunning) {
		t.Errorf("Reset of a running container = %v, want ErrRunning", err)
	}
}

// resetKeepsLogs: the output of every run stays in the log.
func (s *suite) resetKeepsLogs(t *testing.T) {
	rt := s.newRuntime(t)
	cfg := s.run(t, rt, cmdLines...)
	wait(t, rt, cfg.ID)
	if _, err := rt.Reset(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if err := rt.Start(ctx(t), cfg.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	wait(t, rt, cfg.ID)
	if got := logs(t, rt, cfg.ID, runtime.LogOptions{Tail: -1}); len(got) != 6 {
		t.Errorf("logs after two runs = %q, want 6 lines", got)
	}
}

package fake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// Exec runs a scripted program in a running container: its output goes to
// p's writers and its code is returned; it never blocks on signals.
func (f *Fake) Exec(_ context.Context, id string, p *runtime.ExecConfig) (int, error) {
	f.mu.Lock()
	c, err := f.get(id)
	if err == nil && c.state.Status != runtime.StatusRunning {
		err = fmt.Errorf("exec in container %q: %w", id, runtime.ErrNotRunning)
	}
	var proc Proc
	if err == nil {
		proc = execProc(c, p)
	}
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	prog, err := f.script(proc)
	if err != nil {
		var cmdErr *runtime.CommandError
		if errors.As(err, &cmdErr) {
			return cmdErr.Code, err
		}
		return 0, err
	}
	write(p.Stdout, prog.Stdout)
	if p.TTY {
		write(p.Stdout, prog.Stderr)
	} else {
		write(p.Stderr, prog.Stderr)
	}
	return prog.Code, nil
}

func execProc(c *container, p *runtime.ExecConfig) Proc {
	cfg := c.cfg.Process
	proc := Proc{
		Args: p.Args, Env: append(append([]string{}, cfg.Env...), p.Env...),
		Cwd: p.WorkingDir, User: p.User,
	}
	if proc.Cwd == "" {
		proc.Cwd = cfg.Cwd
	}
	if proc.User == "" {
		proc.User = fmt.Sprintf("%d:%d", cfg.UID, cfg.GID)
	}
	return proc
}

func write(w io.Writer, s string) {
	if w != nil && s != "" {
		_, _ = io.WriteString(w, s)
	}
}

// log appends output as json-file entries, one per line; the caller
// holds f.mu.
func (c *container) log(stream, out string) {
	for _, line := range strings.SplitAfter(out, "\n") {
		if line != "" {
			c.logs = append(c.logs, runtime.LogEntry{Stream: stream, Time: time.Now().UTC(), Line: []byte(line)})
		}
	}
}

// Logs delivers the logged entries; with Follow it then waits for the
// exit, since a fake process writes all its output when it starts.
func (f *Fake) Logs(ctx context.Context, id string, opts runtime.LogOptions, sink func(runtime.LogEntry) error) error {
	f.mu.Lock()
	c, err := f.get(id)
	f.mu.Unlock()
	if err != nil {
		return err
	}
	f.mu.Lock()
	entries := selectEntries(c.logs, opts)
	f.mu.Unlock()
	for _, e := range entries {
		if err := sink(e); err != nil {
			return err
		}
	}
	if opts.Follow {
		select {
		case <-c.exited:
		case <-ctx.Done():
		}
	}
	return nil
}

func selectEntries(logs []runtime.LogEntry, opts runtime.LogOptions) []runtime.LogEntry {
	var out []runtime.LogEntry
	for _, e := range logs {
		if (opts.Since.IsZero() || !e.Time.Before(opts.Since)) && (opts.Until.IsZero() || !e.Time.After(opts.Until)) {
			out = append(out, e)
		}
	}
	if opts.Tail >= 0 && len(out) > opts.Tail {
		out = out[len(out)-opts.Tail:]
	}
	return out
}

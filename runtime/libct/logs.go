package libct

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// Logs reads the container's json-file log, the rotated files first, and
// with Follow keeps reading the current file (across rotations) until the
// container has exited and all is read, or ctx ends.
func (r *Runtime) Logs(ctx context.Context, id string, opts runtime.LogOptions, sink func(runtime.LogEntry) error) error {
	rec, err := r.loadRecord(id)
	if err != nil {
		return err
	}
	dir := r.dir(id)
	path := logPath(dir, id)
	f := &filter{opts: opts, sink: sink}
	for n := rec.LogMax - 1; n > 0; n-- {
		if err := readLogFile(shim.RotatedName(path, n), f.add); err != nil {
			return fmt.Errorf("logs of container %q: %w", id, err)
		}
	}
	t := &tailer{path: path}
	if err := t.read(f.add); err != nil {
		return fmt.Errorf("logs of container %q: %w", id, err)
	}
	defer t.close()
	if err := f.flushTail(); err != nil || !opts.Follow {
		return err
	}
	return r.follow(ctx, dir, t, f.add)
}

// follow reads new entries until the container has exited (checked before
// the last read, so nothing written before the exit is lost) or ctx ends.
func (r *Runtime) follow(ctx context.Context, dir string, t *tailer, add func(shim.Entry) error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		_, exitErr := shim.ReadExit(dir)
		if err := t.read(add); err != nil {
			return err
		}
		if exitErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func readLogFile(path string, add func(shim.Entry) error) error {
	t := &tailer{path: path}
	defer t.close()
	return t.read(add)
}

// tailer reads whole lines from a log file as they are appended, and
// reopens the path when the shim rotated it away.
type tailer struct {
	path    string
	f       *os.File
	partial []byte
}

func (t *tailer) read(add func(shim.Entry) error) error {
	if t.f == nil {
		f, err := os.Open(t.path)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		t.f = f
	}
	if err := t.drain(add); err != nil {
		return err
	}
	if t.rotated() {
		t.close()
		return t.read(add)
	}
	return nil
}

func (t *tailer) drain(add func(shim.Entry) error) error {
	b, err := io.ReadAll(bufio.NewReader(t.f))
	if err != nil {
		return err
	}
	t.partial = append(t.partial, b...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			return nil
		}
		line := t.partial[:i]
		t.partial = t.partial[i+1:]
		e, err := shim.DecodeEntry(line)
		if err != nil {
			continue // a line cut short by a crash; Docker skips it too
		}
		if err := add(e); err != nil {
			return err
		}
	}
}

// rotated reports whether path now names another file than the open one.
func (t *tailer) rotated() bool {
	cur, err1 := t.f.Stat()
	now, err2 := os.Stat(t.path)
	return err1 == nil && err2 == nil && !os.SameFile(cur, now)
}

func (t *tailer) close() {
	if t.f != nil {
		t.f.Close()
		t.f, t.partial = nil, nil
	}
}

// filter applies Since, Until and Tail; with Tail it holds the last
// entries back until flushTail, after which entries pass straight on.
type filter struct {
	opts    runtime.LogOptions
	sink    func(runtime.LogEntry) error
	held    []runtime.LogEntry
	flushed bool
}

func (f *filter) add(e shim.Entry) error {
	if !f.opts.Since.IsZero() && e.Time.Before(f.opts.Since) {
		return nil
	}
	if !f.opts.Until.IsZero() && e.Time.After(f.opts.Until) {
		return nil
	}
	le := runtime.LogEntry{Stream: e.Stream, Time: e.Time, Line: []byte(e.Log)}
	if f.flushed || f.opts.Tail < 0 {
		return f.sink(le)
	}
	f.held = append(f.held, le)
	if len(f.held) > f.opts.Tail {
		f.held = f.held[1:]
	}
	return nil
}

func (f *filter) flushTail() error {
	f.flushed = true
	for _, e := range f.held {
		if err := f.sink(e); err != nil {
			return err
		}
	}
	f.held = nil
	return nil
}

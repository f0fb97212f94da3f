package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// Prober runs the health check of one running container and records what
// it finds in a HealthBook. The daemon makes one each time a container
// with a health check starts (or restarts), and cancels the previous one
// first: there is never more than one per container.
type Prober struct {
	rt      runtime.Runtime
	clock   Clock
	book    *HealthBook
	id      string
	check   HealthCheck
	started time.Time
}

// NewProber returns the prober of container id, started at started, and
// records it in book as starting right away, so that a depends_on wait
// that follows the container's start sees that it has a health check
// before the first probe has run.
func NewProber(rt runtime.Runtime, clock Clock, book *HealthBook, id string, check HealthCheck, started time.Time) *Prober {
	book.Set(id, NewHealthState())
	return &Prober{rt: rt, clock: clock, book: book, id: id, check: check, started: started}
}

// Run probes until ctx ends (returning ctx's error) or the container stops
// running (returning nil). The first probe comes one interval after the
// start, as Docker's does; each next one an interval after the previous
// ended. A probe cut short by ctx is not recorded: it says nothing about
// the container.
func (p *Prober) Run(ctx context.Context) error {
	state := NewHealthState()
	for {
		wait := p.check.NextProbe(state, p.started, p.clock.Now())
		if err := sleep(ctx, p.clock, wait); err != nil {
			return err
		}
		r, err := p.probe(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, runtime.ErrNotRunning) || errors.Is(err, runtime.ErrNotFound) {
			return nil
		}
		state = p.check.Apply(state, p.started, r)
		p.book.Set(p.id, state)
	}
}

type execOutcome struct {
	code int
	err  error
}

// probe runs the check once. Only a stopped or missing container is an
// error; any other failure to run the probe is a failed probe (exit -1),
// as Docker records it.
func (p *Prober) probe(ctx context.Context) (ProbeResult, error) {
	start := p.clock.Now()
	execCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := &limitedBuffer{}
	done := make(chan execOutcome, 1)
	go func() {
		code, err := p.rt.Exec(execCtx, p.id, &runtime.ExecConfig{Args: p.check.Args(), Stdout: out, Stderr: out})
		done <- execOutcome{code, err}
	}()
	timeout := p.clock.NewTimer(p.check.Timeout)
	defer timeout.Stop()
	r := ProbeResult{Start: start}
	select {
	case o := <-done:
		if errors.Is(o.err, runtime.ErrNotRunning) || errors.Is(o.err, runtime.ErrNotFound) {
			return r, o.err
		}
		r.ExitCode, r.Output = o.code, out.String()
		if o.err != nil {
			r.ExitCode, r.Output = -1, o.err.Error()
		}
	case <-timeout.C():
		cancel()
		<-done // the probe is killed: wait, so dying probes cannot pile up
		r.ExitCode, r.Output = -1, timeoutMessage(p.check.Timeout, out.String())
	}
	r.End = p.clock.Now()
	return r, nil
}

// timeoutMessage is Docker's record of a probe that ran too long.
func timeoutMessage(timeout time.Duration, output string) string {
	if output == "" {
		return fmt.Sprintf("Health check exceeded timeout (%v)", timeout)
	}
	return fmt.Sprintf("Health check exceeded timeout (%v): %s", timeout, output)
}

// limitedBuffer keeps the first maxProbeOutput bytes written to it, from
// stdout and stderr at once, and marks a cut with "...".
type limitedBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	truncated bool
}

func (b *limitedBuffer) Write(data []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	keep := min(maxProbeOutput-b.buf.Len(), len(data))
	b.buf.Write(data[:keep])
	b.truncated = b.truncated || keep < len(data)
	return len(data), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.truncated {
		return b.buf.String() + "..."
	}
	return b.buf.String()
}

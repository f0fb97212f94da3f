package scheduler

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// scriptedExec answers probes with the exit codes given, one per probe,
// writing out to stdout, and records the argument lists it ran.
type scriptedExec struct {
	mu    sync.Mutex
	codes []int
	out   string
	args  [][]string
}

func (s *scriptedExec) exec(_ context.Context, _ string, p *runtime.ExecConfig) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.args = append(s.args, p.Args)
	if _, err := p.Stdout.Write([]byte(s.out)); err != nil {
		return 0, err
	}
	code := s.codes[0]
	s.codes = s.codes[1:]
	return code, nil
}

type proberFixture struct {
	clock *fakeClock
	rt    *fakeRuntime
	book  *HealthBook
	id    string
	done  chan error
}

// startProber runs a prober of check on a running container.
func startProber(t *testing.T, check HealthCheck, exec func(context.Context, string, *runtime.ExecConfig) (int, error)) (*proberFixture, context.CancelFunc) {
	t.Helper()
	f := &proberFixture{clock: newFakeClock(), book: NewHealthBook(), done: make(chan error, 1)}
	f.rt = newFakeRuntime(f.clock)
	f.rt.execFn = exec
	f.id = f.rt.add(t, "db", 1, runtime.StatusRunning)
	p := NewProber(f.rt, f.clock, f.book, f.id, check, f.clock.Now())
	ctx, cancel := context.WithCancel(t.Context())
	go func() { f.done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-f.done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	})
	return f, cancel
}

// probeAfter lets the prober's wait of d pass, and returns the health it
// has recorded once it waits for its next probe (of next).
func (f *proberFixture) probeAfter(t *testing.T, d, next time.Duration) HealthState {
	t.Helper()
	f.clock.waitTimer(t, d)
	f.clock.Advance(d)
	f.clock.waitTimer(t, next)
	st, ok := f.book.Health(f.id)
	if !ok {
		t.Fatal("the prober's container is not in the book")
	}
	return st
}

func TestProberRecordsHealth(t *testing.T) {
	check := HealthCheck{Test: []string{"CMD-SHELL", "pg_isready"}, Interval: 30 * time.Second, Timeout: 10 * time.Second, StartInterval: 5 * time.Second, Retries: 3}
	script := &scriptedExec{codes: []int{1, 0, 1, 1, 1, 0}, out: "ok\n"}
	f, _ := startProber(t, check, script.exec)
	if st, _ := f.book.Health(f.id); st.Status != HealthStarting {
		t.Fatalf("before any probe: %s, want starting", st.Status)
	}
	want := []struct {
		status HealthStatus
		streak int
	}{{HealthStarting, 1}, {HealthHealthy, 0}, {HealthHealthy, 1}, {HealthHealthy, 2}, {HealthUnhealthy, 3}, {HealthHealthy, 0}}
	var st HealthState
	for i, w := range want {
		st = f.probeAfter(t, 30*time.Second, 30*time.Second)
		if st.Status != w.status || st.FailingStreak != w.streak {
			t.Fatalf("after probe %d: %s streak %d, want %s streak %d", i+1, st.Status, st.FailingStreak, w.status, w.streak)
		}
	}
	if len(st.Log) != 5 || st.Log[4].Output != "ok\n" || st.Log[4].Start.IsZero() {
		t.Errorf("log %+v, want the last five results with output", st.Log)
	}
	if !reflect.DeepEqual(script.args[0], []string{"/bin/sh", "-c", "pg_isready"}) {
		t.Errorf("probe ran %q", script.args[0])
	}
}

func TestProberStartPeriodUsesStartInterval(t *testing.T) {
	check := HealthCheck{Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 10 * time.Second,
		StartPeriod: 12 * time.Second, StartInterval: 5 * time.Second, Retries: 1}
	script := &scriptedExec{codes: []int{1, 1, 1}}
	f, _ := startProber(t, check, script.exec)
	// Failures inside the start period do not count, even with retries 1;
	// the last start interval is cut to the period's end.
	if st := f.probeAfter(t, 5*time.Second, 5*time.Second); st.Status != HealthStarting {
		t.Fatalf("at 5s: %s", st.Status)
	}
	if st := f.probeAfter(t, 5*time.Second, 2*time.Second); st.Status != HealthStarting {
		t.Fatalf("at 10s: %s", st.Status)
	}
	if st := f.probeAfter(t, 2*time.Second, 30*time.Second); st.Status != HealthUnhealthy {
		t.Fatalf("at 12s, past the start period: %s, want unhealthy", st.Status)
	}
}

func TestProberTimeout(t *testing.T) {
	check := HealthCheck{Test: []string{"CMD", "sleep", "99"}, Interval: 30 * time.Second, Timeout: 10 * time.Second, StartInterval: 5 * time.Second, Retries: 3}
	cancelled := make(chan struct{})
	hang := func(ctx context.Context, _ string, p *runtime.ExecConfig) (int, error) {
		_, _ = p.Stderr.Write([]byte("still going"))
		<-ctx.Done()
		close(cancelled)
		return 0, ctx.Err()
	}
	f, _ := startProber(t, check, hang)
	f.clock.waitTimer(t, 30*time.Second)
	f.clock.Advance(30 * time.Second)
	st := f.probeAfter(t, 10*time.Second, 30*time.Second)
	<-cancelled
	if len(st.Log) != 1 || st.Log[0].ExitCode != -1 || st.Log[0].Output != "Health check exceeded timeout (10s): still going" {
		t.Errorf("log %+v, want one timed-out probe", st.Log)
	}
	if st.FailingStreak != 1 {
		t.Errorf("streak %d, want the timeout counted as a failure", st.FailingStreak)
	}
}

func TestProberFailureToExecIsAFailedProbe(t *testing.T) {
	check := HealthCheck{Test: []string{"CMD", "/missing"}, Interval: 30 * time.Second, Timeout: 10 * time.Second, Retries: 1}
	f, _ := startProber(t, check, func(context.Context, string, *runtime.ExecConfig) (int, error) {
		return 0, errors.New(`exec "/missing": no such file or directory`)
	})
	st := f.probeAfter(t, 30*time.Second, 30*time.Second)
	if st.Status != HealthUnhealthy || st.Log[0].ExitCode != -1 || !strings.Contains(st.Log[0].Output, "no such file") {
		t.Errorf("state %+v", st)
	}
}

func TestProberEndsWhenContainerStops(t *testing.T) {
	check := HealthCheck{Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 10 * time.Second, Retries: 3}
	f, _ := startProber(t, check, (&scriptedExec{codes: []int{0}}).exec)
	f.probeAfter(t, 30*time.Second, 30*time.Second)
	f.rt.exit(f.id, 0)
	f.clock.Advance(30 * time.Second)
	if err := <-f.done; err != nil {
		t.Errorf("Run returned %v, want nil once the container stopped", err)
	}
	f.done <- nil // for the cleanup
	if st, _ := f.book.Health(f.id); st.Status != HealthHealthy || len(st.Log) != 1 {
		t.Errorf("the last health was not kept: %+v", st)
	}
}

func TestProberHonoursContext(t *testing.T) {
	check := HealthCheck{Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 10 * time.Second, Retries: 3}
	f, cancel := startProber(t, check, (&scriptedExec{}).exec)
	f.clock.waitTimer(t, 30*time.Second)
	cancel()
	if err := <-f.done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	f.done <- nil
}

func TestLimitedBufferKeeps4KiB(t *testing.T) {
	var b limitedBuffer
	n, err := b.Write([]byte(strings.Repeat("x", 5000)))
	if n != 5000 || err != nil {
		t.Fatalf("Write = %d, %v; a probe must never see a short write", n, err)
	}
	if got := b.String(); len(got) != maxProbeOutput+3 || !strings.HasSuffix(got, "x...") {
		t.Errorf("kept %d bytes ending %q", len(got), got[len(got)-4:])
	}
}

package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// recorder is an Executor that logs what it is asked to do and fails the
// ops named in failOn.
type recorder struct {
	mu      sync.Mutex
	log     []string
	failOn  map[string]bool
	running atomic.Int32
	peak    atomic.Int32
}

func (r *recorder) Do(_ context.Context, op Op) error {
	n := r.running.Add(1)
	defer r.running.Add(-1)
	for {
		p := r.peak.Load()
		if n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	line := string(op.Kind) + " " + op.Resource
	r.log = append(r.log, line)
	if r.failOn[line] {
		return errors.New("boom")
	}
	return nil
}

func (r *recorder) index(t *testing.T, line string) int {
	t.Helper()
	i := slices.Index(r.log, line)
	if i < 0 {
		t.Fatalf("%q was not done; log: %q", line, r.log)
	}
	return i
}

func TestExecuteHonoursOrder(t *testing.T) {
	p := loadProject(t, stackYAML)
	res, err := ReconcileUp(p, Observed{}, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if err := Execute(t.Context(), res.Plan, rec, ExecuteOptions{Parallel: 2}); err != nil {
		t.Fatal(err)
	}
	if len(rec.log) != len(res.Plan.Steps) {
		t.Fatalf("did %d steps of %d", len(rec.log), len(res.Plan.Steps))
	}
	for _, s := range res.Plan.Steps {
		for _, a := range s.After {
			if rec.index(t, string(a.Op.Kind)+" "+a.Op.Resource) > rec.index(t, string(s.Op.Kind)+" "+s.Op.Resource) {
				t.Errorf("%s ran before %s", s.Op, a.Op)
			}
		}
	}
	if rec.peak.Load() > 2 {
		t.Errorf("%d steps ran at once with --parallel 2", rec.peak.Load())
	}
}

func TestExecuteFailureRollsBack(t *testing.T) {
	p := loadProject(t, stackYAML)
	res, err := ReconcileUp(p, Observed{}, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{failOn: map[string]bool{"start container demo-api-1": true}}
	err = Execute(t.Context(), res.Plan, rec, ExecuteOptions{Parallel: 1, Rollback: true})
	if err == nil || !strings.Contains(err.Error(), "start container demo-api-1: boom") {
		t.Fatalf("error %v", err)
	}
	for _, never := range []string{"create container demo-web-1", "start container demo-web-1"} {
		if slices.Contains(rec.log, never) {
			t.Errorf("%q ran after the failure", never)
		}
	}
	// Undone newest first: what api and db created goes, then networks;
	// the volume stays (it may hold data).
	for _, pair := range [][2]string{
		{"remove container demo-api-1", "remove container demo-db-1"},
		{"stop container demo-db-1", "remove container demo-db-1"},
		{"remove container demo-db-1", "remove network demo_back"},
	} {
		if rec.index(t, pair[0]) > rec.index(t, pair[1]) {
			t.Errorf("%q after %q", pair[0], pair[1])
		}
	}
	if slices.Contains(rec.log, "remove volume demo_data") {
		t.Error("rollback removed a volume")
	}
}

func TestExecuteOptionalWaitOnlyWarns(t *testing.T) {
	plan := &Plan{}
	wait := plan.add(Op{Kind: OpWaitService, Resource: "db", Service: "web", Condition: "service_healthy", Required: false})
	plan.add(Op{Kind: OpStartContainer, Resource: "demo-web-1"}, wait)
	rec := &recorder{failOn: map[string]bool{"wait for db": true}}
	var warned bool
	err := Execute(t.Context(), plan, rec, ExecuteOptions{Events: func(e Event) {
		if e.Status == StatusWarning {
			warned = true
		}
	}})
	if err != nil || !warned || !slices.Contains(rec.log, "start container demo-web-1") {
		t.Errorf("err %v warned %v log %q", err, warned, rec.log)
	}
}

func TestExecuteStopsOnCancel(t *testing.T) {
	p := loadProject(t, stackYAML)
	res, err := ReconcileUp(p, Observed{}, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rec := &recorder{}
	if err := Execute(ctx, res.Plan, rec, ExecuteOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if len(rec.log) != 0 {
		t.Errorf("ran %q after cancel", rec.log)
	}
}

func TestExecuteKeepGoingSkipsOnlyDependents(t *testing.T) {
	p := loadProject(t, stackYAML)
	plan, err := ReconcileDown(p, running(t, p), DownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{failOn: map[string]bool{"stop container demo-api-1": true}}
	err = Execute(t.Context(), plan, rec, ExecuteOptions{Parallel: 1, KeepGoing: true})
	if err == nil || !strings.Contains(err.Error(), "stop container demo-api-1") {
		t.Fatalf("error %v", err)
	}
	// web is independent of api's failure; db and the networks wait for
	// api's stop (or its removal) and are skipped.
	if !slices.Contains(rec.log, "remove container demo-web-1") {
		t.Errorf("web not removed: %q", rec.log)
	}
	for _, skipped := range []string{"stop container demo-db-1", "remove network demo_back"} {
		if slices.Contains(rec.log, skipped) {
			t.Errorf("%q ran though it waits for the failed step", skipped)
		}
	}
}

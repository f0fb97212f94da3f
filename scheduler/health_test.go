package scheduler

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

func dur(d time.Duration) *types.Duration { v := types.Duration(d); return &v }
func u64(n uint64) *uint64                { return &n }

func TestHealthCheckOf(t *testing.T) {
	image := &runtime.ImageHealthcheck{Test: []string{"CMD", "/probe"}, Interval: 10 * time.Second, Retries: 7}
	for _, tc := range []struct {
		name    string
		hc      *types.HealthCheckConfig
		image   *runtime.ImageHealthcheck
		want    *HealthCheck
		wantErr string
	}{
		{name: "none anywhere"},
		{name: "defaults", hc: &types.HealthCheckConfig{Test: []string{"CMD-SHELL", "true"}},
			want: &HealthCheck{Test: []string{"CMD-SHELL", "true"}, Interval: 30 * time.Second, Timeout: 30 * time.Second, StartInterval: 5 * time.Second, Retries: 3}},
		{name: "all set", hc: &types.HealthCheckConfig{Test: []string{"CMD", "pg_isready"}, Interval: dur(2 * time.Second),
			Timeout: dur(time.Second), Retries: u64(5), StartPeriod: dur(time.Minute), StartInterval: dur(time.Second)},
			want: &HealthCheck{Test: []string{"CMD", "pg_isready"}, Interval: 2 * time.Second, Timeout: time.Second, StartPeriod: time.Minute, StartInterval: time.Second, Retries: 5}},
		{name: "image only", image: image,
			want: &HealthCheck{Test: []string{"CMD", "/probe"}, Interval: 10 * time.Second, Timeout: 30 * time.Second, StartInterval: 5 * time.Second, Retries: 7}},
		{name: "service fields over the image's", image: image, hc: &types.HealthCheckConfig{Interval: dur(time.Second), Retries: u64(0)},
			want: &HealthCheck{Test: []string{"CMD", "/probe"}, Interval: time.Second, Timeout: 30 * time.Second, StartInterval: 5 * time.Second, Retries: 3}},
		{name: "disable", image: image, hc: &types.HealthCheckConfig{Disable: true}},
		{name: "NONE over the image", image: image, hc: &types.HealthCheckConfig{Test: []string{"NONE"}}},
		{name: "image NONE", image: &runtime.ImageHealthcheck{Test: []string{"NONE"}}, hc: &types.HealthCheckConfig{Interval: dur(time.Second)}},
		{name: "unknown test kind", hc: &types.HealthCheckConfig{Test: []string{"HTTP", "/"}}, wantErr: `service "db": healthcheck test ["HTTP" "/"] must start with CMD, CMD-SHELL or NONE`},
		{name: "CMD without command", hc: &types.HealthCheckConfig{Test: []string{"CMD"}}, wantErr: "healthcheck CMD has no command"},
		{name: "interval under 1ms", hc: &types.HealthCheckConfig{Test: []string{"CMD", "x"}, Interval: dur(time.Microsecond)}, wantErr: "healthcheck interval 1µs must be at least 1ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := HealthCheckOf(types.ServiceConfig{Name: "db", WorkloadSpec: types.WorkloadSpec{HealthCheck: tc.hc}}, tc.image)
			expect(t, got, err, tc.want, tc.wantErr)
		})
	}
}

func TestHealthCheckArgs(t *testing.T) {
	shell := HealthCheck{Test: []string{"CMD-SHELL", "curl -f localhost || exit 1"}}
	if got := shell.Args(); !reflect.DeepEqual(got, []string{"/bin/sh", "-c", "curl -f localhost || exit 1"}) {
		t.Errorf("CMD-SHELL args %q", got)
	}
	cmd := HealthCheck{Test: []string{"CMD", "pg_isready", "-U", "app"}}
	if got := cmd.Args(); !reflect.DeepEqual(got, []string{"pg_isready", "-U", "app"}) {
		t.Errorf("CMD args %q", got)
	}
}

func TestHealthApply(t *testing.T) {
	check := HealthCheck{Retries: 3, StartPeriod: time.Minute}
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration, code int) ProbeResult { return ProbeResult{Start: started.Add(d), ExitCode: code} }
	for _, tc := range []struct {
		name       string
		status     HealthStatus
		streak     int
		result     ProbeResult
		wantStatus HealthStatus
		wantStreak int
	}{
		{"success while starting", HealthStarting, 0, at(time.Second, 0), HealthHealthy, 0},
		{"failure in start period does not count", HealthStarting, 0, at(59*time.Second, 1), HealthStarting, 0},
		{"failure after start period counts", HealthStarting, 0, at(time.Minute, 1), HealthStarting, 1},
		{"retries-th failure: unhealthy", HealthStarting, 2, at(2*time.Minute, 1), HealthUnhealthy, 3},
		{"healthy counts failures even in start period", HealthHealthy, 0, at(time.Second, 1), HealthHealthy, 1},
		{"healthy stays healthy below retries", HealthHealthy, 1, at(2*time.Minute, 1), HealthHealthy, 2},
		{"healthy turns unhealthy at retries", HealthHealthy, 2, at(2*time.Minute, 1), HealthUnhealthy, 3},
		{"exit 2 is a failure too", HealthHealthy, 2, at(2*time.Minute, 2), HealthUnhealthy, 3},
		{"timeout (-1) is a failure", HealthHealthy, 2, at(2*time.Minute, -1), HealthUnhealthy, 3},
		{"success recovers from unhealthy", HealthUnhealthy, 5, at(2*time.Minute, 0), HealthHealthy, 0},
		{"unhealthy stays unhealthy", HealthUnhealthy, 3, at(2*time.Minute, 1), HealthUnhealthy, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := HealthState{Status: tc.status, FailingStreak: tc.streak}
			got := check.Apply(st, started, tc.result)
			if got.Status != tc.wantStatus || got.FailingStreak != tc.wantStreak {
				t.Errorf("got %s streak %d, want %s streak %d", got.Status, got.FailingStreak, tc.wantStatus, tc.wantStreak)
			}
			if len(got.Log) != 1 || got.Log[0] != tc.result {
				t.Errorf("log %+v", got.Log)
			}
		})
	}
}

func TestHealthApplyKeepsLastFiveAndIsPure(t *testing.T) {
	check := HealthCheck{Retries: 3}
	st := NewHealthState()
	var before HealthState
	for code := range 7 {
		before = st
		st = check.Apply(st, time.Time{}, ProbeResult{ExitCode: code})
	}
	codes := make([]int, len(st.Log))
	for i, r := range st.Log {
		codes[i] = r.ExitCode
	}
	if !reflect.DeepEqual(codes, []int{2, 3, 4, 5, 6}) {
		t.Errorf("log codes %v, want the last five oldest first", codes)
	}
	if before.Log[len(before.Log)-1].ExitCode != 5 {
		t.Errorf("Apply changed its input: %+v", before.Log)
	}
}

func TestHealthNextProbe(t *testing.T) {
	check := HealthCheck{Interval: 30 * time.Second, StartInterval: 5 * time.Second, StartPeriod: time.Minute}
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		status  HealthStatus
		elapsed time.Duration
		want    time.Duration
	}{
		{"starting in start period: start interval", HealthStarting, 0, 5 * time.Second},
		{"start interval never passes the period's end", HealthStarting, 57 * time.Second, 3 * time.Second},
		{"healthy in start period: interval", HealthHealthy, 10 * time.Second, 30 * time.Second},
		{"healthy near the period's end: at its end", HealthHealthy, 50 * time.Second, 10 * time.Second},
		{"after the start period: interval", HealthStarting, time.Minute, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := check.NextProbe(HealthState{Status: tc.status}, started, started.Add(tc.elapsed))
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	noPeriod := HealthCheck{Interval: 30 * time.Second, StartInterval: 5 * time.Second}
	if got := noPeriod.NextProbe(NewHealthState(), started, started); got != 30*time.Second {
		t.Errorf("without a start period the first probe waits %v, want the interval", got)
	}
}

func TestHealthStatusDisplay(t *testing.T) {
	for status, want := range map[HealthStatus]string{HealthStarting: "health: starting", HealthHealthy: "healthy", HealthUnhealthy: "unhealthy"} {
		if got := status.Display(); got != want {
			t.Errorf("%s shows as %q, want %q", status, got, want)
		}
	}
}

// expect checks one row of a table test: the error contains wantErr when
// one is wanted, else there is none and got is want.
func expect[T any](t *testing.T, got T, err error, want T, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want %q", err, wantErr)
		}
		return
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
}

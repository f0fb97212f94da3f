package scheduler

import (
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestRestartPolicyOf(t *testing.T) {
	deploy := func(rp types.RestartPolicy) *types.DeployConfig { return &types.DeployConfig{RestartPolicy: &rp} }
	for _, tc := range []struct {
		name    string
		restart string
		deploy  *types.DeployConfig
		want    RestartPolicy
		wantErr string
	}{
		{name: "unset", want: RestartPolicy{Mode: RestartNo}},
		{name: "no", restart: "no", want: RestartPolicy{Mode: RestartNo}},
		{name: "always", restart: "always", want: RestartPolicy{Mode: RestartAlways}},
		{name: "unless-stopped", restart: "unless-stopped", want: RestartPolicy{Mode: RestartUnlessStopped}},
		{name: "on-failure", restart: "on-failure", want: RestartPolicy{Mode: RestartOnFailure}},
		{name: "on-failure:5", restart: "on-failure:5", want: RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 5}},
		{name: "count on always", restart: "always:3", wantErr: "maximum retry count can only be used with 'on-failure'"},
		{name: "bad count", restart: "on-failure:x", wantErr: `service "web": invalid restart policy "on-failure:x"`},
		{name: "unknown", restart: "sometimes", wantErr: `invalid restart policy "sometimes"`},
		{name: "deploy wins", restart: "always", deploy: deploy(types.RestartPolicy{Condition: "on-failure", MaxAttempts: u64(3),
			Delay: dur(2 * time.Second), Window: dur(time.Minute)}),
			want: RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 3, Delay: 2 * time.Second, Window: time.Minute}},
		{name: "deploy none", deploy: deploy(types.RestartPolicy{Condition: "none"}), want: RestartPolicy{Mode: RestartNo}},
		{name: "deploy any", deploy: deploy(types.RestartPolicy{Condition: "any"}), want: RestartPolicy{Mode: RestartAlways}},
		{name: "deploy without condition is any", deploy: deploy(types.RestartPolicy{}), want: RestartPolicy{Mode: RestartAlways}},
		{name: "deploy without restart_policy", restart: "always", deploy: &types.DeployConfig{}, want: RestartPolicy{Mode: RestartAlways}},
		{name: "deploy bad condition", deploy: deploy(types.RestartPolicy{Condition: "often"}), wantErr: `invalid deploy.restart_policy.condition "often"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RestartPolicyOf(types.ServiceConfig{Name: "web", Restart: tc.restart, Deploy: tc.deploy})
			expect(t, got, err, tc.want, tc.wantErr)
		})
	}
}

func TestRestartPolicyFromComposeFile(t *testing.T) {
	p := loadProject(t, `name: demo
services:
  worker:
    image: busybox
    restart: on-failure:4
  api:
    image: busybox
    deploy:
      restart_policy:
        condition: on-failure
        delay: 3s
        max_attempts: 2
        window: 2m
`)
	worker, err := RestartPolicyOf(p.Services["worker"])
	if err != nil || worker != (RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 4}) {
		t.Errorf("worker: %+v, %v", worker, err)
	}
	api, err := RestartPolicyOf(p.Services["api"])
	if err != nil || api != (RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 2, Delay: 3 * time.Second, Window: 2 * time.Minute}) {
		t.Errorf("api: %+v, %v", api, err)
	}
}

func TestDecideRestart(t *testing.T) {
	always := RestartPolicy{Mode: RestartAlways}
	onFailure := RestartPolicy{Mode: RestartOnFailure}
	unlessStopped := RestartPolicy{Mode: RestartUnlessStopped}
	ms := time.Millisecond
	for _, tc := range []struct {
		name      string
		policy    RestartPolicy
		st        RestartState
		exit      Exit
		want      RestartDecision
		wantCount int
	}{
		{"no never restarts", RestartPolicy{Mode: RestartNo}, RestartState{}, Exit{Code: 1}, RestartDecision{}, 0},
		{"always, exit 0: first backoff", always, RestartState{}, Exit{Code: 0}, RestartDecision{true, 100 * ms}, 1},
		{"always doubles the backoff", always, RestartState{Count: 1, Backoff: 100 * ms}, Exit{Code: 0, Ran: time.Second}, RestartDecision{true, 200 * ms}, 2},
		{"backoff capped at a minute", always, RestartState{Count: 12, Backoff: 51200 * ms}, Exit{Code: 1}, RestartDecision{true, time.Minute}, 13},
		{"backoff stays at the cap", always, RestartState{Count: 13, Backoff: time.Minute}, Exit{Code: 1}, RestartDecision{true, time.Minute}, 14},
		{"a 10s run resets the backoff", always, RestartState{Count: 5, Backoff: 3200 * ms}, Exit{Code: 1, Ran: 10 * time.Second}, RestartDecision{true, 100 * ms}, 6},
		{"always: manual stop is not undone", always, RestartState{}, Exit{Code: 143, ManuallyStopped: true}, RestartDecision{}, 0},
		{"always: a manual stop is undone at daemon start", always, RestartState{}, Exit{Code: 143, ManuallyStopped: true, DaemonStart: true}, RestartDecision{true, 100 * ms}, 1},
		{"unless-stopped restarts on exit 0", unlessStopped, RestartState{}, Exit{Code: 0}, RestartDecision{true, 100 * ms}, 1},
		{"unless-stopped: manual stop stays, even at daemon start", unlessStopped, RestartState{}, Exit{Code: 143, ManuallyStopped: true, DaemonStart: true}, RestartDecision{}, 0},
		{"on-failure: exit 0 stays", onFailure, RestartState{}, Exit{Code: 0}, RestartDecision{}, 0},
		{"on-failure: non-zero restarts", onFailure, RestartState{}, Exit{Code: 2}, RestartDecision{true, 100 * ms}, 1},
		{"on-failure: killed by a signal restarts", onFailure, RestartState{}, Exit{Code: 137}, RestartDecision{true, 100 * ms}, 1},
		{"on-failure: manual stop stays", onFailure, RestartState{}, Exit{Code: 143, ManuallyStopped: true}, RestartDecision{}, 0},
		{"on-failure:3 below the bound", RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 3}, RestartState{Count: 2, Backoff: 200 * ms}, Exit{Code: 1}, RestartDecision{true, 400 * ms}, 3},
		{"on-failure:3 at the bound", RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 3}, RestartState{Count: 3, Backoff: 400 * ms}, Exit{Code: 1}, RestartDecision{}, 3},
		{"deploy delay replaces the backoff", RestartPolicy{Mode: RestartAlways, Delay: 5 * time.Second}, RestartState{Count: 4, Backoff: 1600 * ms}, Exit{Code: 1}, RestartDecision{true, 5 * time.Second}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := DecideRestart(tc.policy, tc.st, tc.exit)
			if got != tc.want || next.Count != tc.wantCount {
				t.Errorf("got %+v count %d, want %+v count %d", got, next.Count, tc.want, tc.wantCount)
			}
		})
	}
}

func TestDecideRestartWindow(t *testing.T) {
	// Two attempts per minute, as Swarm counts them: restarts older than
	// the window no longer count.
	policy := RestartPolicy{Mode: RestartAlways, MaxAttempts: 2, Window: time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var st RestartState
	var d RestartDecision
	for i, step := range []struct {
		at      time.Duration
		restart bool
	}{{0, true}, {10 * time.Second, true}, {20 * time.Second, false}, {65 * time.Second, true}, {69 * time.Second, false}, {71 * time.Second, true}} {
		before := append([]time.Time(nil), st.Recent...)
		d, st = DecideRestart(policy, st, Exit{Code: 1, At: t0.Add(step.at)})
		if d.Restart != step.restart {
			t.Fatalf("exit %d at %v: restart %v, want %v (recent %v)", i+1, step.at, d.Restart, step.restart, before)
		}
	}
	if st.Count != 4 {
		t.Errorf("count %d, want 4 restarts in all", st.Count)
	}
}

func TestDecideRestartIsPure(t *testing.T) {
	policy := RestartPolicy{Mode: RestartAlways, MaxAttempts: 5, Window: time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := RestartState{Count: 1, Backoff: 100 * time.Millisecond, Recent: []time.Time{t0}}
	_, _ = DecideRestart(policy, st, Exit{Code: 1, At: t0.Add(2 * time.Minute)})
	if st.Count != 1 || len(st.Recent) != 1 || !st.Recent[0].Equal(t0) {
		t.Errorf("DecideRestart changed its input: %+v", st)
	}
}

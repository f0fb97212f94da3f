package scheduler

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

func TestConditionMet(t *testing.T) {
	health := func(s HealthStatus) *HealthState { return &HealthState{Status: s} }
	running := func(name string, h *HealthState) member {
		return member{Name: name, Status: runtime.StatusRunning, Health: h}
	}
	exited := func(name string, code int) member {
		return member{Name: name, Status: runtime.StatusExited, Exit: code}
	}
	created := member{Name: "demo-db-1", Status: runtime.StatusCreated}
	for _, tc := range []struct {
		name        string
		condition   string
		members     []member
		wantPending string
		wantErr     string
	}{
		{"started: running", types.ServiceConditionStarted, []member{running("demo-db-1", nil)}, "", ""},
		{"started: a one-shot already done", types.ServiceConditionStarted, []member{exited("demo-db-1", 0)}, "", ""},
		{"started: not yet", types.ServiceConditionStarted, []member{running("demo-db-1", nil), created}, "container demo-db-1 is created", ""},
		{"healthy: every replica", types.ServiceConditionHealthy, []member{running("demo-db-1", health(HealthHealthy)), running("demo-db-2", health(HealthHealthy))}, "", ""},
		{"healthy: one still starting", types.ServiceConditionHealthy, []member{running("demo-db-1", health(HealthHealthy)), running("demo-db-2", health(HealthStarting))}, "container demo-db-2 is starting", ""},
		{"healthy: unhealthy", types.ServiceConditionHealthy, []member{running("demo-db-1", health(HealthUnhealthy))}, "", "dependency failed to start: container demo-db-1 is unhealthy"},
		{"healthy: no check", types.ServiceConditionHealthy, []member{running("demo-db-1", nil)}, "", "dependency failed to start: container demo-db-1 has no healthcheck configured"},
		{"healthy: exited", types.ServiceConditionHealthy, []member{exited("demo-db-1", 3)}, "", "dependency failed to start: container demo-db-1 exited (3)"},
		{"healthy: not started yet", types.ServiceConditionHealthy, []member{created}, "container demo-db-1 is created", ""},
		{"completed: exit 0", types.ServiceConditionCompletedSuccessfully, []member{exited("demo-db-1", 0)}, "", ""},
		{"completed: still running", types.ServiceConditionCompletedSuccessfully, []member{exited("demo-db-1", 0), running("demo-db-2", nil)}, "container demo-db-2 is running", ""},
		{"completed: exit 1", types.ServiceConditionCompletedSuccessfully, []member{exited("demo-db-1", 1)}, "", `service "db" didn't complete successfully: exit 1`},
		{"running or healthy: running, no check", ConditionRunningOrHealthy, []member{running("demo-db-1", nil)}, "", ""},
		{"running or healthy: one-shot done", ConditionRunningOrHealthy, []member{exited("demo-db-1", 0)}, "", ""},
		{"running or healthy: starting", ConditionRunningOrHealthy, []member{running("demo-db-1", health(HealthStarting))}, "container demo-db-1 is starting", ""},
		{"running or healthy: unhealthy", ConditionRunningOrHealthy, []member{running("demo-db-1", health(HealthUnhealthy))}, "", "container demo-db-1 is unhealthy"},
		{"running or healthy: exit 2", ConditionRunningOrHealthy, []member{exited("demo-db-1", 2)}, "", "container demo-db-1 exited (2)"},
		{"unknown condition", "service_happy", nil, "", "unsupported depends_on condition: service_happy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pending, err := conditionMet("db", tc.condition, tc.members)
			if pending != tc.wantPending {
				t.Errorf("pending %q, want %q", pending, tc.wantPending)
			}
			if got := errString(err); got != tc.wantErr {
				t.Errorf("error %q, want %q", got, tc.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

package scheduler

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// ConditionRunningOrHealthy is what `up --wait` waits for: running, and
// healthy when the container has a health check; a one-shot container that
// exited 0 is done. Docker Compose names it the same.
const ConditionRunningOrHealthy = "running_or_healthy"

// member is what a wait knows of one container at one moment.
type member struct {
	Name   string
	Status runtime.Status
	Exit   int          // exit code, once exited
	Health *HealthState // nil when it has no health check
}

// conditionMet reports whether the containers of service meet condition.
// When they do not yet, pending says which container is not there and
// why; an error says they never will (with Docker Compose's messages). It
// is pure.
func conditionMet(service, condition string, members []member) (pending string, err error) {
	var check func(member) (string, error)
	switch condition {
	case types.ServiceConditionStarted, "":
		check = started
	case types.ServiceConditionHealthy:
		check = healthy
	case types.ServiceConditionCompletedSuccessfully:
		check = func(m member) (string, error) { return completed(service, m) }
	case ConditionRunningOrHealthy:
		check = runningOrHealthy
	default:
		return "", fmt.Errorf("unsupported depends_on condition: %s", condition)
	}
	for _, m := range members {
		if p, err := check(m); p != "" || err != nil {
			return p, err
		}
	}
	return "", nil
}

// notYet describes a container that is not ready: "container demo-db-1 is
// starting".
func notYet(m member, state string) string {
	return fmt.Sprintf("container %s is %s", m.Name, state)
}

// started: the container has been started, whether it still runs or has
// already ended (a one-shot may be done before anyone looks).
func started(m member) (string, error) {
	if m.Status == runtime.StatusCreated {
		return notYet(m, string(m.Status)), nil
	}
	return "", nil
}

func healthy(m member) (string, error) {
	switch {
	case m.Status == runtime.StatusExited:
		return "", fmt.Errorf("dependency failed to start: container %s exited (%d)", m.Name, m.Exit)
	case m.Status != runtime.StatusRunning:
		return notYet(m, string(m.Status)), nil
	case m.Health == nil:
		return "", fmt.Errorf("dependency failed to start: container %s has no healthcheck configured", m.Name)
	}
	switch m.Health.Status {
	case HealthHealthy:
		return "", nil
	case HealthUnhealthy:
		return "", fmt.Errorf("dependency failed to start: container %s is unhealthy", m.Name)
	}
	return notYet(m, string(m.Health.Status)), nil
}

func completed(service string, m member) (string, error) {
	if m.Status != runtime.StatusExited {
		return notYet(m, string(m.Status)), nil
	}
	if m.Exit != 0 {
		return "", fmt.Errorf("service %q didn't complete successfully: exit %d", service, m.Exit)
	}
	return "", nil
}

func runningOrHealthy(m member) (string, error) {
	switch {
	case m.Status == runtime.StatusExited && m.Exit == 0:
		return "", nil
	case m.Status == runtime.StatusExited:
		return "", fmt.Errorf("container %s exited (%d)", m.Name, m.Exit)
	case m.Status != runtime.StatusRunning:
		return notYet(m, string(m.Status)), nil
	case m.Health == nil:
		return "", nil
	case m.Health.Status == HealthUnhealthy:
		return "", fmt.Errorf("container %s is unhealthy", m.Name)
	case m.Health.Status != HealthHealthy:
		return notYet(m, string(m.Health.Status)), nil
	}
	return "", nil
}

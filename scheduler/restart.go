package scheduler

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// RestartMode is when a container that stopped is started again.
type RestartMode string

// Restart modes, named as Docker names them.
const (
	RestartNo            RestartMode = "no"
	RestartAlways        RestartMode = "always"
	RestartOnFailure     RestartMode = "on-failure"
	RestartUnlessStopped RestartMode = "unless-stopped"
)

// RestartPolicy is a service's effective restart policy.
type RestartPolicy struct {
	Mode RestartMode
	// MaxAttempts bounds the restarts (0: no bound). From `restart:
	// on-failure:N` it counts every restart, as Docker's maximum retry
	// count does; from deploy.restart_policy only those within Window.
	MaxAttempts int
	// Delay, from deploy.restart_policy.delay, replaces Docker's
	// exponential backoff with a fixed wait; 0 keeps the backoff.
	Delay time.Duration
	// Window, from deploy.restart_policy.window: restarts longer ago than
	// this do not count against MaxAttempts (0: all count), as Swarm does.
	Window time.Duration
}

// RestartPolicyOf returns the restart policy of s: deploy.restart_policy
// when set, which wins as it does with Docker Compose, else `restart`.
// deploy's conditions map as Docker Compose maps them (none -> no, any ->
// always); a restart_policy without a condition means any, as the compose
// specification says.
func RestartPolicyOf(s types.ServiceConfig) (RestartPolicy, error) {
	if s.Deploy != nil && s.Deploy.RestartPolicy != nil {
		return deployPolicy(s.Name, s.Deploy.RestartPolicy)
	}
	return parseRestart(s.Name, s.Restart)
}

func deployPolicy(service string, rp *types.RestartPolicy) (RestartPolicy, error) {
	var p RestartPolicy
	switch rp.Condition {
	case "none", "no":
		p.Mode = RestartNo
	case "on-failure":
		p.Mode = RestartOnFailure
	case "any", "always", "":
		p.Mode = RestartAlways
	case "unless-stopped":
		p.Mode = RestartUnlessStopped
	default:
		return p, fmt.Errorf("service %q: invalid deploy.restart_policy.condition %q: want none, on-failure or any", service, rp.Condition)
	}
	if rp.MaxAttempts != nil {
		p.MaxAttempts = int(*rp.MaxAttempts)
	}
	if rp.Delay != nil {
		p.Delay = time.Duration(*rp.Delay)
	}
	if rp.Window != nil {
		p.Window = time.Duration(*rp.Window)
	}
	return p, nil
}

// parseRestart reads `restart: no | always | on-failure[:N] |
// unless-stopped`, with Docker's messages for what it refuses.
func parseRestart(service, s string) (RestartPolicy, error) {
	mode, count, hasCount := strings.Cut(s, ":")
	p := RestartPolicy{Mode: RestartMode(mode)}
	switch p.Mode {
	case "", RestartNo:
		p.Mode = RestartNo
	case RestartAlways, RestartUnlessStopped:
	case RestartOnFailure:
		if !hasCount {
			return p, nil
		}
		n, err := strconv.Atoi(count)
		if err != nil || n < 0 {
			return p, fmt.Errorf("service %q: invalid restart policy %q: maximum retry count must be a non-negative integer", service, s)
		}
		p.MaxAttempts = n
		return p, nil
	default:
		return p, fmt.Errorf("service %q: invalid restart policy %q: want no, always, on-failure[:max-retries] or unless-stopped", service, s)
	}
	if hasCount {
		return p, fmt.Errorf("service %q: invalid restart policy %q: maximum retry count can only be used with 'on-failure'", service, s)
	}
	return p, nil
}

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// WaitReady is `up --wait`: it blocks until every container of services
// (of project projectName) is running, and healthy when it has a health
// check; a one-shot container that exited 0 counts as done. It fails as
// soon as one exits non-zero or turns unhealthy, and after timeout (0: no
// limit) with an error naming every service not ready and why.
func (w *Waiter) WaitReady(ctx context.Context, projectName string, services []string, timeout time.Duration) error {
	all, err := w.Runtime.List(ctx)
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	obs := Observed{Containers: ContainersFrom(all, projectName)}
	var deadline <-chan time.Time
	if timeout > 0 {
		t := orReal(w.Clock).NewTimer(timeout)
		defer t.Stop()
		deadline = t.C()
	}
	pending, err := w.until(ctx, deadline, func(ctx context.Context) (string, error) {
		return w.notReady(ctx, obs, services)
	})
	if errors.Is(err, errWaitTimeout) {
		return fmt.Errorf("application not healthy after %s: %s", timeout, pending)
	}
	return err
}

// notReady lists the services of obs not yet ready, each with the first
// of its containers that is not: `service "api" is not ready (container
// demo-api-1 is starting)`.
func (w *Waiter) notReady(ctx context.Context, obs Observed, services []string) (string, error) {
	var pending []string
	for _, s := range services {
		p, err := w.check(ctx, s, obs.containersOf(s), ConditionRunningOrHealthy)
		if err != nil {
			return "", err
		}
		if p != "" {
			pending = append(pending, fmt.Sprintf("service %q is not ready (%s)", s, p))
		}
	}
	return strings.Join(pending, "; "), nil
}

package scheduler

import "time"

// HealthStatus is a container's health, named as Docker names it.
type HealthStatus string

// Health states. A container without a health check has none.
const (
	HealthStarting  HealthStatus = "starting"
	HealthHealthy   HealthStatus = "healthy"
	HealthUnhealthy HealthStatus = "unhealthy"
)

// Display is the health as `ps` shows it after the uptime, as Docker does:
// "Up 5 seconds (health: starting)", "Up 2 minutes (healthy)".
func (s HealthStatus) Display() string {
	if s == HealthStarting {
		return "health: starting"
	}
	return string(s)
}

// ProbeResult is one run of a health check.
type ProbeResult struct {
	Start    time.Time
	End      time.Time
	ExitCode int    // 0 healthy; anything else, -1 for a timeout or a probe that could not run, fails
	Output   string // stdout and stderr, at most 4 KiB
}

// HealthState is what the health checks of one container have found.
type HealthState struct {
	Status        HealthStatus
	FailingStreak int           // consecutive failures that counted
	Log           []ProbeResult // the last five results, oldest first
}

// NewHealthState is the state of a container that has just started (or
// restarted): starting, no failures.
func NewHealthState() HealthState { return HealthState{Status: HealthStarting} }

// Apply returns the state after result, for a container started at
// started, with Docker's rules: a success makes it healthy (even inside
// the start period) and clears the streak; a failure while still starting
// within the start period does not count; otherwise it adds to the streak,
// and `Retries` consecutive failures make it unhealthy. Whether the
// container is still in its start period is judged at the probe's start.
// Apply is pure: st is not modified.
func (c *HealthCheck) Apply(st HealthState, started time.Time, r ProbeResult) HealthState {
	next := HealthState{Status: st.Status, FailingStreak: st.FailingStreak, Log: appendLog(st.Log, r)}
	if r.ExitCode == 0 {
		next.Status = HealthHealthy
		next.FailingStreak = 0
		return next
	}
	if st.Status == HealthStarting && r.Start.Sub(started) < c.StartPeriod {
		return next
	}
	next.FailingStreak++
	if next.FailingStreak >= c.Retries {
		next.Status = HealthUnhealthy
	}
	return next
}

// appendLog returns a new log: log's newest entries and r, at most
// maxHealthLog in all.
func appendLog(log []ProbeResult, r ProbeResult) []ProbeResult {
	keep := min(len(log), maxHealthLog-1)
	out := make([]ProbeResult, 0, keep+1)
	out = append(out, log[len(log)-keep:]...)
	return append(out, r)
}

// NextProbe returns how long to wait, from now, before the next probe of a
// container started at started. Past the start period it is Interval.
// Within it, a container still starting is probed every StartInterval, a
// healthy one every Interval; either way the first probe past the start
// period comes as the period ends (as Docker 25 and later do), so a slow
// start interval cannot push the check past the period's end.
func (c *HealthCheck) NextProbe(st HealthState, started, now time.Time) time.Duration {
	remaining := c.StartPeriod - now.Sub(started)
	if remaining <= 0 {
		return c.Interval
	}
	wait := c.Interval
	if st.Status == HealthStarting {
		wait = c.StartInterval
	}
	return min(wait, remaining)
}

package scheduler

import "time"

// Docker's restart backoff (moby restartmanager): the first restart waits
// 100ms, each next one twice as long, at most a minute; a container that
// ran for 10s or more starts again from 100ms.
const (
	restartBackoffStart = 100 * time.Millisecond
	restartBackoffMax   = time.Minute
	restartBackoffReset = 10 * time.Second
)

// RestartState is what the restart decisions of one container carry from
// one exit to the next. Its zero value is a container never restarted; the
// daemon resets it when the user starts the container (up, start,
// restart), as Docker resets its restart count.
type RestartState struct {
	Count   int           // restarts so far (Docker's RestartCount)
	Backoff time.Duration // the backoff's last delay; 0 before any exit
	// Recent holds when the restarts within the policy's window were
	// decided, oldest first; only a policy with a Window keeps it.
	Recent []time.Time
}

// Exit is how and when a container's process ended.
type Exit struct {
	Code int
	At   time.Time     // when it exited
	Ran  time.Duration // how long it had run
	// ManuallyStopped: the user stopped it (stop, down, a first Ctrl-C).
	// No policy restarts such a container while the daemon runs.
	ManuallyStopped bool
	// DaemonStart: the decision is made for a container found stopped as
	// the daemon starts. `always` then restarts even a manually stopped
	// container, which is all that tells it from `unless-stopped`.
	DaemonStart bool
}

// RestartDecision says whether to restart, and after how long.
type RestartDecision struct {
	Restart bool
	Delay   time.Duration
}

// DecideRestart applies policy p to exit e of a container whose restarts
// so far st records, with Docker's rules: `no` never restarts; `always`
// and `unless-stopped` restart on any exit, `on-failure` on a non-zero
// one; a manual stop is never undone (but see Exit.DaemonStart); a policy
// with MaxAttempts stops once that many restarts count. It returns the
// state to pass to the next decision. It is pure.
func DecideRestart(p RestartPolicy, st RestartState, e Exit) (RestartDecision, RestartState) {
	next := RestartState{
		Count:   st.Count,
		Backoff: nextBackoff(st.Backoff, e.Ran),
		Recent:  recentRestarts(st.Recent, p.Window, e.At),
	}
	if !wantsRestart(p.Mode, e) || !withinAttempts(p, next) {
		return RestartDecision{}, next
	}
	next.Count++
	if p.Window > 0 {
		next.Recent = append(next.Recent, e.At)
	}
	delay := next.Backoff
	if p.Delay > 0 {
		delay = p.Delay
	}
	return RestartDecision{Restart: true, Delay: delay}, next
}

func wantsRestart(mode RestartMode, e Exit) bool {
	switch mode {
	case RestartAlways:
		return !e.ManuallyStopped || e.DaemonStart
	case RestartUnlessStopped:
		return !e.ManuallyStopped
	case RestartOnFailure:
		return !e.ManuallyStopped && e.Code != 0
	}
	return false
}

func withinAttempts(p RestartPolicy, st RestartState) bool {
	switch {
	case p.MaxAttempts == 0:
		return true
	case p.Window > 0:
		return len(st.Recent) < p.MaxAttempts
	}
	return st.Count < p.MaxAttempts
}

// nextBackoff doubles the last delay, as Docker does on every exit,
// starting over when the container had run long enough to count as
// having started well.
func nextBackoff(last, ran time.Duration) time.Duration {
	if ran >= restartBackoffReset || last == 0 {
		return restartBackoffStart
	}
	return min(last*2, restartBackoffMax)
}

// recentRestarts returns, in a new slice, the restarts of recent decided
// within window before now.
func recentRestarts(recent []time.Time, window time.Duration, now time.Time) []time.Time {
	if window <= 0 {
		return nil
	}
	var out []time.Time
	for _, t := range recent {
		if now.Sub(t) < window {
			out = append(out, t)
		}
	}
	return out
}

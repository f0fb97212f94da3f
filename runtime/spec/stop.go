package spec

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Linux's signal numbers (signal(7)); glibc keeps 32 and 33 for itself, so
// SIGRTMIN is 34 for programs in a container as Docker counts it.
const (
	sigTerm  = 15
	sigRTMin = 34
	sigRTMax = 64
)

// signalNumbers are the standard signals by name, without "SIG".
var signalNumbers = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6,
	"BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12,
	"PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18,
	"STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24,
	"XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29,
	"PWR": 30, "SYS": 31, "RTMIN": sigRTMin, "RTMAX": sigRTMax,
}

// defaultStopGrace is how long Docker waits after the stop signal before
// it kills the container.
const defaultStopGrace = 10 * time.Second

// stop sets the stop signal (the service's, else the image's, else
// SIGTERM) and the grace period before SIGKILL (10s unless
// stop_grace_period says otherwise).
func (t *translation) stop() error {
	key, name := "stop_signal", t.svc.StopSignal
	if name == "" {
		key, name = fmt.Sprintf("stop_signal (STOPSIGNAL of image %q)", t.img.Ref), t.img.StopSignal
	}
	sig := sigTerm
	if name != "" {
		var err error
		if sig, err = parseSignal(name); err != nil {
			return t.invalid(key, "%w", err)
		}
	}
	t.cfg.StopSignal = syscall.Signal(sig)
	grace, err := t.stopGrace()
	t.cfg.StopGrace = grace
	return err
}

// stopGrace is stop_grace_period in whole seconds, as Docker's API carries
// it. Zero (kill at once) is written as one nanosecond, because the
// runtime reads a zero StopGrace as Docker's default of 10s.
func (t *translation) stopGrace() (time.Duration, error) {
	if t.svc.StopGracePeriod == nil {
		return defaultStopGrace, nil
	}
	d := time.Duration(*t.svc.StopGracePeriod)
	if d < 0 {
		return 0, t.invalid("stop_grace_period", "%s must not be negative", d)
	}
	if d = d.Truncate(time.Second); d == 0 {
		return time.Nanosecond, nil
	}
	return d, nil
}

// parseSignal parses a signal as Docker does: a number, or a name with or
// without "SIG" in any case, including RTMIN+n and RTMAX-n.
func parseSignal(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > sigRTMax {
			return 0, fmt.Errorf("invalid signal %q: want 1 to %d", s, sigRTMax)
		}
		return n, nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	if n, ok := signalNumbers[name]; ok {
		return n, nil
	}
	if n, ok := realtimeSignal(name); ok {
		return n, nil
	}
	return 0, fmt.Errorf("invalid signal %q", s)
}

// realtimeSignal parses RTMIN+n and RTMAX-n.
func realtimeSignal(name string) (int, bool) {
	for base, sign := range map[string]int{"RTMIN+": 1, "RTMAX-": -1} {
		rest, ok := strings.CutPrefix(name, base)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		sig := signalNumbers[base[:5]] + sign*n
		return sig, err == nil && n >= 0 && sig >= sigRTMin && sig <= sigRTMax
	}
	return 0, false
}

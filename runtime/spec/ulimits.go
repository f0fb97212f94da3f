package spec

import (
	"maps"
	"math"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// rlimitNames are the resource limits of setrlimit(2), named as ulimits
// names them (RLIMIT_NOFILE is "nofile").
var rlimitNames = []string{
	"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
	"nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
}

// unlimited is RLIM_INFINITY, which ulimits writes as -1.
const unlimited = math.MaxUint64

// ulimits sets the resource limits, sorted by name: a single value sets
// both the soft and the hard limit; -1 is unlimited. Docker refuses an
// unknown name and a soft limit above the hard one.
func (t *translation) ulimits() error {
	for _, name := range slices.Sorted(maps.Keys(t.svc.Ulimits)) {
		r, err := t.rlimit(name, t.svc.Ulimits[name])
		if err != nil {
			return err
		}
		t.cfg.Rlimits = append(t.cfg.Rlimits, r)
	}
	return nil
}

func (t *translation) rlimit(name string, u *types.UlimitsConfig) (runtime.Rlimit, error) {
	if !slices.Contains(rlimitNames, name) {
		return runtime.Rlimit{}, t.invalid("ulimits", "unknown limit %q", name)
	}
	if u == nil {
		return runtime.Rlimit{}, t.invalid("ulimits", "%s has no value", name)
	}
	soft, hard := u.Single, u.Single
	if u.Single == 0 {
		soft, hard = u.Soft, u.Hard
	}
	if soft < -1 || hard < -1 {
		return runtime.Rlimit{}, t.invalid("ulimits", "%s: want -1 (unlimited) or a limit, not %d/%d", name, soft, hard)
	}
	r := runtime.Rlimit{Type: name, Soft: rlim(soft), Hard: rlim(hard)}
	if r.Soft > r.Hard {
		return runtime.Rlimit{}, t.invalid("ulimits", "%s: soft limit %d is above hard limit %d", name, soft, hard)
	}
	return r, nil
}

// rlim converts a ulimits value, -1 for unlimited.
func rlim(v int) uint64 {
	if v == -1 {
		return unlimited
	}
	return uint64(v)
}

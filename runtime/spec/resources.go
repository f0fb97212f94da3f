package spec

import (
	"math"
	"regexp"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// minMemory is the smallest memory limit or reservation Docker accepts
// (6 MiB, moby's linuxMinMemory): less would not even start a process.
const minMemory = 6 << 20

// minNanoCPUs is the smallest CPU limit: with the CFS period of 100ms, it
// is a quota of 1ms, the kernel's minimum (sched-design-CFS).
const minNanoCPUs = 1e7

// cpusetList is the syntax of a cpuset: CPU numbers and ranges, and
// cpusetRange finds its ranges.
var (
	cpusetList  = regexp.MustCompile(`^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$`)
	cpusetRange = regexp.MustCompile(`([0-9]+)-([0-9]+)`)
)

// setting is one resource value and the key it came from, for errors.
type setting struct {
	key   string
	value int64
}

// pick is the deploy value when it is set, as Docker Compose lets
// deploy.resources override the service-level keys (compose-go already
// refuses distinct values for both).
func pick(service, deploy setting) setting {
	if deploy.value != 0 {
		return deploy
	}
	return service
}

// resources sets the cgroup limits from mem_limit, memswap_limit,
// mem_reservation, cpus, cpu_shares, cpuset and pids_limit, overridden by
// deploy.resources.limits (cpus, memory, pids) and
// deploy.resources.reservations.memory, and refuses what Docker refuses.
func (t *translation) resources() error {
	limits, reservations := deployResources(t.svc)
	memory := pick(setting{"mem_limit", int64(t.svc.MemLimit)}, setting{"deploy.resources.limits.memory", int64(limits.MemoryBytes)})
	reservation := pick(setting{"mem_reservation", int64(t.svc.MemReservation)}, setting{"deploy.resources.reservations.memory", int64(reservations.MemoryBytes)})
	swap := setting{"memswap_limit", int64(t.svc.MemSwapLimit)}
	cpus := pick(setting{"cpus", nanoCPUs(t.svc.CPUS)}, setting{"deploy.resources.limits.cpus", nanoCPUs(float32(limits.NanoCPUs))})
	pids := pick(setting{"pids_limit", t.svc.PidsLimit}, setting{"deploy.resources.limits.pids", limits.Pids})
	checks := []func() error{
		func() error { return t.checkMemory(memory, swap, reservation) },
		func() error { return t.checkCPUs(cpus) },
		func() error { return t.checkNonNegative(setting{"cpu_shares", t.svc.CPUShares}) },
		func() error { return t.checkCpuset(t.svc.CPUSet) },
		func() error { return t.checkPids(pids) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	t.cfg.Resources = runtime.Resources{
		Memory:            memory.value,
		MemorySwap:        swap.value,
		MemoryReservation: reservation.value,
		NanoCPUs:          cpus.value,
		CPUShares:         uint64(t.svc.CPUShares),
		CpusetCpus:        t.svc.CPUSet,
		PidsLimit:         max(pids.value, 0), // -1 is unlimited, as 0 is
	}
	return nil
}

// deployResources are the service's deploy limits and reservations, empty
// when it has none.
func deployResources(s *types.ServiceConfig) (limits, reservations types.Resource) {
	if s.Deploy == nil {
		return
	}
	if r := s.Deploy.Resources.Limits; r != nil {
		limits = *r
	}
	if r := s.Deploy.Resources.Reservations; r != nil {
		reservations = *r
	}
	return
}

// nanoCPUs converts a number of CPUs to billionths, from the decimal the
// user wrote rather than its float32 approximation (0.1 is 100000000).
func nanoCPUs(cpus float32) int64 {
	exact, _ := strconv.ParseFloat(strconv.FormatFloat(float64(cpus), 'g', -1, 32), 64)
	return int64(math.Round(exact * 1e9))
}

// checkMemory refuses what Docker's daemon refuses: negative values (but
// memswap_limit -1, unlimited swap), limits under 6 MiB, swap without or
// below the memory limit, a reservation above the limit.
func (t *translation) checkMemory(memory, swap, reservation setting) error {
	for _, s := range []setting{memory, reservation} {
		if err := t.checkNonNegative(s); err != nil {
			return err
		}
		if s.value > 0 && s.value < minMemory {
			return t.invalid(s.key, "%d bytes is below the minimum of 6MB", s.value)
		}
	}
	switch {
	case swap.value < -1:
		return t.invalid(swap.key, "%d: want -1 (unlimited) or a size", swap.value)
	case swap.value > 0 && memory.value == 0:
		return t.invalid(swap.key, "needs a memory limit (mem_limit)")
	case swap.value > 0 && swap.value < memory.value:
		return t.invalid(swap.key, "%d bytes is below the memory limit %s of %d bytes: memswap_limit counts memory plus swap", swap.value, memory.key, memory.value)
	case memory.value > 0 && reservation.value > memory.value:
		return t.invalid(reservation.key, "%d bytes is above the memory limit %s of %d bytes", reservation.value, memory.key, memory.value)
	}
	return nil
}

// checkCPUs refuses a negative number of CPUs, one too small for the CFS
// quota, or more than the host has when Options knows how many.
func (t *translation) checkCPUs(cpus setting) error {
	if err := t.checkNonNegative(cpus); err != nil {
		return err
	}
	n := t.opts.HostCPUs
	if (cpus.value > 0 && cpus.value < minNanoCPUs) || (n > 0 && cpus.value > int64(n)*1e9) {
		return t.invalid(cpus.key, "%g: the range of CPUs is from 0.01 to %d", float64(cpus.value)/1e9, n)
	}
	return nil
}

// checkCpuset refuses a cpuset that is not a list of CPUs and ranges
// ("0-3,6"), see cpuset(7).
func (t *translation) checkCpuset(list string) error {
	if list != "" && !cpusetList.MatchString(list) {
		return t.invalid("cpuset", "%q: want a list of CPU numbers and ranges such as 0-3,6", list)
	}
	for _, r := range cpusetRange.FindAllStringSubmatch(list, -1) {
		lo, _ := strconv.Atoi(r[1])
		if hi, _ := strconv.Atoi(r[2]); hi < lo {
			return t.invalid("cpuset", "%q: range %s-%s is backwards", list, r[1], r[2])
		}
	}
	return nil
}

// checkPids accepts -1 (unlimited, as Docker documents it) and positive
// limits.
func (t *translation) checkPids(pids setting) error {
	if pids.value < -1 {
		return t.invalid(pids.key, "%d: want -1 (unlimited) or a positive limit", pids.value)
	}
	return nil
}

func (t *translation) checkNonNegative(s setting) error {
	if s.value < 0 {
		return t.invalid(s.key, "%d must not be negative", s.value)
	}
	return nil
}

// oomScore sets oom_score_adj always, as Docker does, so that a container
// does not inherit berth's own; proc(5) bounds it to [-1000, 1000].
func (t *translation) oomScore() error {
	adj := t.svc.OomScoreAdj
	if adj < -1000 || adj > 1000 {
		return t.invalid("oom_score_adj", "%d is outside the range [-1000, 1000]", adj)
	}
	score := int(adj)
	t.cfg.OOMScoreAdj = &score
	return nil
}

package libct

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/opencontainers/cgroups"
)

// Moving a whole process into a cgroup (a write to cgroup.procs) takes the
// kernel's cgroup_threadgroup_rwsem for writing, and the first writer after
// a quiet spell waits there for an RCU grace period: 10-20 ms on the
// machines berth was measured on, against tens of microseconds once the
// lock is warm. libcontainer makes that move for every container's init,
// and for every exec, while init waits for its bootstrap data, so the grace
// period sat on the critical path of each start (bench/README.md,
// "Runtime").
//
// warmCgroupMoves pays that wait off the critical path: it writes this
// process's own PID into the cgroup it is already in — a move of nothing,
// under the same lock — in the background, as a create, reset or exec
// begins. The grace period then passes while the shim and the create
// helper start, and libcontainer's move finds the lock warm. It changes no
// cgroup membership, and its failure changes nothing but the speed.
func warmCgroupMoves() {
	path := ownCgroupProcs()
	if path == "" || !warming.CompareAndSwap(false, true) {
		return // nowhere to write, or a warm-up already under way
	}
	go func() {
		defer warming.Store(false)
		_ = moveIntoOwnCgroup(path)
	}()
}

// moveIntoOwnCgroup writes this process's PID into procs, the cgroup.procs
// of the cgroup it is in.
func moveIntoOwnCgroup(procs string) error {
	f, err := os.OpenFile(procs, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.Itoa(os.Getpid()))
	return errors.Join(err, f.Close())
}

// warming is set while a warm-up write is in flight: one is enough, and
// each would hold the kernel's cgroup_mutex through its wait.
var warming atomic.Bool

// ownCgroupProcs is the cgroup.procs file of the cgroup this process is in:
// in v1's pids hierarchy (any hierarchy shares the lock), or in the v2
// tree. "" when it cannot be found.
var ownCgroupProcs = sync.OnceValue(func() string {
	if cgroup2() {
		own, err := cgroups.ParseCgroupFile("/proc/self/cgroup")
		if err != nil {
			return ""
		}
		return filepath.Join("/sys/fs/cgroup", own[""], "cgroup.procs")
	}
	dir, err := cgroups.GetOwnCgroupPath("pids")
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "cgroup.procs")
})

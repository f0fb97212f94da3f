package libct

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opencontainers/cgroups"
)

// Moving a whole process into a cgroup (a write to cgroup.procs) takes the
// kernel's cgroup_threadgroup_rwsem for writing, and the first writer after
// a quiet spell waits there for an RCU grace period: 6-20 ms on the
// machines berth was measured on, against tens of microseconds while the
// lock is warm, which it stays for 20-30 ms after the last write (one more
// grace period). libcontainer makes that move for every container's init,
// and for every exec, while init waits for its bootstrap data, so the grace
// period sat on the critical path of each start (bench/README.md,
// "Runtime").
//
// warmCgroupMoves pays that wait off the critical path, and keeps it paid
// through a burst of work: from the first create, reset or exec on, it
// writes this process's own PID into the cgroup it is already in —
// a move of nothing, under the same lock — in the background, then again
// every warmRefresh until warmHold has passed with no more such calls. The
// first grace period passes while the shim starts and reads the
// container's spec; the containers after it find the lock warm. It changes
// no cgroup membership, and its failure changes nothing but the speed.
//
// The kernel's own answer, cgroup's favordynmods mount option, keeps the
// lock in this state for good, at some cost to every fork and exit on the
// host; a runtime should not remount its host's cgroups, and here the cost
// lasts only while containers are being made.
func warmCgroupMoves() {
	path := ownCgroupProcs()
	if path == "" {
		return // nowhere to write
	}
	warmUntil.Store(time.Now().Add(warmHold).UnixNano())
	if !warming.CompareAndSwap(false, true) {
		return // the keeper is running and will see the new deadline
	}
	go keepWarm(path)
}

// keepWarm writes into procs until warmUntil has passed. One write is in
// flight at a time: each holds the kernel's cgroup_mutex through its wait.
func keepWarm(procs string) {
	for {
		if moveIntoOwnCgroup(procs) != nil {
			warming.Store(false)
			return
		}
		time.Sleep(warmRefresh)
		if time.Now().UnixNano() > warmUntil.Load() {
			warming.Store(false)
			// A call that came after the check and found the keeper
			// running is not lost: it set a later deadline, and this
			// keeper goes on if it can take the flag back.
			if time.Now().UnixNano() > warmUntil.Load() || !warming.CompareAndSwap(false, true) {
				return
			}
		}
	}
}

// warmRefresh is well inside the time the lock stays warm after a write;
// warmHold covers the gaps between the steps of one start, and between
// the containers of one `up`.
const (
	warmRefresh = 10 * time.Millisecond
	warmHold    = 250 * time.Millisecond
)

// warmUntil is when the keeper may stop, in Unix nanoseconds.
var warmUntil atomic.Int64

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

// warming is set while the keeper runs.
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

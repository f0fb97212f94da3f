package libct

import (
	"os"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/roottest"
)

// The warm-up writes into a real cgroup.procs, and must leave this
// process in exactly the cgroups it was in.
func TestWarmCgroupMovesMovesNothing(t *testing.T) {
	roottest.Require(t)
	path := ownCgroupProcs()
	if path == "" {
		t.Fatal("no cgroup.procs found for this process")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if err := moveIntoOwnCgroup(path); err != nil {
		t.Fatalf("write own pid into %s: %v", path, err)
	}
	warmCgroupMoves()
	if !warming.Load() {
		t.Fatal("no warm-up started")
	}
	warmCgroupMoves() // the keeper runs already: this one only holds it longer
	deadline := time.Now().Add(10 * time.Second)
	for warming.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if warming.Load() {
		t.Fatal("the keeper never stopped")
	}
	after, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("cgroups changed:\n%s\nthen\n%s", before, after)
	}
}

package libct_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestStartOfFrozenInitReturns: an init that cannot take the exec fifo
// handshake (here, frozen in its cgroup) makes Start fail when its ctx
// ends, instead of blocking in open(2) forever.
func TestStartOfFrozenInitReturns(t *testing.T) {
	rt := newRuntime(t)
	cfg := config(t, "true")
	mustCreate(t, rt, cfg)
	thaw := freeze(t, cfg.ID)
	t.Cleanup(thaw) // before mustCreate's cleanup: SIGKILL needs it thawed
	short, cancel := context.WithTimeout(ctx(t), time.Second)
	defer cancel()
	if err := rt.Start(short, cfg.ID); err == nil {
		t.Fatal("Start of a frozen init succeeded")
	}
}

// freeze freezes the container's cgroup (v1 freezer, else v2) and
// returns what thaws it.
func freeze(t *testing.T, id string) func() {
	t.Helper()
	file, frozen, thawed := filepath.Join("/sys/fs/cgroup/freezer/berth", id, "freezer.state"), "FROZEN", "THAWED"
	if _, err := os.Stat(file); err != nil {
		file, frozen, thawed = filepath.Join("/sys/fs/cgroup/berth", id, "cgroup.freeze"), "1", "0"
	}
	if err := os.WriteFile(file, []byte(frozen), 0o644); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	return func() { _ = os.WriteFile(file, []byte(thawed), 0o644) }
}

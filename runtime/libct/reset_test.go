package libct_test

import (
	"testing"
)

// TestResetKeepsTheWritableLayer: what a run wrote is there in the next
// run after Reset, as in a restarted Docker container; Remove still
// leaves nothing.
func TestResetKeepsTheWritableLayer(t *testing.T) {
	root := t.TempDir()
	rt := newRuntimeAt(t, root)
	cfg := config(t, "sh", "-c", "cat /state 2>/dev/null; echo run >> /state")
	mustCreate(t, rt, cfg)
	for i := range 2 {
		if i > 0 {
			if _, err := rt.Reset(ctx(t), cfg.ID); err != nil {
				t.Fatalf("Reset: %v", err)
			}
		}
		if err := rt.Start(ctx(t), cfg.ID); err != nil {
			t.Fatalf("Start %d: %v", i, err)
		}
		if st, err := rt.Wait(ctx(t), cfg.ID); err != nil || st.Code != 0 {
			t.Fatalf("Wait %d = %+v, %v", i, st, err)
		}
	}
	if logs := logText(t, rt, cfg.ID); logs != "stdout: run\n" {
		t.Errorf("logs = %q, want the first run's write read by the second", logs)
	}
	assertRemoveLeavesNothing(t, rt, root, cfg.ID)
}

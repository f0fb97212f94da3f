package libct_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
)

// spawnEnv makes the test binary a short-lived "daemon": it creates and
// starts one container on a runtime root, then exits, leaving the
// container to its shim.
const spawnEnv = "BERTH_LIBCT_TEST_SPAWN"

type spawnRequest struct {
	Root       string
	Config     runtime.ContainerConfig
	CreateOnly bool // leave it created, init waiting
}

// spawnHook runs the spawn request in this process, if there is one.
func spawnHook() {
	v := os.Getenv(spawnEnv)
	if v == "" {
		return
	}
	if err := spawn(v); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func spawn(v string) error {
	var req spawnRequest
	if err := json.Unmarshal([]byte(v), &req); err != nil {
		return err
	}
	rt, err := libct.New(req.Root, libct.Options{})
	if err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := rt.Create(ctx, &req.Config); err != nil || req.CreateOnly {
		return err
	}
	return rt.Start(ctx, req.Config.ID)
}

// spawnElsewhere creates and starts cfg from another process, which has
// exited when this returns; with createOnly it only creates it.
func spawnElsewhere(t *testing.T, root string, cfg *runtime.ContainerConfig, createOnly bool) {
	t.Helper()
	req, err := json.Marshal(spawnRequest{Root: root, Config: *cfg, CreateOnly: createOnly})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), spawnEnv+"="+string(req))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("spawning process: %v: %s", err, out)
	}
}

package libct_test

import (
	"os"
	"testing"

	"github.com/berth-dev/berth/internal/roottest"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/libct"
	"github.com/berth-dev/berth/runtime/runtimetest"
)

// TestMain runs the re-exec hooks first: this test binary is also
// libcontainer's init, the shim and the create helper.
func TestMain(m *testing.M) {
	libct.Init()
	spawnHook()
	os.Exit(m.Run())
}

func newRuntime(t testing.TB) runtime.Runtime {
	t.Helper()
	return newRuntimeAt(t, t.TempDir())
}

func newRuntimeAt(t testing.TB, root string) runtime.Runtime {
	t.Helper()
	roottest.Require(t)
	rt, err := libct.New(root, libct.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func TestConformance(t *testing.T) {
	roottest.Require(t)
	runtimetest.Run(t, newRuntime, runtimetest.BusyboxImage)
}

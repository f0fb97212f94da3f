package fake_test

import (
	"testing"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/fake"
	"github.com/berth-dev/berth/runtime/runtimetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	runtimetest.Run(t,
		func(testing.TB) runtime.Runtime { return fake.New(runtimetest.Script) },
		func(testing.TB) []string { return []string{"/nonexistent/layer"} },
	)
}

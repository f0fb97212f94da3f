package scheduler

import (
	"strconv"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/fake"
)

// service:x means the lowest-numbered replica, numbers compared as
// numbers: replica 2 comes before replica 10.
func TestFindContainerTakesTheLowestReplica(t *testing.T) {
	rt := fake.New(func(fake.Proc) (fake.Program, error) { return fake.Program{UntilSignal: true}, nil })
	for _, n := range []int{10, 2} {
		labels := map[string]string{project.LabelProject: "p", project.LabelService: "db",
			project.LabelContainerNumber: strconv.Itoa(n), LabelContainerName: "p-db-" + strconv.Itoa(n)}
		cfg := &runtime.ContainerConfig{ID: "db" + strconv.Itoa(n), Labels: labels, Process: runtime.Process{Args: []string{"db"}}}
		if _, err := rt.Create(t.Context(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	e := &Engine{rt: rt}
	p := &types.Project{Name: "p"}
	c, err := e.findContainer(t.Context(), p, "service:db")
	if err != nil || c.ID != "db2" {
		t.Fatalf("service:db found %v, %v; want db2", c, err)
	}
	c, err = e.findContainer(t.Context(), p, "container:p-db-10")
	if err != nil || c.ID != "db10" {
		t.Fatalf("container:p-db-10 found %v, %v", c, err)
	}
	if _, err := e.findContainer(t.Context(), p, "service:web"); err == nil {
		t.Error("an unknown service was found")
	}
}

package project

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestOrderTopLevelKeys(t *testing.T) {
	raw := []byte(`{"zeta":1,"image":"x","command":["a"],"alpha":{"b":2,"a":1},"cap_add":["X"]}`)
	got, err := orderTopLevelKeys(raw, hashKeyOrder)
	if err != nil {
		t.Fatal(err)
	}
	// Listed keys in the pinned order, then the rest sorted; nested values
	// byte for byte.
	want := `{"cap_add":["X"],"command":["a"],"image":"x","alpha":{"b":2,"a":1},"zeta":1}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestServiceHashIgnoresScaleBuildAndOrdering(t *testing.T) {
	base := types.ServiceConfig{Name: "web", ContainerSpec: types.ContainerSpec{Image: "nginx"}}
	h1, err := ServiceHash(base)
	if err != nil {
		t.Fatal(err)
	}
	changed := base
	replicas := 3
	changed.Scale = &replicas
	changed.Profiles = []string{"p"}
	changed.DependsOn = types.DependsOnConfig{"db": {Condition: "service_started"}}
	changed.PullPolicy = "always"
	if h2, _ := ServiceHash(changed); h2 != h1 {
		t.Error("scale, profiles, depends_on or pull_policy changed the hash")
	}
	changed.Image = "nginx:2"
	if h3, _ := ServiceHash(changed); h3 == h1 {
		t.Error("a new image did not change the hash")
	}
}

func TestContainerLabels(t *testing.T) {
	s := types.ServiceConfig{Name: "web"}
	s.Labels = types.Labels{"team": "front"}
	s.CustomLabels = types.Labels{LabelProject: "p", LabelService: "web"}
	s.DependsOn = types.DependsOnConfig{
		"db":    {Condition: "service_healthy", Restart: true},
		"cache": {Condition: "service_started"},
	}
	labels := ContainerLabels(s, 2, "abc")
	want := map[string]string{
		"team": "front", LabelProject: "p", LabelService: "web",
		LabelContainerNumber: "2", LabelConfigHash: "abc",
		LabelDependsOn: "cache:service_started:false,db:service_healthy:true",
	}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("label %s=%q, want %q", k, labels[k], v)
		}
	}
	if got := ContainerName("p", s, 2); got != "p-web-2" {
		t.Errorf("container name %q", got)
	}
	s.ContainerName = "fixed"
	if got := ContainerName("p", s, 1); got != "fixed" {
		t.Errorf("container_name not honoured: %q", got)
	}
}

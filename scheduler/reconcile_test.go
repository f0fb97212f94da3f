package scheduler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/project"
)

const stackYAML = `name: demo
services:
  web:
    image: web:1
    depends_on:
      api:
        condition: service_healthy
  api:
    image: api:1
    depends_on: [db]
    networks: [default, back]
  db:
    image: db:1
    volumes: [data:/data]
    networks: [back]
networks:
  back: {}
volumes:
  data: {}
`

func loadProject(t *testing.T, yaml string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(t.Context(), project.Options{Files: []string{file}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hashOf(t *testing.T, p *types.Project, service string) string {
	t.Helper()
	h, err := project.ServiceHash(p.Services[service])
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// running is the observed state of p fully up: every image present, every
// network and volume made, one running container per service.
func running(t *testing.T, p *types.Project) Observed {
	obs := Observed{Networks: map[string]bool{}, Volumes: map[string]bool{}, Images: map[string]string{}}
	for _, n := range p.Networks {
		obs.Networks[n.Name] = true
	}
	for _, v := range p.Volumes {
		obs.Volumes[v.Name] = true
	}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		obs.Images[s.Image] = "sha256:" + name
		obs.Containers = append(obs.Containers, Container{
			ID: "id-" + name, Name: "demo-" + name + "-1", Service: name, Number: 1,
			ConfigHash: hashOf(t, p, name), ImageID: "sha256:" + name, Running: true,
		})
	}
	return obs
}

func planText(t *testing.T, p *types.Project, obs Observed, opts UpOptions) string {
	t.Helper()
	res, err := ReconcileUp(p, obs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Plan.String()
}

func assertPlan(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimLeft(want, "\n")
	if got != want {
		t.Errorf("plan\n%s\nwant\n%s", got, want)
	}
}

func TestUpFromNothing(t *testing.T) {
	p := loadProject(t, stackYAML)
	got := planText(t, p, Observed{}, UpOptions{})
	assertPlan(t, got, `
#1 create network demo_back (not found)
#2 create network demo_default (not found)
#3 create volume demo_data (not found)
#4 pull image db:1 (not found locally)
#5 create container demo-db-1 (no container) after #4,#3
#6 connect container demo-db-1 after #1,#5
#7 start container demo-db-1 (created) after #6
#8 pull image api:1 (not found locally)
#9 create container demo-api-1 (no container) after #8,#7
#10 connect container demo-api-1 after #1,#2,#9
#11 start container demo-api-1 (created) after #10
#12 pull image web:1 (not found locally)
#13 wait for api service_healthy after #11
#14 create container demo-web-1 (no container) after #12,#13
#15 connect container demo-web-1 after #2,#14
#16 start container demo-web-1 (created) after #15
`)
}

// A container that shares another's network namespace joins no network
// itself: it has no connect step. --no-start still connects what it
// creates, as Docker Compose's created containers are on their networks.
func TestUpConnectsOnlyContainersWithNetworksOfTheirOwn(t *testing.T) {
	p := loadProject(t, `name: demo
services:
  app:
    image: app:1
  sidecar:
    image: side:1
    network_mode: service:app
`)
	obs := Observed{Images: map[string]string{"app:1": "sha256:app", "side:1": "sha256:side"}}
	assertPlan(t, planText(t, p, obs, UpOptions{}), `
#1 create network demo_default (not found)
#2 create container demo-app-1 (no container)
#3 connect container demo-app-1 after #1,#2
#4 start container demo-app-1 (created) after #3
#5 create container demo-sidecar-1 (no container) after #4
#6 start container demo-sidecar-1 (created) after #5
`)
	assertPlan(t, planText(t, p, obs, UpOptions{NoStart: true}), `
#1 create network demo_default (not found)
#2 create container demo-app-1 (no container)
#3 connect container demo-app-1 after #1,#2
#4 create container demo-sidecar-1 (no container)
`)
}

func TestUpWhenRunningIsANoop(t *testing.T) {
	p := loadProject(t, stackYAML)
	got := planText(t, p, running(t, p), UpOptions{})
	// A service_healthy dependency is waited for even when nothing changes.
	assertPlan(t, got, "#1 wait for api service_healthy\n")
}

func TestUpRecreatesOnlyTheChangedService(t *testing.T) {
	p := loadProject(t, stackYAML)
	obs := running(t, p)
	edited := loadProject(t, strings.Replace(stackYAML, "image: api:1", "image: api:1\n    environment: [DEBUG=1]", 1))
	obs.Images["api:1"] = "sha256:api"
	got := planText(t, edited, obs, UpOptions{})
	assertPlan(t, got, `
#1 stop container demo-api-1 (config changed)
#2 remove container demo-api-1 (config changed) after #1
#3 create container demo-api-1 (replaces demo-api-1) after #2
#4 connect container demo-api-1 after #3
#5 start container demo-api-1 (created) after #4
#6 wait for api service_healthy after #5
`)
}

func TestUpRecreatesOnNewImage(t *testing.T) {
	p := loadProject(t, stackYAML)
	obs := running(t, p)
	obs.Images["db:1"] = "sha256:newer"
	got := planText(t, p, obs, UpOptions{})
	if !strings.Contains(got, "stop container demo-db-1 (image changed)") {
		t.Errorf("a new image did not recreate db:\n%s", got)
	}
	if strings.Contains(got, "demo-web-1") {
		t.Errorf("web was touched:\n%s", got)
	}
}

func TestUpRestartsDependentsThatAskForIt(t *testing.T) {
	yaml := strings.Replace(stackYAML, "depends_on: [db]", "depends_on:\n      db:\n        condition: service_started\n        restart: true", 1)
	p := loadProject(t, yaml)
	got := planText(t, p, running(t, p), UpOptions{ForceRecreate: true})
	assertPlan(t, got, `
#1 stop container demo-db-1 (--force-recreate)
#2 remove container demo-db-1 (--force-recreate) after #1
#3 create container demo-db-1 (replaces demo-db-1) after #2
#4 connect container demo-db-1 after #3
#5 start container demo-db-1 (created) after #4
#6 stop container demo-api-1 (--force-recreate)
#7 remove container demo-api-1 (--force-recreate) after #6
#8 create container demo-api-1 (replaces demo-api-1) after #5,#7
#9 connect container demo-api-1 after #8
#10 start container demo-api-1 (created) after #9
#11 wait for api service_healthy after #10
#12 stop container demo-web-1 (--force-recreate)
#13 remove container demo-web-1 (--force-recreate) after #12
#14 create container demo-web-1 (replaces demo-web-1) after #11,#13
#15 connect container demo-web-1 after #14
#16 start container demo-web-1 (created) after #15
`)
	got = planText(t, p, func() Observed {
		obs := running(t, p)
		obs.Containers[1].ConfigHash = "old" // db is index 1: api, db, web
		return obs
	}(), UpOptions{})
	if !strings.Contains(got, "stop container demo-api-1 (a dependency was recreated)") {
		t.Errorf("api (restart: true on db) was not restarted:\n%s", got)
	}
}

func TestUpScales(t *testing.T) {
	p := loadProject(t, strings.Replace(stackYAML, "image: web:1", "image: web:1\n    scale: 3", 1))
	obs := running(t, p)
	got := planText(t, p, obs, UpOptions{})
	for _, want := range []string{"create container demo-web-2", "create container demo-web-3"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	down := loadProject(t, strings.Replace(stackYAML, "image: web:1", "image: web:1\n    scale: 1", 1))
	obs.Containers = append(obs.Containers, Container{ID: "id-web-2", Name: "demo-web-2", Service: "web", Number: 2,
		ConfigHash: hashOf(t, down, "web"), ImageID: "sha256:web", Running: true})
	got = planText(t, down, obs, UpOptions{})
	if !strings.Contains(got, "remove container demo-web-2 (scaled down)") {
		t.Errorf("web-2 not removed on scale down:\n%s", got)
	}
}

func TestUpStartsStoppedAndRespectsNoStart(t *testing.T) {
	p := loadProject(t, stackYAML)
	obs := running(t, p)
	obs.Containers[1].Running = false
	got := planText(t, p, obs, UpOptions{})
	if !strings.HasPrefix(got, "#1 start container demo-db-1 (stopped)\n") {
		t.Errorf("stopped db not started first:\n%s", got)
	}
	got = planText(t, p, Observed{}, UpOptions{NoStart: true})
	if strings.Contains(got, "start container") || strings.Contains(got, "wait for") {
		t.Errorf("--no-start planned starts:\n%s", got)
	}
}

func TestUpOrphans(t *testing.T) {
	p := loadProject(t, stackYAML)
	obs := running(t, p)
	obs.Containers = append(obs.Containers, Container{ID: "id-old", Name: "demo-old-1", Service: "old", Number: 1, Running: true})
	res, err := ReconcileUp(p, obs, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "demo-old-1") {
		t.Errorf("warnings %q", res.Warnings)
	}
	got := planText(t, p, obs, UpOptions{RemoveOrphans: true})
	if !strings.Contains(got, "remove container demo-old-1 (orphan)") {
		t.Errorf("orphan not removed:\n%s", got)
	}
}

func TestUpBadInput(t *testing.T) {
	external := loadProject(t, strings.Replace(stackYAML, "volumes: [data:/data]", "volumes: [data:/data, ext:/ext]", 1)+"  ext:\n    external: true\n")
	if _, err := ReconcileUp(external, Observed{}, UpOptions{}); err == nil || !strings.Contains(err.Error(), "ext") {
		t.Errorf("missing external volume: %v", err)
	}
	p := loadProject(t, stackYAML)
	if _, err := ReconcileUp(p, Observed{}, UpOptions{Pull: "never"}); err == nil || !strings.Contains(err.Error(), `"db"`) {
		t.Errorf("pull never with no image: %v", err)
	}
}

func TestDown(t *testing.T) {
	p := loadProject(t, stackYAML)
	plan, err := ReconcileDown(p, running(t, p), DownOptions{Volumes: true})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, plan.String(), `
#1 stop container demo-web-1
#2 remove container demo-web-1 after #1
#3 stop container demo-api-1 after #1
#4 remove container demo-api-1 after #3
#5 stop container demo-db-1 after #3
#6 remove container demo-db-1 after #5
#7 remove network demo_back after #2,#4,#6
#8 remove network demo_default after #2,#4,#6
#9 remove volume demo_data after #2,#4,#6
`)
	plan, err = ReconcileDown(p, running(t, p), DownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plan.String(), "remove volume") {
		t.Errorf("down without -v removes volumes:\n%s", plan)
	}
}

func TestDownRemovesImages(t *testing.T) {
	p := loadProject(t, stackYAML)
	plan, err := ReconcileDown(p, running(t, p), DownOptions{RemoveImages: "all"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"api:1", "db:1", "web:1"} {
		if !strings.Contains(plan.String(), "remove image "+ref+" after #2,#4,#6") {
			t.Errorf("no removal of %s after the containers:\n%s", ref, plan)
		}
	}
	plan, _ = ReconcileDown(p, running(t, p), DownOptions{RemoveImages: "local"})
	if strings.Contains(plan.String(), "remove image") {
		t.Errorf("--rmi local removed images with a custom tag:\n%s", plan)
	}
}

package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/volumes"
)

func TestVolumeCreateAndList(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if out := mustBerth(t, root, "volume", "create", "--label", "tier=db", "--label", "x", "db"); out != "db\n" {
		t.Errorf("create printed %q", out)
	}
	if out := mustBerth(t, root, "volume", "create", "db"); out != "db\n" {
		t.Errorf("creating an existing volume printed %q", out)
	}
	anon := strings.TrimSpace(mustBerth(t, root, "volume", "create"))
	if len(anon) != 64 {
		t.Errorf("unnamed volume got name %q", anon)
	}
	// Filters below use letters beyond f, which a hex name cannot hold.
	mustBerth(t, root, "volume", "create", "web")
	names := []string{anon, "db", "web"}
	slices.Sort(names)
	want := "DRIVER    VOLUME NAME\n"
	for _, n := range names {
		want += "local     " + n + "\n"
	}
	if out := mustBerth(t, root, "volume", "ls"); out != want {
		t.Errorf("ls =\n%s\nwant\n%s", out, want)
	}
	if out := mustBerth(t, root, "volume", "ls", "-q", "--filter", "label=tier=db"); out != "db\n" {
		t.Errorf("ls -q --filter label=tier=db = %q", out)
	}
	if out := mustBerth(t, root, "volume", "ls", "-q", "--filter", "name=we", "--filter", "name=zz", "--filter", "label!=x"); out != "web\n" {
		t.Errorf("ls -q name=we name=zz label!=x = %q, want only web", out)
	}
	if out := mustBerth(t, root, "volume", "ls", "--format", "{{.Name}} {{.Label \"tier\"}}", "--filter", "label=x"); out != "db db\n" {
		t.Errorf("ls --format template = %q", out)
	}
}

func TestVolumeListJSON(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mustBerth(t, root, "volume", "create", "--label", "b=2", "--label", "a=1", "db")
	out := mustBerth(t, root, "volume", "ls", "--format", "json")
	var row map[string]string
	if err := json.Unmarshal([]byte(out), &row); err != nil {
		t.Fatalf("ls --format json printed %q: %v", out, err)
	}
	if row["Name"] != "db" || row["Driver"] != "local" || row["Labels"] != "a=1,b=2" || row["Scope"] != "local" || row["Size"] != "N/A" {
		t.Errorf("json row = %v", row)
	}
	if !strings.HasPrefix(out, `{"Availability":"N/A","Driver":"local"`) {
		t.Errorf("json keys are not in docker's (alphabetical) order: %s", out)
	}
}

func TestVolumeInspect(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mustBerth(t, root, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "tmp")
	out, _, err := berth(t, root, "", "volume", "inspect", "tmp", "missing")
	if err == nil || !strings.Contains(err.Error(), "no such volume: missing") {
		t.Errorf("inspect of a missing volume: %v", err)
	}
	var vols []map[string]any
	if err := json.Unmarshal([]byte(out), &vols); err != nil || len(vols) != 1 {
		t.Fatalf("inspect printed %q: %v", out, err)
	}
	v := vols[0]
	if v["Name"] != "tmp" || v["Scope"] != "local" || v["Labels"] != nil || !strings.HasSuffix(v["Mountpoint"].(string), "/volumes/tmp/_data") {
		t.Errorf("inspect = %v", v)
	}
	if opts := v["Options"].(map[string]any); opts["type"] != "tmpfs" || opts["o"] != "size=1m" {
		t.Errorf("options = %v", opts)
	}
	if !strings.HasPrefix(out, "[\n    {\n        \"CreatedAt\": ") {
		t.Errorf("inspect is not indented as docker's:\n%s", out)
	}
	if out := mustBerth(t, root, "volume", "inspect", "--format", "{{.Driver}}:{{.Name}}", "tmp"); out != "local:tmp\n" {
		t.Errorf("inspect -f = %q", out)
	}
}

func TestVolumeRemove(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mustBerth(t, root, "volume", "create", "aa")
	mustBerth(t, root, "volume", "create", "bb")
	out, _, err := berth(t, root, "", "volume", "rm", "aa", "nope", "bb")
	if out != "aa\nbb\n" || err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("rm aa nope bb = %q, %v", out, err)
	}
	if out, _, err := berth(t, root, "", "volume", "rm", "--force", "nope"); out != "" || err != nil {
		t.Errorf("rm --force of a missing volume = %q, %v; want silence", out, err)
	}
	if err := Run(t.Context(), Streams{}, []string{"--root", root, "volume", "create", "bad/name"}); err == nil || !strings.Contains(err.Error(), `"bad/name"`) {
		t.Errorf("create bad/name: %v", err)
	}
}

func TestVolumePrune(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mustBerth(t, root, "volume", "create", "named")
	out, _, err := berth(t, root, "n\n", "volume", "prune")
	if err == nil || !strings.Contains(out, "anonymous local volumes") || !strings.HasSuffix(out, "[y/N] ") {
		t.Errorf("declined prune = %q, %v", out, err)
	}
	if out, _, _ := berth(t, root, "y\n", "volume", "prune"); !strings.HasSuffix(out, "[y/N] Total reclaimed space: 0B\n") {
		t.Errorf("prune with only a named volume = %q", out)
	}
	want := "Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n"
	if out := mustBerth(t, root, "volume", "prune", "-a", "--force"); out != want {
		t.Errorf("prune -a --force = %q, want %q", out, want)
	}
	if out := mustBerth(t, root, "volume", "ls", "-q"); out != "" {
		t.Errorf("after prune -a: %q", out)
	}
}

func TestHumanSize(t *testing.T) {
	t.Parallel()
	cases := map[int64]string{0: "0B", 999: "999B", 1234: "1.234kB", 1_500_000: "1.5MB", 10_000_000_000: "10GB"}
	for n, want := range cases {
		if got := humanSize(n, 4); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestVolumeInUse(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mustBerth(t, root, "volume", "create", "used")
	mustBerth(t, root, "volume", "create", "idle")
	store, err := volumes.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Acquire(t.Context(), "used", "c0ffee"); err != nil {
		t.Fatal(err)
	}
	if out := mustBerth(t, root, "volume", "ls", "-q", "--filter", "dangling=true"); out != "idle\n" {
		t.Errorf("ls dangling=true = %q", out)
	}
	if out := mustBerth(t, root, "volume", "ls", "-q", "--filter", "dangling=false"); out != "used\n" {
		t.Errorf("ls dangling=false = %q", out)
	}
	_, _, err = berth(t, root, "", "volume", "rm", "used")
	if err == nil || !strings.Contains(err.Error(), "volume is in use - [c0ffee]") {
		t.Errorf("rm of a volume in use: %v", err)
	}
	if out := mustBerth(t, root, "volume", "prune", "--all", "--force"); !strings.HasPrefix(out, "Deleted Volumes:\nidle\n") {
		t.Errorf("prune -a removed more or less than the idle volume: %q", out)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
)

// berth runs the CLI against the state root and returns its output.
func berth(t *testing.T, root, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut}
	err := Run(t.Context(), streams, append([]string{"--root", root}, args...))
	return out.String(), errOut.String(), err
}

func mustBerth(t *testing.T, root string, args ...string) string {
	t.Helper()
	out, errOut, err := berth(t, root, "", args...)
	if err != nil {
		t.Fatalf("berth %v: %v\n%s", args, err, errOut)
	}
	return out
}

var hexID = regexp.MustCompile(`^[0-9a-f]{12}$`)

func TestImagePullListInspectRemove(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ref := imagetest.Busybox(t, imagetest.Registry(t))
	out := mustBerth(t, root, "image", "pull", ref)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "latest: Pulling from busybox" || !strings.HasSuffix(lines[len(lines)-2], "Status: Downloaded newer image for "+ref) || lines[len(lines)-1] != ref {
		t.Errorf("pull output:\n%s", out)
	}
	if !strings.Contains(out, ": Pull complete\n") || !strings.Contains(out, "Digest: sha256:") {
		t.Errorf("pull output lacks layer progress or digest:\n%s", out)
	}
	if out := mustBerth(t, root, "image", "pull", ref); !strings.Contains(out, "Status: Image is up to date for "+ref) {
		t.Errorf("second pull:\n%s", out)
	}
	if out := mustBerth(t, root, "image", "pull", "-q", ref); out != ref+"\n" {
		t.Errorf("pull -q: %q, want the reference alone", out)
	}

	out = mustBerth(t, root, "images")
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 2 || strings.Join(strings.Fields(rows[0]), " ") != "REPOSITORY TAG IMAGE ID CREATED SIZE" {
		t.Fatalf("images:\n%s", out)
	}
	fields := strings.Fields(rows[1])
	if fields[0] != strings.TrimSuffix(ref, ":latest") || fields[1] != "latest" || !hexID.MatchString(fields[2]) || !strings.HasSuffix(rows[1], "MB") {
		t.Errorf("images row %q", rows[1])
	}
	if out := mustBerth(t, root, "image", "ls", "-q"); out != fields[2]+"\n" {
		t.Errorf("image ls -q: %q, want %s", out, fields[2])
	}
	var row map[string]string
	if err := json.Unmarshal([]byte(mustBerth(t, root, "images", "--format", "json")), &row); err != nil || row["Tag"] != "latest" {
		t.Errorf("images --format json: %v %v", row, err)
	}

	var inspect []image.Inspect
	if err := json.Unmarshal([]byte(mustBerth(t, root, "image", "inspect", ref)), &inspect); err != nil {
		t.Fatal(err)
	}
	if len(inspect) != 1 || !strings.HasPrefix(inspect[0].ID, "sha256:"+fields[2]) || len(inspect[0].RootFS.Layers) != 1 || inspect[0].Config.Cmd[0] != "sh" {
		t.Errorf("inspect: %+v", inspect)
	}
	out, _, err := berth(t, root, "", "image", "inspect", "nope")
	if !errors.Is(err, image.ErrNotFound) || strings.TrimSpace(out) != "[]" {
		t.Errorf("inspect nope: %q %v, want [] and ErrNotFound", out, err)
	}

	out = mustBerth(t, root, "image", "rm", ref)
	want := regexp.MustCompile(`^Untagged: ` + regexp.QuoteMeta(ref) + `\nUntagged: [^@]+/busybox@sha256:[0-9a-f]{64}\nDeleted: sha256:` + fields[2] + `[0-9a-f]{52}\nDeleted: sha256:[0-9a-f]{64}\n$`)
	if !want.MatchString(out) {
		t.Errorf("image rm:\n%s", out)
	}
	if _, errOut, err := berth(t, root, "", "image", "rm", ref); err == nil || !strings.Contains(errOut, "no such image") {
		t.Errorf("rm of a removed image: %v %q", err, errOut)
	}
}

func TestImageImportSaveLoadPrune(t *testing.T) {
	t.Parallel()
	root, dir := t.TempDir(), t.TempDir()
	tarball := filepath.Join(dir, "rootfs.tar")
	var buf bytes.Buffer
	if err := imagetest.WriteBusyboxTar(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tarball, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(mustBerth(t, root, "image", "import", tarball, "mybox:1", "--change", `CMD ["/bin/sh"]`, "-c", "ENV A=b"))
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("import printed %q", id)
	}
	archive := filepath.Join(dir, "save.tar")
	mustBerth(t, root, "image", "save", "-o", archive, "mybox:1")
	mustBerth(t, root, "image", "rm", "mybox:1")
	if out := mustBerth(t, root, "image", "load", "-i", archive); out != "Loaded image: mybox:1\n" {
		t.Errorf("load printed %q", out)
	}
	var inspect []image.Inspect
	if err := json.Unmarshal([]byte(mustBerth(t, root, "image", "inspect", "mybox:1")), &inspect); err != nil {
		t.Fatal(err)
	}
	if inspect[0].ID != id || strings.Join(inspect[0].Config.Cmd, " ") != "/bin/sh" || inspect[0].Config.Env[0] != "A=b" {
		t.Errorf("loaded image %+v, want %s with its changes", inspect[0], id)
	}
	if out, _, _ := berth(t, root, "n\n", "image", "prune", "-a"); !strings.Contains(out, "Are you sure") || strings.Contains(out, "Deleted") {
		t.Errorf("prune answered no:\n%s", out)
	}
	if out := mustBerth(t, root, "image", "prune", "-f"); out != "Total reclaimed space: 0B\n" {
		t.Errorf("prune of no dangling image:\n%s", out)
	}
	out := mustBerth(t, root, "image", "prune", "-a", "-f")
	if !strings.HasPrefix(out, "Deleted Images:\nuntagged: mybox:1\ndeleted: "+id+"\n") || !strings.Contains(out, "Total reclaimed space: ") {
		t.Errorf("prune -a:\n%s", out)
	}
	if out := mustBerth(t, root, "images", "-q"); out != "" {
		t.Errorf("images after prune -a: %q", out)
	}
}

func TestPullRenderer(t *testing.T) {
	t.Parallel()
	events := []image.Event{
		{Layer: "aaa", Status: image.StatusWaiting},
		{Layer: "bbb", Status: image.StatusWaiting},
		{Layer: "aaa", Status: image.StatusDownloading, Current: 500, Total: 1000},
		{Layer: "aaa", Status: image.StatusDownloading, Current: 1000, Total: 1000},
		{Layer: "bbb", Status: image.StatusExists},
	}
	var plain, tty bytes.Buffer
	p, tt := newPullRenderer(&plain, false), newPullRenderer(&tty, true)
	for _, e := range events {
		p.event(e)
		tt.event(e)
	}
	if want := "aaa: Waiting\nbbb: Waiting\naaa: Downloading\nbbb: Already exists\n"; plain.String() != want {
		t.Errorf("plain progress %q, want %q", plain.String(), want)
	}
	if !strings.Contains(tty.String(), "\x1b[2A") || !strings.Contains(tty.String(), "aaa: Downloading ["+strings.Repeat("=", 25)+">") {
		t.Errorf("terminal progress %q", tty.String())
	}
}

func TestHumanUnits(t *testing.T) {
	t.Parallel()
	sizes := map[int64]string{0: "0B", 999: "999B", 1982256: "1.98MB", 4_260_000_000: "4.26GB"}
	for n, want := range sizes {
		if got := humanSize(n, 3); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	ages := map[time.Duration]string{
		30 * time.Second: "30 seconds", 90 * time.Second: "About a minute", 3 * time.Hour: "3 hours",
		72 * time.Hour: "3 days", 21 * 24 * time.Hour: "3 weeks", 90 * 24 * time.Hour: "3 months", 3 * 365 * 24 * time.Hour: "3 years",
	}
	for d, want := range ages {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

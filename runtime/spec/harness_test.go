package spec

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// testID is the container ID every case uses; its first 12 characters are
// the default hostname.
const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

const testPasswd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
# a comment
app:x:1000:1000:App:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`

const testGroup = `root:x:0:
daemon:x:1:
wheel:x:10:app,daemon
audio:x:29:app
app:x:1000:
staff:x:50:
nogroup:x:65534:
`

// testImage is a busybox-like image: a command, a PATH, nothing else.
func testImage() runtime.ImageConfig {
	return runtime.ImageConfig{
		Ref:       "docker.io/library/busybox:latest",
		Cmd:       []string{"sh"},
		Env:       []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		LowerDirs: []string{"/layers/1", "/layers/2"},
	}
}

// memFiles is an in-memory image root filesystem.
func memFiles(files map[string]string) FileReader {
	return func(name string) ([]byte, error) {
		data, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		return []byte(data), nil
	}
}

// testOptions carry the test's ID, a project directory, the in-memory
// passwd and group, and a resolver that knows the service "db" and the
// container "c1".
func testOptions() Options {
	return Options{
		ID:         testID,
		ProjectDir: "/project",
		ReadFile:   memFiles(map[string]string{"/etc/passwd": testPasswd, "/etc/group": testGroup}),
		Namespace: func(kind, ref string) (string, error) {
			pids := map[string]int{"service:db": 4242, "container:c1": 77}
			pid, ok := pids[ref]
			if !ok {
				return "", fmt.Errorf("no container for %q", ref)
			}
			return fmt.Sprintf("/proc/%d/ns/%s", pid, kind), nil
		},
	}
}

// baseline is the config of "image: busybox" with nothing else: what each
// case's want changes.
func baseline() runtime.ContainerConfig {
	adj := 0
	return runtime.ContainerConfig{
		ID:        testID,
		LowerDirs: []string{"/layers/1", "/layers/2"},
		Process: runtime.Process{
			Args:           []string{"sh"},
			Env:            []string{"PATH=" + defaultPath, "HOSTNAME=0123456789ab", "HOME=/root"},
			Cwd:            "/",
			AdditionalGIDs: []uint32{0},
		},
		Hostname:    "0123456789ab",
		OOMScoreAdj: &adj,
		StopSignal:  syscall.SIGTERM,
		StopGrace:   10 * time.Second,
	}
}

// loadService loads a compose file with one service "app" whose body is
// the given YAML, as `berth up` would, with FROM_HOST=host-value in the
// environment. A body may go on, unindented, with more of the file: lines
// after a line "---top" are taken as they are.
func loadService(t *testing.T, body string) (types.ServiceConfig, error) {
	t.Helper()
	body, top, _ := strings.Cut(body, "\n---top\n")
	yaml := "services:\n  app:\n    image: busybox\n" + indent(body, "    ") + top
	project, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  "/project",
		ConfigFiles: []types.ConfigFile{{Filename: "/project/compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping{"FROM_HOST": "host-value"},
	}, func(o *loader.Options) { o.SetProjectName("test", true) })
	if err != nil {
		return types.ServiceConfig{}, err
	}
	return project.Services["app"], nil
}

func indent(s, prefix string) string {
	var b strings.Builder
	for line := range strings.Lines(strings.TrimLeft(s, "\n")) {
		b.WriteString(prefix + line)
	}
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// translate loads body and translates it with the test image and options,
// changed by the case.
func translate(t *testing.T, body string, image func(*runtime.ImageConfig), opts func(*Options)) (*runtime.ContainerConfig, []Warning, error) {
	t.Helper()
	svc, err := loadService(t, body)
	if err != nil {
		t.Fatalf("load compose file: %v", err)
	}
	img, o := testImage(), testOptions()
	if image != nil {
		image(&img)
	}
	if opts != nil {
		opts(&o)
	}
	return FromService(svc, img, o)
}

// diffConfigs shows two configs' differences line by line, as indented
// JSON ("-" wanted, "+" got); empty when they are equal.
func diffConfigs(want, got *runtime.ContainerConfig) string {
	w, _ := json.MarshalIndent(want, "", "  ")
	g, _ := json.MarshalIndent(got, "", "  ")
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	var diff []string
	for i := range max(len(wl), len(gl)) {
		a, b := line(wl, i), line(gl, i)
		if a != b {
			diff = append(diff, "-"+a, "+"+b)
		}
	}
	return strings.Join(diff, "\n")
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// warningKeys lists the keys warnings name.
func warningKeys(ws []Warning) []string {
	keys := []string{}
	for _, w := range ws {
		keys = append(keys, w.Key)
	}
	return keys
}

// sameKeys compares warning keys, ignoring order.
func sameKeys(want, got []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(got)))
}

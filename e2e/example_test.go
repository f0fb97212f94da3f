package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime/image/imagetest"
)

// TestExampleHello runs examples/hello as the README's first command does:
// busybox imported from a rootfs tarball, `up -d --wait`, and the page
// that goes web -> api -> store by name answers on the published port.
func TestExampleHello(t *testing.T) {
	s := newStack(t, "")
	if out, err := exec.Command("cp", "-a", "../examples/hello/.", s.dir).CombinedOutput(); err != nil {
		t.Fatalf("copy example: %v: %s", err, out)
	}
	tarball := filepath.Join(t.TempDir(), "busybox.tar")
	f, err := os.Create(tarball)
	if err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteBusyboxTar(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s.mustBerth("image", "import", tarball, "berth.local/busybox:latest", "--change", `CMD ["/bin/sh"]`)
	up := s.berth("up", "-d", "--wait", "--wait-timeout", "60")
	if up.exit != 0 {
		t.Fatalf("up: exit %d\n%s", up.exit, up.stderr)
	}
	order := []string{"Service store  Healthy", "Container hello-api-1  Starting", "Service api  Healthy", "Container hello-web-1  Starting"}
	last := -1
	for _, step := range order {
		i := strings.Index(up.stderr, step)
		if i < last {
			t.Errorf("%q out of order in\n%s", step, up.stderr)
		}
		last = i
	}
	var body string
	s.eventually(10*time.Second, "the page through web, api and store", func() bool {
		var ok bool
		body, ok = s.fetch("http://127.0.0.1:8080/cgi-bin/api")
		return ok
	})
	if body != "Hello from the store, through the api.\n" {
		t.Errorf("page %q", body)
	}
}

//go:build seccomp

package libct_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seccompBuilt: with the seccomp tag containers get Docker's profile.
const seccompBuilt = true

func TestSeccompProfileFileAndUnconfined(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "profile.json")
	body := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`
	if err := os.WriteFile(profile, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config(t, "sh", "-c", "mkdir /tmp/d 2>&1 | sed 's/.*: //'; grep ^Seccomp: /proc/self/status")
	cfg.Seccomp = profile
	if _, logs := runToExit(t, cfg); logs != "stdout: Operation not permitted\nstdout: Seccomp:\t2\n" {
		t.Errorf("with the profile file: log = %q, want mkdir refused", logs)
	}
	cfg = config(t, "grep", "^Seccomp:", "/proc/self/status")
	cfg.Seccomp = "unconfined"
	if _, logs := runToExit(t, cfg); !strings.Contains(logs, "Seccomp:\t0") {
		t.Errorf("unconfined: log = %q, want no filter", logs)
	}
}

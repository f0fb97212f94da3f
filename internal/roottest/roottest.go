// Package roottest gates the privileged test tier: tests that need root and
// a real kernel run only when BERTH_TEST_ROOT=1, and fail loudly when asked
// for without root, so that CI can never pass them by skipping.
package roottest

import (
	"os"
	"testing"
)

// Require skips t unless privileged tests were asked for, and fails it when
// they were asked for but the process is not root.
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv("BERTH_TEST_ROOT") != "1" {
		t.Skip("privileged test: set BERTH_TEST_ROOT=1 and run as root")
	}
	if os.Geteuid() != 0 {
		t.Fatal("BERTH_TEST_ROOT=1 but not running as root")
	}
}

package libct

import (
	"errors"
	"strings"

	"github.com/berth-dev/berth/runtime"
)

// commandError turns libcontainer's failure to run a process into Docker's
// exit code and message: "executable file not found" and "no such file"
// are 127, "permission denied" 126 (as dockerd maps runc's errors). Other
// errors are returned as they are.
func commandError(err error) error {
	msg := err.Error()
	i := strings.Index(msg, `exec: "`)
	if i < 0 {
		return err
	}
	reason := msg[i:]
	code := 0
	switch {
	case strings.Contains(reason, "executable file not found"), strings.Contains(reason, "no such file or directory"):
		code = 127
	case strings.Contains(reason, "permission denied"), strings.Contains(reason, "is a directory"):
		code = 126
	default:
		return err
	}
	return &runtime.CommandError{Code: code, Err: errors.New(reason)}
}

//go:build !seccomp

package libct

import (
	"errors"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

// addSeccomp without the seccomp build tag: libcontainer cannot load
// filters, so containers run unconfined, and asking for a profile file is
// an error rather than a silent no-op.
func addSeccomp(_ *specs.Spec, cfg *runtime.ContainerConfig) error {
	if cfg.Seccomp != "" && cfg.Seccomp != "unconfined" {
		return errors.New("seccomp profile: berth was built without the seccomp tag")
	}
	return nil
}

// openSeccompCache has nothing to open: without seccomp there is no filter
// to compile.
func openSeccompCache() {}

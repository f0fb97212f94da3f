//go:build seccomp

package libct

import (
	"fmt"
	"os"

	"github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/runtime"
)

// addSeccomp applies Docker's default seccomp profile, a profile file, or
// none ("unconfined", and for privileged containers, as Docker does). The
// profile depends on the capabilities, so it runs after addSecurity.
func addSeccomp(s *specs.Spec, cfg *runtime.ContainerConfig) error {
	switch {
	case cfg.Seccomp == "unconfined" || cfg.Privileged:
		return nil
	case cfg.Seccomp == "":
		p, err := seccomp.GetDefaultProfile(s)
		if err != nil {
			return fmt.Errorf("default seccomp profile: %w", err)
		}
		s.Linux.Seccomp = p
		return nil
	}
	body, err := os.ReadFile(cfg.Seccomp)
	if err != nil {
		return fmt.Errorf("seccomp profile: %w", err)
	}
	p, err := seccomp.LoadProfile(string(body), s)
	if err != nil {
		return fmt.Errorf("seccomp profile %q: %w", cfg.Seccomp, err)
	}
	s.Linux.Seccomp = p
	return nil
}

package project

import (
	"fmt"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
)

// ApplyPlatforms settles the platform of each service that has a build
// section as Docker Compose does before hashing or running it:
// DOCKER_DEFAULT_PLATFORM applies where a service names none, and a platform
// its build.platforms does not list is an error.
func ApplyPlatforms(p *types.Project) error {
	defaultPlatform := p.Environment["DOCKER_DEFAULT_PLATFORM"]
	for name, s := range p.Services {
		if s.Build == nil {
			continue
		}
		if defaultPlatform != "" && s.Platform == "" {
			if len(s.Build.Platforms) > 0 && !slices.Contains(s.Build.Platforms, defaultPlatform) {
				return fmt.Errorf("service %q build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: %s", name, defaultPlatform)
			}
			s.Platform = defaultPlatform
		}
		if s.Platform != "" {
			if len(s.Build.Platforms) > 0 && !slices.Contains(s.Build.Platforms, s.Platform) {
				return fmt.Errorf("service %q build configuration does not support platform: %s", name, s.Platform)
			}
			s.Build.Platforms = []string{s.Platform}
		}
		p.Services[name] = s
	}
	return nil
}

// ImageName is the image a service runs: its image key, or the name Docker
// Compose gives a built image, <project>-<service>.
func ImageName(projectName string, s types.ServiceConfig) string {
	if s.Image != "" {
		return s.Image
	}
	return projectName + "-" + s.Name
}

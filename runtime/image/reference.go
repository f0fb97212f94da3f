package image

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// InsecureRegistriesEnv names the environment variable listing, comma
// separated, the registries (host or host:port) spoken to over plain HTTP
// besides loopback ones.
const InsecureRegistriesEnv = "BERTH_INSECURE_REGISTRIES"

// ParseReference normalizes an image reference as Docker does: a short name
// lives on Docker Hub ("redis" is docker.io/library/redis:latest) and a
// missing tag is "latest". Registries on loopback or listed in
// BERTH_INSECURE_REGISTRIES are spoken to over plain HTTP.
func ParseReference(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", s, err)
	}
	if !insecure(ref.Context().RegistryStr()) {
		return ref, nil
	}
	return name.ParseReference(s, name.Insecure)
}

// FamiliarName is the canonical string berth stores and shows for ref, with
// Docker Hub spelt docker.io as Docker spells it:
// docker.io/library/redis:latest, or repo@sha256:... for a digest.
func FamiliarName(ref name.Reference) string {
	repo := repositoryName(ref.Context())
	if d, ok := ref.(name.Digest); ok {
		return repo + "@" + d.DigestStr()
	}
	return repo + ":" + ref.Identifier()
}

// repositoryName is registry/repository with Docker Hub as docker.io.
func repositoryName(repo name.Repository) string {
	registry := repo.RegistryStr()
	if registry == name.DefaultRegistry {
		registry = "docker.io"
	}
	return registry + "/" + repo.RepositoryStr()
}

// ShortName is how docker shows a repository in tables: Docker Hub's
// library/ and docker.io/ prefixes dropped ("redis", "user/app",
// "127.0.0.1:5000/app").
func ShortName(repository string) string {
	repository = strings.TrimPrefix(repository, "docker.io/")
	return strings.TrimPrefix(repository, "library/")
}

// insecure reports whether the registry host (with optional port) is
// reached over plain HTTP: loopback always, others when listed in
// BERTH_INSECURE_REGISTRIES.
func insecure(registry string) bool {
	host := registry
	if h, _, err := net.SplitHostPort(registry); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, entry := range strings.Split(os.Getenv(InsecureRegistriesEnv), ",") {
		entry = strings.TrimSpace(entry)
		if entry != "" && (entry == registry || entry == host) {
			return true
		}
	}
	return false
}

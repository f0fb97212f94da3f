package image_test

import (
	"testing"

	"github.com/berth-dev/berth/runtime/image"
)

func TestParseReference(t *testing.T) {
	t.Setenv(image.InsecureRegistriesEnv, "reg.internal:5000, plain.example")
	digest := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in, familiar, scheme string
	}{
		{"redis", "docker.io/library/redis:latest", "https"},
		{"redis:7", "docker.io/library/redis:7", "https"},
		{"docker.io/library/redis", "docker.io/library/redis:latest", "https"},
		{"index.docker.io/user/app:v1", "docker.io/user/app:v1", "https"},
		{"user/app@" + digest, "docker.io/user/app@" + digest, "https"},
		{"ghcr.io/o/r:t", "ghcr.io/o/r:t", "https"},
		{"localhost:5000/app", "localhost:5000/app:latest", "http"},
		{"127.0.0.1:5000/app", "127.0.0.1:5000/app:latest", "http"},
		{"[::1]:5000/app", "[::1]:5000/app:latest", "http"},
		{"reg.internal:5000/app", "reg.internal:5000/app:latest", "http"},
		{"plain.example/app", "plain.example/app:latest", "http"},
		{"reg.internal:5001/app", "reg.internal:5001/app:latest", "https"},
	}
	for _, tt := range tests {
		r, err := image.ParseReference(tt.in)
		if err != nil {
			t.Errorf("parse %q: %v", tt.in, err)
			continue
		}
		if got := image.FamiliarName(r); got != tt.familiar {
			t.Errorf("parse %q = %q, want %q", tt.in, got, tt.familiar)
		}
		if got := r.Context().Scheme(); got != tt.scheme {
			t.Errorf("parse %q: scheme %s, want %s", tt.in, got, tt.scheme)
		}
	}
	if _, err := image.ParseReference("UPPER/case"); err == nil {
		t.Error("parse UPPER/case: no error")
	}
}

func TestShortName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"docker.io/library/redis": "redis",
		"docker.io/user/app":      "user/app",
		"127.0.0.1:5000/app":      "127.0.0.1:5000/app",
	} {
		if got := image.ShortName(in); got != want {
			t.Errorf("ShortName(%q) = %q, want %q", in, got, want)
		}
	}
}

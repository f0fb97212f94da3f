package image

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestVerifyRejects checks berth's own digest checks, which guard the
// sources go-containerregistry does not verify (archives, imports).
func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wrong := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	if err := s.writeBlob(t.Context(), strings.NewReader("content"), wrong); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("write blob with wrong digest: %v, want ErrDigestMismatch", err)
	}
	tarData := []byte(strings.Repeat("\x00", 1024)) // an empty tar
	digest, _, _ := v1.SHA256(bytes.NewReader(tarData))
	if err := s.writeBlob(t.Context(), bytes.NewReader(tarData), digest); err != nil {
		t.Fatal(err)
	}
	if _, err := s.extract(t.Context(), digest, wrong); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("extract with wrong diff ID: %v, want ErrDigestMismatch", err)
	}
	layers, _ := os.ReadDir(s.path("layers"))
	blobs, _ := os.ReadDir(s.path("blobs", "sha256"))
	if len(layers) != 0 || len(blobs) != 1 {
		t.Errorf("after rejected writes: %d layers, %d blobs; want 0 and the one good blob", len(layers), len(blobs))
	}
	if size, err := s.extract(t.Context(), digest, digest); err != nil || size != 1024 {
		t.Errorf("extract with right diff ID: %d %v", size, err)
	}
}

package project

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/corpus"
)

// TestCorpusHashes checks the config hashes that depend on where a corpus
// case lay when Docker Compose recorded them (a bind mount or build context
// inside the case): the project is loaded from where the case is now, its
// absolute paths are moved to the original location, and the hash must be
// the one Docker Compose printed. Cases whose hash does not depend on the
// path are checked through the binary in e2e.
func TestCorpusHashes(t *testing.T) {
	cases := corpus.ForTest(t)
	checked := 0
	for _, c := range cases {
		if c.WantExit != 0 || c.WantHash == "" || !c.PathDependentHash() {
			continue
		}
		checked++
		t.Run(c.Name, func(t *testing.T) {
			got, err := relocatedHashes(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.WantHash {
				t.Fatalf("hash differs\n--- got\n%s--- want\n%s", got, c.WantHash)
			}
		})
	}
	if checked == 0 {
		t.Fatal("no path-dependent case found: the selection is broken")
	}
}

func relocatedHashes(t *testing.T, c corpus.Case) (string, error) {
	opts := Options{
		Environ:        append(corpus.Environ(), "PWD="+c.Dir),
		DiscardEnvFile: true,
	}
	for i := 0; i+1 < len(c.Args); i += 2 {
		if c.Args[i] != "-f" {
			return "", fmt.Errorf("unexpected args %q", c.Args)
		}
		opts.Files = append(opts.Files, filepath.Join(c.Dir, c.Args[i+1]))
	}
	opts.NoEnvResolution = true
	p, err := Load(t.Context(), opts)
	if err != nil {
		return "", err
	}
	if p, err = ProjectForHash(p, nil, true); err != nil {
		return "", err
	}
	var out strings.Builder
	original := filepath.Join(corpus.OriginalRoot, c.Name)
	for _, name := range p.ServiceNames() {
		input, err := hashInput(p.Services[name])
		if err != nil {
			return "", err
		}
		// Paths are plain JSON strings here (no escapes), so moving them
		// in the hashed bytes is exact.
		moved := strings.ReplaceAll(string(input), c.Dir, original)
		fmt.Fprintf(&out, "%s %x\n", name, sha256.Sum256([]byte(moved)))
	}
	return out.String(), nil
}

package e2e

import (
	"testing"

	"github.com/berth-dev/berth/internal/corpus"
)

// TestCorpusConfig runs `berth config` and `berth config --hash '*'` on every
// case of the corpus, in the clean environment Docker Compose's outputs were
// recorded with, and compares byte for byte. A case Docker Compose rejects
// must be rejected with a message.
func TestCorpusConfig(t *testing.T) {
	cases := corpus.ForTest(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			env := corpus.Environ()
			got := berth(t, c.Dir, env, append(c.Args, "config")...)
			if c.WantExit != 0 {
				if got.exit == 0 || got.stderr == "" {
					t.Fatalf("accepted input that Docker Compose rejects with %q (exit %d, stderr %q)", c.WantStderr, got.exit, got.stderr)
				}
				return
			}
			if got.exit != 0 {
				t.Fatalf("exit %d: %s", got.exit, got.stderr)
			}
			if got.stdout != c.WantConfig {
				t.Fatalf("config differs\n--- got\n%s\n--- want\n%s", got.stdout, c.WantConfig)
			}
			if c.WantHash == "" || c.PathDependentHash() {
				return // path-dependent hashes: see project's TestCorpusHashes
			}
			hash := berth(t, c.Dir, env, append(c.Args, "config", "--hash", "*")...)
			if hash.stdout != c.WantHash {
				t.Fatalf("hash differs\n--- got\n%s--- want\n%s(stderr %s)", hash.stdout, c.WantHash, hash.stderr)
			}
		})
	}
}

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/roottest"

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

// TestCheckScriptAtRecordedPath runs the corpus's own check.sh with the
// corpus where Docker Compose's outputs were recorded: the config hash of
// a service with a bind mount or build context inside its case holds the
// case's absolute path, so those hashes match only there. A private mount
// namespace puts a copy of the corpus at that path without touching the
// host.
func TestCheckScriptAtRecordedPath(t *testing.T) {
	roottest.Require(t)
	top := "/" + strings.Split(strings.TrimPrefix(corpus.OriginalRoot, "/"), "/")[0]
	if _, err := os.Stat(top); err != nil {
		t.Skipf("no %s here to mount over (the path-dependent hashes are checked by project's TestCorpusHashes)", top)
	}
	dir, err := corpus.Dir()
	if err != nil {
		t.Skip(err)
	}
	cp := filepath.Join(t.TempDir(), "corpus")
	if out, err := exec.Command("cp", "-r", dir, cp).CombinedOutput(); err != nil {
		t.Fatalf("copy corpus: %v: %s", err, out)
	}
	at := filepath.Dir(corpus.OriginalRoot) // .../corpus
	script := fmt.Sprintf("mount -t tmpfs none %s && mkdir -p %s && mount --bind %s %s && %s/check.sh %s",
		top, at, cp, at, at, berthBin)
	out, err := exec.CommandContext(t.Context(), "unshare", "-m", "--propagation", "private", "bash", "-c", script).CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if err != nil || !strings.HasSuffix(last, " passed, 0 failed") {
		t.Fatalf("check.sh: %v\n%s", err, out)
	}
	t.Log(last)
}

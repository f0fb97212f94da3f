// Package corpus reads the compose corpus in shared/corpus: real compose
// files from public projects, each with what Docker Compose v5.6.0 printed
// for `config` and `config --hash '*'`. Tests compare berth against it.
package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// OriginalRoot is where the cases lay when Docker Compose's outputs were
// recorded. The outputs have that path replaced by ${CASE_DIR}, but a config
// hash cannot be: a service whose hashed config holds an absolute path into
// its case (a bind mount, a build context) has a hash that is only
// reproducible from this path. It was found by hashing one such case from
// candidate locations.
const OriginalRoot = "/work/steering/shared/corpus/cases"

// Case is one corpus entry.
type Case struct {
	Name       string
	Dir        string   // absolute
	Args       []string // options before the command, e.g. -f compose.yaml
	WantExit   int
	WantConfig string // with ${CASE_DIR} replaced by Dir
	WantHash   string // raw, as recorded
	WantStderr string
}

// PathDependentHash reports whether the recorded hash may depend on where
// the case lay (its config mentions the case directory).
func (c Case) PathDependentHash() bool {
	return strings.Contains(c.WantConfig, c.Dir)
}

// Dir finds the corpus: $BERTH_CORPUS, else shared/corpus beside the
// checkout, searched upwards from the working directory.
func Dir() (string, error) {
	if dir := os.Getenv("BERTH_CORPUS"); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		candidate := filepath.Join(d, "shared", "corpus")
		if _, err := os.Stat(filepath.Join(candidate, "cases")); err == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("corpus not found: no shared/corpus above %s and BERTH_CORPUS unset", wd)
}

// Cases reads every case under dir/cases.
func Cases(dir string) ([]Case, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "cases"))
	if err != nil {
		return nil, err
	}
	var cases []Case
	for _, e := range entries {
		caseDir, err := filepath.Abs(filepath.Join(dir, "cases", e.Name()))
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(caseDir, "expected")); err != nil {
			continue
		}
		c, err := readCase(e.Name(), caseDir)
		if err != nil {
			return nil, fmt.Errorf("corpus case %s: %w", e.Name(), err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

func readCase(name, dir string) (Case, error) {
	c := Case{Name: name, Dir: dir}
	read := func(rel string) string {
		b, _ := os.ReadFile(filepath.Join(dir, rel))
		return string(b)
	}
	for _, line := range strings.Split(read("args"), "\n") {
		if line != "" {
			c.Args = append(c.Args, line)
		}
	}
	exit, err := strconv.Atoi(strings.TrimSpace(read("expected/exit")))
	if err != nil {
		return c, fmt.Errorf("expected/exit: %w", err)
	}
	c.WantExit = exit
	c.WantConfig = strings.ReplaceAll(read("expected/config.yaml"), "${CASE_DIR}", dir)
	c.WantHash = read("expected/hash.txt")
	c.WantStderr = read("expected/stderr.txt")
	return c, nil
}

// Environ is the clean environment the outputs were recorded with.
func Environ() []string {
	return []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent", "COMPOSE_PROJECT_NAME="}
}

// ForTest returns every case, skipping t when the corpus is absent (it is
// beside the checkout in CI, where its absence fails t instead).
func ForTest(t testing.TB) []Case {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	cases, err := Cases(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	return cases
}

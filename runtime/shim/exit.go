package shim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Exit is how the container's init ended, as the shim records it.
type Exit struct {
	Code      int // exit status, or 128+signal
	Finished  time.Time
	OOMKilled bool
}

// WriteExit records e in dir.
func WriteExit(dir string, e Exit) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode exit: %w", err)
	}
	return writeAtomic(filepath.Join(dir, ExitFile), b)
}

// ReadExit loads the exit recorded in dir; os.ErrNotExist while the
// container has not exited.
func ReadExit(dir string) (Exit, error) {
	var e Exit
	b, err := os.ReadFile(filepath.Join(dir, ExitFile))
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("parse exit: %w", err)
	}
	return e, nil
}

// oomKilled reads the "oom_kill N" counter of a memory cgroup: v1's
// memory.oom_control or v2's memory.events (Documentation/admin-guide/
// cgroup-v2.rst). The kernel counts every process of the cgroup the OOM
// killer chose, so any count means the container ran out of memory.
func oomKilled(file string) bool {
	if file == "" {
		return false
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
			n, _ := strconv.Atoi(v)
			return n > 0
		}
	}
	return false
}

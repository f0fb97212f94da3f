package libct

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// record is what the runtime keeps of a container's config after Create:
// the parts later calls need (Exec, Stop, Inspect, Logs).
type record struct {
	ID         string
	Labels     map[string]string
	Created    time.Time
	NetNS      string // ContainerConfig.NetNSPath
	Env        []string
	Cwd        string
	UID, GID   uint32
	StopSignal int
	StopGrace  time.Duration
	LogMax     int
}

func newRecord(cfg *runtime.ContainerConfig) *record {
	sig := syscall.SIGTERM
	if s, ok := cfg.StopSignal.(syscall.Signal); ok && s != 0 {
		sig = s
	}
	grace := cfg.StopGrace
	if grace == 0 {
		grace = 10 * time.Second
	}
	return &record{
		ID: cfg.ID, Labels: cfg.Labels, Created: time.Now().UTC(), NetNS: cfg.NetNSPath,
		Env: cfg.Process.Env, Cwd: cfg.Process.Cwd, UID: cfg.Process.UID, GID: cfg.Process.GID,
		StopSignal: int(sig), StopGrace: grace, LogMax: max(cfg.Log.MaxFiles, 1),
	}
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// loadRecord reads the record of id; runtime.ErrNotFound if there is none.
func (r *Runtime) loadRecord(id string) (*record, error) {
	if !validID.MatchString(id) {
		return nil, fmt.Errorf("container %q: %w", id, runtime.ErrNotFound)
	}
	b, err := os.ReadFile(filepath.Join(r.dir(id), recordFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("container %q: %w", id, runtime.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read container %q: %w", id, err)
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("parse container %q: %w", id, err)
	}
	return &rec, nil
}

// validID is libcontainer's rule for container IDs, which also keeps them
// safe as path elements.
var validID = regexp.MustCompile(`^[A-Za-z0-9_+.-]+$`)

func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func writeInt(path string, n int) error {
	return os.WriteFile(path, []byte(strconv.Itoa(n)+"\n"), 0o600)
}

// Package shim is the per-container monitor, like conmon or
// containerd-shim: a small long-lived process that is the parent of the
// container's init process, writes its output in Docker's json-file format
// and records how it ended. It outlives the process that started it, so a
// daemon can die and a later one finds the container again from disk.
//
// The shim runs from the runtime binary berth embeds (cmd/berth-runtime),
// or from berth's own binary without it (argv[0] Name). It creates the
// container itself, through the runtime's Creator, so that its init is its
// child from the start; once that is done it is kept lean: it drops what
// creating took (heap and touched code pages) and its monitor loop is
// pipes, wait4 and a log file.
package shim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Name is argv[0] of a shim process; main dispatches on it.
const Name = "berth-shim"

// Files a shim reads and writes in its container's directory.
const (
	ConfigFile = "shim.json"
	ExitFile   = "exit.json"
)

// Config is what the monitor of one container needs. The runtime writes it
// as ConfigFile in the container's directory before starting the shim.
type Config struct {
	ID        string
	LogPath   string // json-file log; rotated files get .1, .2, ...
	MaxSize   int64  // bytes per log file; 0 for no rotation
	MaxFiles  int    // log files kept when rotating; 0 means 1
	TTY       bool   // the process has a terminal: one stream, "stdout"
	OpenStdin bool   // keep stdin open (a pipe nobody closes) instead of /dev/null
	OOMFile   string // cgroup file with the "oom_kill N" counter; "" if none
	// StateDir is where the Creator keeps the container's runtime state
	// (libcontainer's root).
	StateDir string
}

// Creator creates the container of cfg, whose directory is dir, in the
// calling process with stdio as its standard streams, and leaves its init
// waiting to run the container's process; it returns init's pid. init is
// the caller's child: the shim, its parent from then on, reaps it. The
// runtime hands its Creator to Main, so that this package links nothing
// of the runtime's.
type Creator func(dir string, cfg *Config, stdio Stdio) (int, error)

// Stdio are the ends of the container's standard streams that its init
// gets. Console, with a terminal, is the socket on which init sends the
// terminal's master instead; Stdout and Stderr are then nil.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
	Console               *os.File
}

// Main runs the shim when the base name of os.Args[0] is Name and exits;
// it returns at once otherwise. Call it first thing in main. The runtime
// starts the shim with the container's directory as its only argument and
// a pipe as fd 3, on which the shim reports "ok <pid>" or an error once
// create has made the container, before it detaches.
func Main(create Creator) {
	if filepath.Base(os.Args[0]) != Name {
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: "+Name+" DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], create); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", Name, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// ReadConfig loads the Config in dir.
func ReadConfig(dir string) (*Config, error) {
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("read shim config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse shim config: %w", err)
	}
	return &c, nil
}

// WriteConfig stores c in dir.
func WriteConfig(dir string, c *Config) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode shim config: %w", err)
	}
	return writeAtomic(filepath.Join(dir, ConfigFile), b)
}

// writeAtomic replaces path with b so that readers never see half a file.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}

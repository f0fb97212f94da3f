package spec

import (
	"maps"
	"slices"
	"strconv"

	"github.com/docker/go-units"

	"github.com/berth-dev/berth/runtime"
)

// Docker's "local" driver rotates by default: five files of 20 MiB.
const (
	localMaxSize  = 20 << 20
	localMaxFiles = 5
)

// logOptions are the options each driver berth stands in for accepts:
// the ones it honours (max-size, max-file) and the ones Docker accepts
// but berth ignores, with a warning. Any other option is an error, as in
// Docker.
var logOptions = map[string][]string{
	"json-file": {"max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"},
	"local":     {"max-size", "max-file", "compress"},
}

// logging sets log rotation from the logging key. berth's monitor writes
// Docker's json-file format, which serves json-file and local alike; any
// other driver is ignored with a warning.
func (t *translation) logging() error {
	l := t.svc.Logging
	if l == nil {
		return nil
	}
	driver := l.Driver
	if driver == "" {
		driver = "json-file"
	}
	accepted, ok := logOptions[driver]
	if !ok {
		t.warn("logging", "driver %q is not supported: output is kept in json-file format", driver)
		return nil
	}
	if driver == "local" {
		t.cfg.Log = runtime.LogConfig{MaxSize: localMaxSize, MaxFiles: localMaxFiles}
	}
	for _, name := range slices.Sorted(maps.Keys(l.Options)) {
		if err := t.logOption(driver, accepted, name, l.Options[name]); err != nil {
			return err
		}
	}
	return nil
}

func (t *translation) logOption(driver string, accepted []string, name, value string) error {
	switch {
	case !slices.Contains(accepted, name):
		return t.invalid("logging", "unknown option %q for the %s driver", name, driver)
	case name == "max-size":
		// Docker reads it with go-units' decimal units: 10m is 10,000,000.
		size, err := units.FromHumanSize(value)
		if err != nil || size <= 0 {
			return t.invalid("logging", "max-size %q: want a positive size such as 10m", value)
		}
		t.cfg.Log.MaxSize = size
	case name == "max-file":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return t.invalid("logging", "max-file %q: want a number of files, at least 1", value)
		}
		t.cfg.Log.MaxFiles = n
	default:
		t.warn("logging", "option %s of the %s driver is not supported and is ignored", name, driver)
	}
	return nil
}

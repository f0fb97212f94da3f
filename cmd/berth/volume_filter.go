package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/volumes"
)

// volumeMatcher decides whether a volume passes the filters; inUse says
// whether a container references it.
type volumeMatcher func(v volumes.Volume, inUse bool) bool

// parseVolumeFilters reads docker volume ls filters: dangling, driver,
// label (key or key=value), label! and name (a substring). Filters with one
// key are alternatives; different keys must all match.
func parseVolumeFilters(filters []string) (volumeMatcher, error) {
	byKey := map[string][]func(volumes.Volume, bool) bool{}
	for _, f := range filters {
		key, value, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("bad format of filter (expected name=value): %q", f)
		}
		test, err := volumeFilter(key, value)
		if err != nil {
			return nil, err
		}
		byKey[key] = append(byKey[key], test)
	}
	return func(v volumes.Volume, inUse bool) bool {
		for _, tests := range byKey {
			if !anyMatch(tests, v, inUse) {
				return false
			}
		}
		return true
	}, nil
}

func anyMatch(tests []func(volumes.Volume, bool) bool, v volumes.Volume, inUse bool) bool {
	for _, test := range tests {
		if test(v, inUse) {
			return true
		}
	}
	return false
}

func volumeFilter(key, value string) (func(volumes.Volume, bool) bool, error) {
	switch key {
	case "dangling":
		dangling, err := strconv.ParseBool(value)
		if err != nil {
			return nil, fmt.Errorf("invalid filter 'dangling=%s'", value)
		}
		return func(_ volumes.Volume, inUse bool) bool { return inUse != dangling }, nil
	case "driver":
		return func(v volumes.Volume, _ bool) bool { return v.Driver == value }, nil
	case "name":
		return func(v volumes.Volume, _ bool) bool { return strings.Contains(v.Name, value) }, nil
	case "label":
		return func(v volumes.Volume, _ bool) bool { return hasLabel(v, value) }, nil
	case "label!":
		return func(v volumes.Volume, _ bool) bool { return !hasLabel(v, value) }, nil
	}
	return nil, fmt.Errorf("invalid filter '%s'", key)
}

// hasLabel matches "key" (present) or "key=value".
func hasLabel(v volumes.Volume, spec string) bool {
	key, want, withValue := strings.Cut(spec, "=")
	got, ok := v.Labels[key]
	return ok && (!withValue || got == want)
}

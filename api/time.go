package api

import (
	"fmt"
	"strconv"
	"time"
)

// ParseTime reads --since/--until as Docker does: RFC 3339 (with or
// without fraction), a date, Unix seconds, or a duration back from now.
func ParseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0), nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339, a date, Unix seconds or a duration like 42m", s)
}

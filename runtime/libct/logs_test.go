package libct

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

func TestLogFilter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	entries := []shim.Entry{
		{Stream: "stdout", Time: t0, Log: "a\n"},
		{Stream: "stderr", Time: t0.Add(time.Second), Log: "b\n"},
		{Stream: "stdout", Time: t0.Add(2 * time.Second), Log: "c\n"},
		{Stream: "stdout", Time: t0.Add(3 * time.Second), Log: "d\n"},
	}
	tests := []struct {
		opts runtime.LogOptions
		want string
	}{
		{runtime.LogOptions{Tail: -1}, "abcd"},
		{runtime.LogOptions{Tail: 2}, "cd"},
		{runtime.LogOptions{Tail: 0}, ""},
		{runtime.LogOptions{Tail: -1, Since: t0.Add(time.Second)}, "bcd"},
		{runtime.LogOptions{Tail: -1, Until: t0.Add(time.Second)}, "ab"},
		{runtime.LogOptions{Tail: 1, Since: t0.Add(time.Second), Until: t0.Add(2 * time.Second)}, "c"},
	}
	for _, tc := range tests {
		var got []string
		f := &filter{opts: tc.opts, sink: func(e runtime.LogEntry) error {
			got = append(got, string(e.Line[:1]))
			return nil
		}}
		for _, e := range entries {
			if err := f.add(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.flushTail(); err != nil {
			t.Fatal(err)
		}
		if s := strings.Join(got, ""); s != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.opts, s, tc.want)
		}
	}
}

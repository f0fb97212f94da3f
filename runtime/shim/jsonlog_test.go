package shim

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readEntries(t *testing.T, path string) []Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		e, err := DecodeEntry(sc.Bytes())
		if err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestLogWritesDockerJSONFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c-json.log")
	l, err := OpenLog(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.Write("stdout", []byte("hel"))
	l.Write("stderr", []byte("err\n"))
	l.Write("stdout", []byte("lo\n<tag> \"q\"\npartial"))
	l.Flush("stdout")
	l.Close()
	raw, _ := os.ReadFile(path)
	first := strings.SplitN(string(raw), "\n", 2)[0]
	if !strings.HasPrefix(first, `{"log":"err\n","stream":"stderr","time":"`) {
		t.Errorf("first line = %s, want Docker's json-file layout", first)
	}
	want := []Entry{{"stderr", time.Time{}, "err\n"}, {"stdout", time.Time{}, "hello\n"}, {"stdout", time.Time{}, "<tag> \"q\"\n"}, {"stdout", time.Time{}, "partial"}}
	got := readEntries(t, path)
	if len(got) != len(want) {
		t.Fatalf("entries = %+v, want %d", got, len(want))
	}
	for i, e := range got {
		if e.Stream != want[i].Stream || e.Log != want[i].Log || e.Time.IsZero() {
			t.Errorf("entry %d = %+v, want %+v with a time", i, e, want[i])
		}
	}
}

func TestLogSplitsLongLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c-json.log")
	l, err := OpenLog(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.Write("stdout", []byte(strings.Repeat("x", maxLine+10)+"\n"))
	l.Close()
	got := readEntries(t, path)
	if len(got) != 2 || len(got[0].Log) != maxLine || got[1].Log != strings.Repeat("x", 10)+"\n" {
		t.Fatalf("got %d entries, want a %d-byte one and the rest", len(got), maxLine)
	}
}

func TestLogRotatesBySize(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c-json.log")
	l, err := OpenLog(path, 200, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		l.Write("stdout", []byte(strings.Repeat(string(rune('a'+i)), 40)+"\n"))
	}
	l.Close()
	for n := range 3 {
		st, err := os.Stat(RotatedName(path, n))
		if err != nil || st.Size() > 200 {
			t.Errorf("file %d: %v, size over 200", n, err)
		}
	}
	if _, err := os.Stat(RotatedName(path, 3)); !os.IsNotExist(err) {
		t.Errorf("a fourth file exists (%v), want max 3", err)
	}
	cur := readEntries(t, path)
	if last := cur[len(cur)-1].Log; last != strings.Repeat("t", 40)+"\n" {
		t.Errorf("last entry = %q, want the 20th line", last)
	}
}

func TestOOMKilledReadsTheCounter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := map[string]bool{
		"oom_kill_disable 0\nunder_oom 0\noom_kill 1\n":               true,
		"low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\noom_group_kill 0\n": false,
	}
	for content, want := range tests {
		f := filepath.Join(dir, "events")
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := oomKilled(f); got != want {
			t.Errorf("oomKilled(%q) = %v, want %v", content, got, want)
		}
	}
	if oomKilled(filepath.Join(dir, "missing")) {
		t.Error("a missing file reads as OOM-killed")
	}
}

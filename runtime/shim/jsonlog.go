package shim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// maxLine is the longest entry the log stores; longer lines are split, as
// Docker's json-file driver splits at its 16 KiB buffer.
const maxLine = 16 << 10

// entry is one line of Docker's json-file format.
type entry struct {
	Log    string `json:"log"`
	Stream string `json:"stream"`
	Time   string `json:"time"`
}

// Log writes container output in Docker's json-file format, one JSON
// object per line of output, rotating the file by size. Safe for
// concurrent use by the stdout and stderr copiers.
type Log struct {
	mu       sync.Mutex
	path     string
	maxSize  int64
	maxFiles int
	f        *os.File
	size     int64
	partial  map[string][]byte // unterminated line per stream
}

// OpenLog opens (appending to) the log at path.
func OpenLog(path string, maxSize int64, maxFiles int) (*Log, error) {
	l := &Log{path: path, maxSize: maxSize, maxFiles: max(maxFiles, 1), partial: map[string][]byte{}}
	return l, l.open()
}

func (l *Log) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat log: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write logs p from stream, one entry per complete line; the rest waits
// for its newline (or Flush).
func (l *Log) Write(stream string, p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	buf := append(l.partial[stream], p...)
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 && len(buf) < maxLine {
			break
		}
		n := min(i+1, maxLine)
		if i < 0 {
			n = maxLine
		}
		l.emit(stream, buf[:n])
		buf = buf[n:]
	}
	l.partial[stream] = append([]byte(nil), buf...)
}

// Flush logs what is left of stream without a newline, as Docker does at
// the end of a stream.
func (l *Log) Flush(stream string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.partial[stream]) > 0 {
		l.emit(stream, l.partial[stream])
	}
	delete(l.partial, stream)
}

func (l *Log) emit(stream string, line []byte) {
	b, err := json.Marshal(entry{Log: string(line), Stream: stream, Time: time.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return
	}
	b = append(b, '\n')
	if l.maxSize > 0 && l.size+int64(len(b)) > l.maxSize && l.size > 0 {
		if err := l.rotate(); err != nil {
			fmt.Fprintf(os.Stderr, "rotate log: %v\n", err)
		}
	}
	n, _ := l.f.Write(b)
	l.size += int64(n)
}

// rotate shifts path.N-1 to path.N ... path to path.1, dropping the oldest,
// so that at most maxFiles files exist; with one file it truncates.
func (l *Log) rotate() error {
	l.f.Close()
	for i := l.maxFiles - 1; i > 0; i-- {
		from := RotatedName(l.path, i-1)
		if err := os.Rename(from, RotatedName(l.path, i)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if l.maxFiles == 1 {
		if err := os.Truncate(l.path, 0); err != nil {
			return err
		}
	}
	return l.open()
}

// RotatedName is the name of the n-th rotated log file (0: the current one).
func RotatedName(path string, n int) string {
	if n == 0 {
		return path
	}
	return fmt.Sprintf("%s.%d", path, n)
}

// Close closes the log file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// Entry is one decoded line of a json-file log.
type Entry struct {
	Stream string
	Time   time.Time
	Log    string
}

// DecodeEntry parses one line of a json-file log.
func DecodeEntry(line []byte) (Entry, error) {
	var e entry
	if err := json.Unmarshal(line, &e); err != nil {
		return Entry{}, fmt.Errorf("decode log entry: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, e.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("decode log entry time: %w", err)
	}
	return Entry{Stream: e.Stream, Time: t, Log: e.Log}, nil
}

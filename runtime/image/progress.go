package image

import (
	"context"
	"io"
	"sync"
)

// Status is the state of one layer in a pull, named as docker prints it.
type Status string

// Layer states, in the order a layer goes through them.
const (
	StatusWaiting     Status = "Waiting"
	StatusDownloading Status = "Downloading"
	StatusExtracting  Status = "Extracting"
	StatusDone        Status = "Pull complete"
	StatusExists      Status = "Already exists"
)

// Event reports progress on one layer of a pull.
type Event struct {
	Layer   string // short digest, 12 hex digits
	Status  Status
	Current int64 // bytes downloaded so far (StatusDownloading)
	Total   int64 // compressed size of the layer
}

// ProgressFunc receives pull events. Calls never overlap, but come from
// the goroutines that download layers: it must not block for long.
type ProgressFunc func(Event)

// reporter serializes events to a ProgressFunc, which may be nil.
type reporter struct {
	mu sync.Mutex
	fn ProgressFunc
}

func (r *reporter) send(e Event) {
	if r == nil || r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn(e)
}

// progressStep is how many bytes pass between Downloading events.
const progressStep = 256 << 10

// progressReader reports Downloading events as bytes are read.
type progressReader struct {
	r        io.Reader
	id       string
	total    int64
	current  int64
	reported int64
	progress *reporter
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.current += int64(n)
	if p.current-p.reported >= progressStep || (err == io.EOF && p.current != p.reported) {
		p.reported = p.current
		p.progress.send(Event{Layer: p.id, Status: StatusDownloading, Current: p.current, Total: p.total})
	}
	return n, err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// contextReader stops a long copy once ctx ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

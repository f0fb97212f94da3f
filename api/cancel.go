package api

import (
	"context"
	"net/http"
	"sync"
)

// CancelRequest asks the daemon to cancel an operation in flight: the
// CLI's answer to a first Ctrl-C. The operation's stream goes on while it
// undoes what it did, so the CLI can show that and exit once the host is
// consistent again; cancelling the stream's own request instead would
// leave the CLI gone while the daemon still rolls back.
type CancelRequest struct {
	Operation string `json:"operation"`
}

// operations holds the cancel functions of the operations in flight that
// a client named.
type operations struct {
	mu      sync.Mutex
	cancels map[string]context.CancelFunc
}

// start returns ctx for an operation named id ("" for none), cancelled
// by cancel(id) or by end, which the operation calls when it returns.
func (o *operations) start(ctx context.Context, id string) (context.Context, func()) {
	ctx, stop := context.WithCancel(ctx)
	if id == "" {
		return ctx, stop
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cancels == nil {
		o.cancels = map[string]context.CancelFunc{}
	}
	o.cancels[id] = stop
	return ctx, func() {
		o.mu.Lock()
		delete(o.cancels, id)
		o.mu.Unlock()
		stop()
	}
}

// cancel cancels operation id if it is in flight.
func (o *operations) cancel(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if stop, ok := o.cancels[id]; ok {
		stop()
	}
}

func (s *Server) cancelOperation(w http.ResponseWriter, r *http.Request) {
	var req CancelRequest
	if !decode(w, r, &req) {
		return
	}
	// An operation that finished already has nothing left to cancel.
	s.ops.cancel(req.Operation)
	w.WriteHeader(http.StatusNoContent)
}

// Cancel cancels the operation in flight that the request with Operation
// op started. An operation that has ended already is no error.
func (c *Client) Cancel(ctx context.Context, op string) error {
	resp, err := c.post(ctx, "/v1/cancel", &CancelRequest{Operation: op})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Backend does what the daemon is asked; the scheduler implements it.
type Backend interface {
	// Up brings a project up, reporting progress through emit.
	Up(ctx context.Context, req *UpRequest, emit func(Event)) error
	// Down takes a project away, reporting progress through emit.
	Down(ctx context.Context, req *DownRequest, emit func(Event)) error
	// Stop stops (or kills) a project's containers, keeping them.
	Stop(ctx context.Context, req *StopRequest, emit func(Event)) error
	// Ps lists a project's containers; all includes stopped ones.
	Ps(ctx context.Context, projectName string, all bool) ([]ContainerSummary, error)
	// Ls lists projects; all includes stopped ones.
	Ls(ctx context.Context, all bool) ([]ProjectSummary, error)
	// Logs streams the logs of a project's containers until they are
	// exhausted or, with Follow, ctx ends.
	Logs(ctx context.Context, req *LogsRequest, emit func(LogLine) error) error
}

// ExitCoder is an error that carries the exit code the CLI should end with.
type ExitCoder interface {
	error
	ExitCode() int
}

// Server answers the CLI on a unix socket.
type Server struct {
	backend Backend
	http    *http.Server
	ops     operations
}

// NewServer returns a server for backend.
func NewServer(backend Backend) *Server {
	s := &Server{backend: backend}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /v1/up", s.up)
	mux.HandleFunc("POST /v1/down", s.down)
	mux.HandleFunc("POST /v1/stop", s.stop)
	mux.HandleFunc("GET /v1/ps", s.ps)
	mux.HandleFunc("GET /v1/ls", s.ls)
	mux.HandleFunc("POST /v1/logs", s.logs)
	mux.HandleFunc("POST /v1/cancel", s.cancelOperation)
	s.http = &http.Server{Handler: mux}
	return s
}

// Listen opens the socket at path, root-only (0660), replacing a stale one
// left by a daemon that died; it refuses when a live daemon answers there.
func Listen(ctx context.Context, path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if NewClient(path).Ping(ctx) == nil {
		return nil, fmt.Errorf("listen on %s: a berth daemon is already running", path)
	}
	_ = os.Remove(path)
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		l.Close()
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}

// Serve answers on l until ctx ends, then lets requests in flight finish.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.http.BaseContext = func(net.Listener) context.Context { return ctx }
	go func() {
		<-ctx.Done()
		_ = s.http.Shutdown(context.WithoutCancel(ctx))
	}()
	if err := s.http.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) up(w http.ResponseWriter, r *http.Request) {
	var req UpRequest
	if !decode(w, r, &req) {
		return
	}
	ctx, end := s.ops.start(r.Context(), req.Operation)
	defer end()
	stream(w, func(emit func(Event)) error { return s.backend.Up(ctx, &req, emit) })
}

func (s *Server) down(w http.ResponseWriter, r *http.Request) {
	var req DownRequest
	if !decode(w, r, &req) {
		return
	}
	stream(w, func(emit func(Event)) error { return s.backend.Down(r.Context(), &req, emit) })
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	var req StopRequest
	if !decode(w, r, &req) {
		return
	}
	stream(w, func(emit func(Event)) error { return s.backend.Stop(r.Context(), &req, emit) })
}

func (s *Server) ps(w http.ResponseWriter, r *http.Request) {
	all, _ := strconv.ParseBool(r.URL.Query().Get("all"))
	list, err := s.backend.Ps(r.Context(), r.URL.Query().Get("project"), all)
	reply(w, list, err)
}

func (s *Server) ls(w http.ResponseWriter, r *http.Request) {
	all, _ := strconv.ParseBool(r.URL.Query().Get("all"))
	list, err := s.backend.Ls(r.Context(), all)
	reply(w, list, err)
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	var req LogsRequest
	if !decode(w, r, &req) {
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc, flush := ndjson(w)
	err := s.backend.Logs(r.Context(), &req, func(l LogLine) error {
		if err := enc.Encode(l); err != nil {
			return err
		}
		flush()
		return nil
	})
	if err != nil && r.Context().Err() == nil {
		_ = enc.Encode(LogLine{Stream: "error", Line: err.Error()})
	}
}

// stream runs op, sending each event as a JSON line as it happens, and a
// final line carrying op's error.
func stream(w http.ResponseWriter, op func(emit func(Event)) error) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc, flush := ndjson(w)
	var mu sync.Mutex
	emit := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if enc.Encode(e) == nil {
			flush()
		}
	}
	err := op(emit)
	final := Event{Final: true}
	if err != nil {
		final.Error, final.ExitCode = err.Error(), exitCode(err)
	}
	emit(final)
}

func ndjson(w http.ResponseWriter) (*json.Encoder, func()) {
	flusher, _ := w.(http.Flusher)
	return json.NewEncoder(w), func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
}

func exitCode(err error) int {
	var coded ExitCoder
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		reply(w, nil, fmt.Errorf("decode request: %w", err))
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(Error{Message: err.Error(), ExitCode: exitCode(err)})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

package api

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

type fakeBackend struct {
	up  *UpRequest
	err error
}

func (f *fakeBackend) Up(_ context.Context, req *UpRequest, emit func(Event)) error {
	f.up = req
	emit(Event{Resource: "Container demo-web-1", Status: "Started"})
	return f.err
}
func (f *fakeBackend) Down(_ context.Context, _ *DownRequest, emit func(Event)) error {
	emit(Event{Resource: "Network demo_default", Status: "Removed"})
	return nil
}
func (f *fakeBackend) Stop(context.Context, *StopRequest, func(Event)) error { return nil }
func (f *fakeBackend) Ps(_ context.Context, name string, _ bool) ([]ContainerSummary, error) {
	return []ContainerSummary{{Name: name + "-web-1", State: "running"}}, nil
}
func (f *fakeBackend) Ls(context.Context, bool) ([]ProjectSummary, error) {
	return []ProjectSummary{{Name: "demo", Status: "running(1)"}}, nil
}
func (f *fakeBackend) Logs(_ context.Context, _ *LogsRequest, emit func(LogLine) error) error {
	for _, l := range []string{"one\n", "two\n"} {
		if err := emit(LogLine{Service: "web", Line: l}); err != nil {
			return err
		}
	}
	return nil
}

type coded struct{ error }

func (coded) ExitCode() int { return 17 }

func serve(t *testing.T, b Backend) *Client {
	t.Helper()
	socket := filepath.Join(t.TempDir(), "berth.sock")
	l, err := Listen(t.Context(), socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(b).Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return NewClient(socket)
}

func TestRoundTrip(t *testing.T) {
	backend := &fakeBackend{}
	c := serve(t, backend)
	if err := c.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	p := &types.Project{Name: "demo", WorkingDir: "/w", Services: types.Services{"web": {Name: "web"}}}
	wire, err := FromProject(p)
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	if err := c.Up(t.Context(), &UpRequest{Project: wire}, func(e Event) { events = append(events, e) }); err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Status != "Started" {
		t.Errorf("events %v", events)
	}
	got, err := backend.up.Project.ToProject(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "demo" || got.WorkingDir != "/w" || got.Services["web"].Name != "web" {
		t.Errorf("project came through as %+v", got)
	}
	if backend.up.Project.Hashes["web"] == "" {
		t.Error("no config hash sent")
	}

	backend.err = coded{errors.New("service \"web\" failed")}
	err = c.Up(t.Context(), &UpRequest{Project: wire}, func(Event) {})
	var remote *RemoteError
	if !errors.As(err, &remote) || remote.Code != 17 || remote.Message != `service "web" failed` {
		t.Errorf("error %#v", err)
	}

	ps, err := c.Ps(t.Context(), "demo", true)
	if err != nil || len(ps) != 1 || ps[0].Name != "demo-web-1" {
		t.Errorf("ps %v %v", ps, err)
	}
	var lines []string
	err = c.Logs(t.Context(), &LogsRequest{ProjectName: "demo"}, func(l LogLine) error {
		lines = append(lines, l.Line)
		return nil
	})
	if err != nil || !slices.Equal(lines, []string{"one\n", "two\n"}) {
		t.Errorf("logs %q %v", lines, err)
	}
}

func TestListenRefusesALiveDaemon(t *testing.T) {
	c := serve(t, &fakeBackend{})
	if _, err := Listen(t.Context(), c.socket); err == nil {
		t.Fatal("a second daemon could listen on a live socket")
	}
}

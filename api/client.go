package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// Client talks to the daemon on its unix socket.
type Client struct {
	socket string
	http   *http.Client
}

// NewClient returns a client for the daemon listening on socket.
func NewClient(socket string) *Client {
	dialer := &net.Dialer{}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", socket)
		},
		DisableCompression: true,
	}
	return &Client{socket: socket, http: &http.Client{Transport: transport}}
}

// RemoteError is an error the daemon reported, with the exit code the CLI
// should end with.
type RemoteError struct {
	Message string
	Code    int
}

func (e *RemoteError) Error() string { return e.Message }

// ExitCode is the exit code the CLI should end with.
func (e *RemoteError) ExitCode() int { return e.Code }

// Ping reports whether a daemon answers on the socket.
func (c *Client) Ping(ctx context.Context) error {
	resp, err := c.do(ctx, http.MethodGet, "/v1/ping", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Up brings a project up; onEvent sees every progress event as it comes.
func (c *Client) Up(ctx context.Context, req *UpRequest, onEvent func(Event)) error {
	return c.stream(ctx, "/v1/up", req, onEvent)
}

// Down takes a project away; onEvent sees every progress event as it comes.
func (c *Client) Down(ctx context.Context, req *DownRequest, onEvent func(Event)) error {
	return c.stream(ctx, "/v1/down", req, onEvent)
}

// Stop stops or kills a project's containers.
func (c *Client) Stop(ctx context.Context, req *StopRequest, onEvent func(Event)) error {
	return c.stream(ctx, "/v1/stop", req, onEvent)
}

// Ps lists a project's containers.
func (c *Client) Ps(ctx context.Context, projectName string, all bool) ([]ContainerSummary, error) {
	var list []ContainerSummary
	q := url.Values{"project": {projectName}, "all": {strconv.FormatBool(all)}}
	return list, c.get(ctx, "/v1/ps?"+q.Encode(), &list)
}

// Ls lists projects.
func (c *Client) Ls(ctx context.Context, all bool) ([]ProjectSummary, error) {
	var list []ProjectSummary
	return list, c.get(ctx, "/v1/ls?all="+strconv.FormatBool(all), &list)
}

// Logs streams log lines to onLine until the daemon ends the stream or ctx
// ends.
func (c *Client) Logs(ctx context.Context, req *LogsRequest, onLine func(LogLine) error) error {
	resp, err := c.post(ctx, "/v1/logs", req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var l LogLine
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return ctxErr(ctx, err)
		}
		if l.Stream == "error" {
			return &RemoteError{Message: l.Line, Code: 1}
		}
		if err := onLine(l); err != nil {
			return err
		}
	}
}

func (c *Client) stream(ctx context.Context, path string, req any, onEvent func(Event)) error {
	resp, err := c.post(ctx, path, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var e Event
		if err := dec.Decode(&e); err != nil {
			return ctxErr(ctx, fmt.Errorf("daemon ended the stream early: %w", err))
		}
		if e.Final {
			if e.Error != "" {
				return &RemoteError{Message: e.Error, Code: e.ExitCode}
			}
			return nil
		}
		onEvent(e)
	}
}

func (c *Client) get(ctx context.Context, path string, v any) error {
	resp, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c *Client) post(ctx context.Context, path string, body any) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(b))
}

// do sends a request and turns a non-2xx answer into its RemoteError.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://berth"+path, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("berth daemon at %s: %w", c.socket, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var e Error
		if json.NewDecoder(resp.Body).Decode(&e) != nil || e.Message == "" {
			e.Message = resp.Status
		}
		if e.ExitCode == 0 {
			e.ExitCode = 1
		}
		return nil, &RemoteError{Message: e.Message, Code: e.ExitCode}
	}
	return resp, nil
}

// ctxErr prefers ctx's error: a stream cut because the caller gave up is
// a cancellation, not a daemon failure.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

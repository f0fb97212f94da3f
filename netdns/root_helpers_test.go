package netdns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/roottest"
)

// newNetNS makes a throwaway network namespace with ip-netns(8) and returns
// its path; the namespace goes with the test.
func newNetNS(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "berth-test-" + hex.EncodeToString(b)
	run(t, "", "ip", "netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	path := filepath.Join("/run/netns", name)
	run(t, path, "ip", "link", "set", "lo", "up")
	return path
}

// run runs a command inside the namespace at ns ("" for the test's own).
func run(t testing.TB, ns string, name string, args ...string) string {
	t.Helper()
	var out []byte
	err := inNetNS(ns, func() (err error) {
		out, err = exec.Command(name, args...).CombinedOutput()
		return err
	})
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// rootSetup gives a privileged test a fresh "host" namespace and a Manager
// living in it, whose DNS forwards nowhere unless upstreams are given.
func rootSetup(t testing.TB, upstreams ...string) (host string, m *Manager, root string) {
	t.Helper()
	roottest.Require(t)
	host = newNetNS(t)
	root = t.TempDir()
	m = openManager(t, host, root, upstreams)
	return host, m, root
}

func openManager(t testing.TB, host, root string, upstreams []string) *Manager {
	t.Helper()
	if upstreams == nil {
		upstreams = []string{}
	}
	m, err := Open(t.Context(), Options{Root: root, NetNS: host, Upstreams: upstreams})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// dialIn returns a dialer whose sockets are made in the namespace at ns,
// whatever goroutine dials: a socket stays in the namespace it was made in.
func dialIn(ns string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (c net.Conn, err error) {
		err = inNetNS(ns, func() (err error) {
			c, err = (&net.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}
}

// httpClient makes requests from the namespace at ns, resolving names with
// the DNS server at dnsAddr (as a container's resolv.conf would say).
func httpClient(ns, dnsAddr string) *http.Client {
	dial := dialIn(ns)
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial(ctx, network, dnsAddr)
	}}
	tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if net.ParseIP(host) == nil {
			ips, err := resolver.LookupHost(ctx, host)
			if err != nil {
				return nil, err
			}
			addr = net.JoinHostPort(ips[0], port)
		}
		return dial(ctx, network, addr)
	}}
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// get fetches url and returns the body, or the error.
func get(t *testing.T, c *http.Client, url string) (string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// serveHTTP runs an HTTP server answering body on addr inside ns.
func serveHTTP(t *testing.T, ns, addr, body string) net.Addr {
	t.Helper()
	var l net.Listener
	if err := inNetNS(ns, func() (err error) { l, err = net.Listen("tcp", addr); return err }); err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr()
}

// attach attaches the namespace ns to network as id, with a default route.
func attach(t testing.TB, m *Manager, ns, network, id string) Endpoint {
	t.Helper()
	ep, err := m.Attach(t.Context(), ns, AttachSpec{Network: network, ID: id, IfName: "eth0", DefaultRoute: true})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

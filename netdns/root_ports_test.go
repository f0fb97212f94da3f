package netdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRootPublishedPort(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	out := outside(t, host)
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_default"}); err != nil {
		t.Fatal(err)
	}
	web, other := newNetNS(t), newNetNS(t)
	attach(t, m, web, "app_default", "web1")
	attach(t, m, other, "app_default", "other1")
	serveHTTP(t, web, ":80", "published")
	fixed, err := m.Publish(ctx, PortSpec{Service: "web", Network: "app_default", ID: "web1", HostPortStart: 18080, ContainerPort: 80})
	if err != nil {
		t.Fatal(err)
	}
	random, err := m.Publish(ctx, PortSpec{Service: "web", Network: "app_default", ID: "web1", HostIP: addr("127.0.0.1"), ContainerPort: 80})
	if err != nil || random.HostPort == 0 {
		t.Fatalf("random host port: %+v, %v", random, err)
	}
	clients := map[string]*http.Client{"host": httpClient(host, ""), "other": httpClient(other, ""), "outside": httpClient(out, "")}
	for _, tt := range []struct {
		from, url string
	}{
		{"host", "http://127.0.0.1:18080/"},
		{"host", fmt.Sprintf("http://127.0.0.1:%d/", random.HostPort)},
		{"host", "http://198.51.100.1:18080/"},
		{"other", "http://198.51.100.1:18080/"},   // hairpin through the host address
		{"outside", "http://198.51.100.1:18080/"}, // from another machine, past FORWARD DROP
	} {
		if body, err := get(t, clients[tt.from], tt.url); err != nil || body != "published" {
			t.Errorf("GET %s from %s: %q, %v", tt.url, tt.from, body, err)
		}
	}
	fromHost := clients["host"]
	udp, err := m.Publish(ctx, PortSpec{Service: "web", Network: "app_default", ID: "web1",
		HostPortStart: 15353, HostPortEnd: 15360, ContainerPort: 53, Protocol: "udp"})
	if err != nil || udp.HostPort != 15353 {
		t.Fatalf("udp port: %+v, %v", udp, err)
	}
	echoUDP(t, web, ":53")
	if got, err := askUDP(ctx, host, "127.0.0.1:15353", "ping"); err != nil || got != "ping" {
		t.Errorf("udp through published port: %q, %v", got, err)
	}
	if err := m.Unpublish(ctx, fixed.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, fromHost, "http://127.0.0.1:18080/"); err == nil {
		t.Error("port still answers after Unpublish")
	}
}

func TestRootTakenPortFailsFirst(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_default"}); err != nil {
		t.Fatal(err)
	}
	attach(t, m, newNetNS(t), "app_default", "web1")
	held := serveHTTP(t, host, "127.0.0.1:0", "host process")
	port := uint16(held.(*net.TCPAddr).Port)
	spec := PortSpec{Service: "web", Network: "app_default", ID: "web1", HostPortStart: port, ContainerPort: 80}
	for _, err := range []error{m.CheckPorts(ctx, []PortSpec{spec}), publishErr(m, t, spec)} {
		if !errors.Is(err, ErrPortTaken) || !strings.Contains(err.Error(), fmt.Sprint(port)) || !strings.Contains(err.Error(), `"web"`) {
			t.Errorf("taken port: %v", err)
		}
	}
	if strings.Contains(run(t, host, "nft", "list", "chain", "inet", "berth", "ports"), "dnat") {
		t.Error("a failed Publish left a rule")
	}
	// A port berth publishes already is taken too, though no socket holds it.
	spec.HostPortStart = 18081
	if _, err := m.Publish(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckPorts(ctx, []PortSpec{spec}); !errors.Is(err, ErrPortTaken) {
		t.Errorf("port published twice: %v", err)
	}
}

func publishErr(m *Manager, t *testing.T, spec PortSpec) error {
	_, err := m.Publish(t.Context(), spec)
	return err
}

func TestRootPublishedPortIPv6(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	out := outsideAccepting(t, host)
	run(t, host, "ip", "addr", "add", "fd00:99::1/64", "dev", "up0", "nodad")
	run(t, out, "ip", "addr", "add", "fd00:99::2/64", "dev", "up1", "nodad")
	run(t, host, "ip6tables", "-P", "FORWARD", "DROP")
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_default", EnableIPv6: true,
		IPv6: IPAMConfig{Subnet: pfx("fd00:5::/64")}}); err != nil {
		t.Fatal(err)
	}
	web := newNetNS(t)
	attach(t, m, web, "app_default", "web1")
	serveHTTP(t, web, ":80", "published over IPv6")
	_, err := m.Publish(ctx, PortSpec{Service: "web", Network: "app_default", ID: "web1",
		HostIP: addr("fd00:99::1"), HostPortStart: 18443, ContainerPort: 80})
	if err != nil {
		t.Fatal(err)
	}
	for name, ns := range map[string]string{"outside": out, "host": host} {
		if body, err := get(t, httpClient(ns, ""), "http://[fd00:99::1]:18443/"); err != nil || body != "published over IPv6" {
			t.Errorf("GET from %s: %q, %v", name, body, err)
		}
	}
}

// echoUDP answers every datagram to addr in ns with its own contents.
func echoUDP(t *testing.T, ns, addr string) {
	t.Helper()
	var pc net.PacketConn
	if err := inNetNS(ns, func() (err error) { pc, err = net.ListenPacket("udp", addr); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo(buf[:n], from)
		}
	}()
}

// askUDP sends msg to addr from ns and returns the reply.
func askUDP(ctx context.Context, ns, addr, msg string) (string, error) {
	c, err := dialIn(ns)(ctx, "udp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	return string(buf[:n]), err
}

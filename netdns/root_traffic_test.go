package netdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// outside gives the host namespace a neighbour standing for the internet:
// a namespace at 198.51.100.2 behind a veth, with no route back to any
// container subnet (so only masquerade makes replies come back), serving
// HTTP on port 80. The host's firewall is that of a dockerd (FORWARD
// policy DROP) and of ufw (INPUT policy DROP, but loopback and replies).
func outside(t *testing.T, host string) string {
	t.Helper()
	out := outsideAccepting(t, host)
	run(t, host, "iptables", "-P", "FORWARD", "DROP")
	run(t, host, "iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT")
	run(t, host, "iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")
	run(t, host, "iptables", "-P", "INPUT", "DROP")
	return out
}

// outsideAccepting is outside with iptables' FORWARD policy left ACCEPT.
func outsideAccepting(t *testing.T, host string) string {
	t.Helper()
	out := newNetNS(t)
	run(t, host, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1", "netns", out)
	run(t, host, "ip", "addr", "add", "198.51.100.1/24", "dev", "up0")
	run(t, host, "ip", "link", "set", "up0", "up")
	run(t, out, "ip", "addr", "add", "198.51.100.2/24", "dev", "up1")
	run(t, out, "ip", "link", "set", "up1", "up")
	serveHTTP(t, out, "198.51.100.2:80", "outside")
	return out
}

func TestRootTwoContainersByName(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	outside(t, host)
	n, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_default", Owner: "app"})
	if err != nil {
		t.Fatal(err)
	}
	web, client := newNetNS(t), newNetNS(t)
	epWeb, epClient := attach(t, m, web, "app_default", "web1"), attach(t, m, client, "app_default", "client1")
	for _, r := range []Record{
		{ID: "web1", Network: "app_default", Addrs: []netip.Addr{epWeb.IPv4.Addr()}, Service: "web", Names: []string{"app-web-1", "www"}},
		{ID: "client1", Network: "app_default", Addrs: []netip.Addr{epClient.IPv4.Addr()}, Service: "client"},
	} {
		if err := m.Register(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	serveHTTP(t, web, ":8080", "hello from web")
	c := httpClient(client, net.JoinHostPort(n.DNS().String(), "53"))
	for _, name := range []string{"web", "www", "app-web-1"} {
		if body, err := get(t, c, "http://"+name+":8080/"); err != nil || body != "hello from web" {
			t.Errorf("GET %s: %q, %v", name, body, err)
		}
	}
	// Out through the gateway, forwarded past FORWARD DROP and masqueraded.
	if body, err := get(t, c, "http://198.51.100.2/"); err != nil || body != "outside" {
		t.Errorf("GET outside: %q, %v", body, err)
	}
	if err := m.Unregister(ctx, "app_default", "web1"); err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, c, "http://web:8080/"); err == nil {
		t.Error("web still resolves after Unregister")
	}
	for _, id := range []string{"web1", "client1"} {
		if err := m.Detach(ctx, "app_default", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.RemoveNetwork(ctx, "app_default", "app"); err != nil {
		t.Fatal(err)
	}
	assertCleanBut(t, host, "up0")
}

func TestRootInternalNetworkHasNoWayOut(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	out := outsideAccepting(t, host)
	n, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_back", Internal: true})
	if err != nil {
		t.Fatal(err)
	}
	// Outside knows its way back and the host forwards (another network
	// turned it on): only the internal network's drop keeps traffic in.
	run(t, host, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	run(t, out, "ip", "route", "add", n.V4.Subnet.String(), "via", "198.51.100.1")
	a, b := newNetNS(t), newNetNS(t)
	attach(t, m, a, "app_back", "a")
	epB := attach(t, m, b, "app_back", "b")
	if routes := run(t, a, "ip", "route"); strings.Contains(routes, "default") {
		t.Fatalf("internal network gave a default route:\n%s", routes)
	}
	serveHTTP(t, b, ":8080", "b")
	c := httpClient(a, "")
	if body, err := get(t, c, "http://"+net.JoinHostPort(epB.IPv4.Addr().String(), "8080")); err != nil || body != "b" {
		t.Fatalf("traffic within the internal network: %q, %v", body, err)
	}
	if _, err := get(t, c, "http://198.51.100.2/"); err == nil {
		t.Fatal("internal network reached outside")
	}
	// Even with a route added by hand, the forward chain drops it.
	run(t, a, "ip", "route", "add", "default", "via", n.V4.Gateway.String())
	if _, err := get(t, c, "http://198.51.100.2/"); err == nil {
		t.Fatal("internal network reached outside through its gateway")
	}
}

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

// assertCleanBut is assertClean for a namespace that also holds the
// test's own interfaces.
func assertCleanBut(t *testing.T, ns string, own ...string) {
	t.Helper()
	for _, l := range own {
		run(t, ns, "ip", "link", "del", l)
	}
	assertClean(t, ns)
}

func TestRootForwardDropSetAfterNetwork(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_default"}); err != nil {
		t.Fatal(err)
	}
	// dockerd starts after the network was made, and drops forwarding.
	run(t, host, "iptables", "-P", "FORWARD", "DROP")
	a, b := newNetNS(t), newNetNS(t)
	epA := attach(t, m, a, "app_default", "a")
	epB := attach(t, m, b, "app_default", "b")
	serveHTTP(t, b, ":8080", "b")
	url := "http://" + net.JoinHostPort(epB.IPv4.Addr().String(), "8080")
	if body, err := get(t, httpClient(a, ""), url); err != nil || body != "b" {
		t.Fatalf("traffic on the bridge after FORWARD DROP: %q, %v", body, err)
	}
	for _, ep := range []Endpoint{epA, epB} {
		rec := Record{ID: ep.ID, Network: ep.Network, Addrs: []netip.Addr{ep.IPv4.Addr()}, Service: "svc-" + ep.ID}
		if err := m.Register(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Detach(ctx, "app_default", "b"); err != nil {
		t.Fatal(err)
	}
	if addrs, known := m.Names().Lookup(epA.IPv4.Addr(), "svc-b"); known {
		t.Fatalf("detached endpoint still answers: %v", addrs)
	}
	if err := m.Detach(ctx, "app_default", "a"); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveNetwork(ctx, "app_default", ""); err != nil {
		t.Fatal(err)
	}
	assertClean(t, host)
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

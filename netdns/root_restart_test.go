package netdns

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"github.com/miekg/dns"
)

func TestRootRestartReadopts(t *testing.T) {
	host, m, root := rootSetup(t)
	ctx := t.Context()
	n, err := m.CreateNetwork(ctx, NetworkSpec{Name: "app_default", Owner: "app"})
	if err != nil {
		t.Fatal(err)
	}
	web, client := newNetNS(t), newNetNS(t)
	epWeb := attach(t, m, web, "app_default", "web1")
	epClient := attach(t, m, client, "app_default", "client1")
	for _, r := range []Record{
		{ID: "web1", Network: "app_default", Addrs: []netip.Addr{epWeb.IPv4.Addr()}, Service: "web"},
		{ID: "client1", Network: "app_default", Addrs: []netip.Addr{epClient.IPv4.Addr()}, Service: "client"},
	} {
		if err := m.Register(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	serveHTTP(t, web, ":80", "still here")
	b, err := m.Publish(ctx, PortSpec{Service: "web", Network: "app_default", ID: "web1", HostIP: addr("127.0.0.1"), ContainerPort: 80})
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(int(b.HostPort))) + "/"
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// No daemon: the kernel still serves the published port.
	if body, err := get(t, httpClient(host, ""), url); err != nil || body != "still here" {
		t.Fatalf("published port without daemon: %q, %v", body, err)
	}
	m2 := openManager(t, host, root, nil)
	dnsAddr := net.JoinHostPort(n.DNS().String(), "53")
	if body, err := get(t, httpClient(client, dnsAddr), "http://web/"); err != nil || body != "still here" {
		t.Fatalf("name after restart: %q, %v", body, err)
	}
	third := attach(t, m2, newNetNS(t), "app_default", "third")
	if slices.Contains([]netip.Addr{epWeb.IPv4.Addr(), epClient.IPv4.Addr()}, third.IPv4.Addr()) {
		t.Fatalf("address %s handed out twice across a restart", third.IPv4)
	}
	if _, err := m2.Endpoint("app_default", "web1"); err != nil {
		t.Fatal(err)
	}
}

func TestRootRestartRecreatesLostBridge(t *testing.T) {
	host, m, root := rootSetup(t)
	n, err := m.CreateNetwork(t.Context(), NetworkSpec{Name: "app_default"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// As after a reboot: bridge and rules are gone, the state file is not.
	run(t, host, "ip", "link", "del", n.Bridge)
	run(t, host, "nft", "delete", "table", "inet", "berth")
	openManager(t, host, root, nil)
	run(t, host, "ip", "link", "show", n.Bridge)
	run(t, host, "nft", "list", "table", "inet", "berth")
	var resp *dns.Msg
	err = inNetNS(host, func() (err error) {
		resp, err = dns.Exchange(new(dns.Msg).SetQuestion("x.", dns.TypeA), net.JoinHostPort(n.DNS().String(), "53"))
		return err
	})
	if err != nil || resp.Rcode != dns.RcodeServerFailure {
		t.Fatalf("DNS after re-adoption: %v, %v", resp, err)
	}
}

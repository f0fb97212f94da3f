package netdns

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestRootBridgeCreateRemove(t *testing.T) {
	host, m, _ := rootSetup(t)
	n, err := m.CreateNetwork(t.Context(), NetworkSpec{Name: "app_default", Owner: "app", MTU: 1400,
		EnableIPv6: true, IPv6: IPAMConfig{Subnet: pfx("fd00:b1::/64")}})
	if err != nil {
		t.Fatal(err)
	}
	link := run(t, host, "ip", "-d", "addr", "show", "dev", n.Bridge)
	for _, want := range []string{"mtu 1400", "bridge", "inet 172.17.0.1/16", "inet6 fd00:b1::1/64", "UP"} {
		if !strings.Contains(link, want) {
			t.Errorf("bridge %s lacks %q:\n%s", n.Bridge, want, link)
		}
	}
	if !strings.Contains(run(t, host, "nft", "list", "table", "inet", "berth"), fmt.Sprintf("%q", n.Bridge)) {
		t.Error("nftables table has no rule for the bridge")
	}
	// The DNS server answers on the gateway.
	var resp *dns.Msg
	err = inNetNS(host, func() (err error) {
		resp, err = dns.Exchange(new(dns.Msg).SetQuestion("nothing.", dns.TypeA), "172.17.0.1:53")
		return err
	})
	if err != nil || resp.Rcode != dns.RcodeServerFailure {
		t.Errorf("DNS on gateway: %v, %v", resp, err)
	}
	if err := m.RemoveNetwork(t.Context(), "app_default", "app"); err != nil {
		t.Fatal(err)
	}
	assertClean(t, host)
}

func TestRootNetworkOwnersAndExternal(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "shared", External: true}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing external network: %v", err)
	}
	for _, owner := range []string{"one", "two"} {
		if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "shared", Owner: owner}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "shared", Owner: "four", Internal: true}); !errors.Is(err, ErrConflict) ||
		!strings.Contains(err.Error(), "internal") {
		t.Fatalf("same name, other configuration: %v", err)
	}
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "shared", Owner: "three", External: true}); err != nil {
		t.Fatalf("existing external network: %v", err)
	}
	for _, owner := range []string{"one", "three", ""} { // three used it as external
		if err := m.RemoveNetwork(ctx, "shared", owner); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := m.Networks()["shared"]; !ok {
		t.Fatal("network removed while project two still uses it")
	}
	if err := m.RemoveNetwork(ctx, "shared", "two"); err != nil {
		t.Fatal(err)
	}
	assertClean(t, host)
}

func TestRootBadInputLeavesNothing(t *testing.T) {
	host, m, _ := rootSetup(t)
	ctx := t.Context()
	if _, err := m.CreateNetwork(ctx, NetworkSpec{Name: "a", IPv4: IPAMConfig{Subnet: pfx("10.40.0.0/16")}}); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		spec NetworkSpec
		want string
	}{
		{NetworkSpec{Name: "b", IPv4: IPAMConfig{Subnet: pfx("10.40.3.0/24")}}, `network "b": subnet 10.40.3.0/24 overlaps`},
		{NetworkSpec{Name: "c", Bridge: "bridge-name-too-long"}, `network "c": bridge name`},
		{NetworkSpec{Name: "d", IPv4: IPAMConfig{Subnet: pfx("10.41.0.0/24"), Gateway: addr("10.42.0.1")}}, `network "d": gateway`},
	}
	for _, tt := range bad {
		if _, err := m.CreateNetwork(ctx, tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CreateNetwork(%s) = %v, want %q", tt.spec.Name, err, tt.want)
		}
	}
	ns := newNetNS(t)
	if _, err := m.Attach(ctx, ns, AttachSpec{Network: "a", ID: "x", IfName: "eth0", IPv4: addr("10.41.0.9")}); err == nil ||
		!strings.Contains(err.Error(), "outside subnet") {
		t.Errorf("ipv4_address outside subnet: %v", err)
	}
	ep := attach(t, m, ns, "a", "y")
	other := newNetNS(t)
	_, err := m.Attach(ctx, other, AttachSpec{Network: "a", ID: "z", IfName: "eth0", IPv4: ep.IPv4.Addr()})
	if !errors.Is(err, ErrAddressTaken) {
		t.Errorf("taken ipv4_address: %v", err)
	}
	if out := run(t, other, "ip", "-o", "link"); strings.Contains(out, "eth0") {
		t.Errorf("failed attach left an interface:\n%s", out)
	}
	if err := m.Detach(ctx, "a", "y"); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveNetwork(ctx, "a", ""); err != nil {
		t.Fatal(err)
	}
	assertClean(t, host)
}

func TestRootAttachAddressesRoutesMAC(t *testing.T) {
	_, m, _ := rootSetup(t)
	ctx := t.Context()
	for _, spec := range []NetworkSpec{
		{Name: "front", MTU: 1450, EnableIPv6: true, IPv6: IPAMConfig{Subnet: pfx("fd00:f::/64")}},
		{Name: "back", IPv4: IPAMConfig{Subnet: pfx("10.50.0.0/24"), IPRange: pfx("10.50.0.128/25")}},
	} {
		if _, err := m.CreateNetwork(ctx, spec); err != nil {
			t.Fatal(err)
		}
	}
	ns := newNetNS(t)
	ep0, err := m.Attach(ctx, ns, AttachSpec{Network: "front", ID: "c", IfName: "eth0", DefaultRoute: true,
		MAC: "02:42:ac:11:00:99", IPv4: addr("172.17.0.42")})
	if err != nil {
		t.Fatal(err)
	}
	ep1, err := m.Attach(ctx, ns, AttachSpec{Network: "back", ID: "c", IfName: "eth1"})
	if err != nil {
		t.Fatal(err)
	}
	if ep0.IPv4 != pfx("172.17.0.42/16") || ep0.MAC != "02:42:ac:11:00:99" || ep1.IPv4 != pfx("10.50.0.128/24") ||
		ep0.IPv6 != pfx("fd00:f::2/64") {
		t.Fatalf("endpoints %+v %+v", ep0, ep1)
	}
	eth0 := run(t, ns, "ip", "addr", "show", "eth0")
	for _, want := range []string{"mtu 1450", "02:42:ac:11:00:99", "172.17.0.42/16", "fd00:f::2/64"} {
		if !strings.Contains(eth0, want) {
			t.Errorf("eth0 lacks %q:\n%s", want, eth0)
		}
	}
	routes := run(t, ns, "ip", "route")
	if !strings.Contains(routes, "default via 172.17.0.1 dev eth0") || strings.Contains(routes, "via 10.50.0.1") {
		t.Errorf("routes:\n%s", routes)
	}
	if !strings.Contains(run(t, ns, "ip", "-6", "route"), "default via fd00:f::1 dev eth0") {
		t.Error("no IPv6 default route")
	}
	if !strings.Contains(run(t, ns, "ip", "link", "show", "lo"), "UP") {
		t.Error("loopback is down")
	}
	if err := m.Detach(ctx, "back", "c"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(run(t, ns, "ip", "-o", "link"), "eth1") {
		t.Error("eth1 still there after Detach")
	}
	// The address came back to the pool, and a new one is not the same.
	again := attach(t, m, newNetNS(t), "back", "d")
	if again.IPv4.Addr() == ep1.IPv4.Addr() {
		t.Errorf("released address %s handed out again at once", ep1.IPv4)
	}
}

// assertClean fails unless the namespace holds no link but loopback, no
// nftables table and no iptables rule of berth's.
func assertClean(t *testing.T, ns string) {
	t.Helper()
	if links := run(t, ns, "ip", "-o", "link"); strings.Count(links, "\n") != 1 {
		t.Errorf("interfaces left behind:\n%s", links)
	}
	if rules := run(t, ns, "nft", "list", "ruleset"); strings.Contains(rules, "berth") {
		t.Errorf("nftables rules left behind:\n%s", rules)
	}
	if rules := run(t, ns, "iptables", "-S"); strings.Contains(rules, "berth") {
		t.Errorf("iptables rules left behind:\n%s", rules)
	}
}

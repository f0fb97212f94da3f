package netdns

import (
	"net/netip"
	"testing"
)

func TestStateSurvivesReload(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := newState()
	n, err := newNetwork(NetworkSpec{Name: "app_default", EnableIPv6: true,
		IPv6: IPAMConfig{Subnet: pfx("fd00:7::/64")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := n.V4.Allocate(netip.Addr{})
	s.Networks["app_default"] = n
	s.Names = []Record{{ID: "c1", Network: "app_default", Addrs: []netip.Addr{a}, Service: "web"}}
	if err := s.save(root); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(root)
	if err != nil {
		t.Fatal(err)
	}
	g := got.Networks["app_default"]
	if g == nil || !g.V4.Used[a] || g.V6.Subnet != pfx("fd00:7::/64") || g.Bridge != n.Bridge {
		t.Fatalf("reloaded network %+v", g)
	}
	// The reloaded pool goes on where the saved one stopped.
	if b, _ := g.V4.Allocate(netip.Addr{}); b == a {
		t.Fatalf("reloaded pool handed out %s twice", a)
	}
	if len(got.Names) != 1 || got.Names[0].Service != "web" {
		t.Fatalf("names %+v", got.Names)
	}
}

func TestLoadStateEmptyRoot(t *testing.T) {
	t.Parallel()
	s, err := loadState(t.TempDir())
	if err != nil || len(s.Networks) != 0 {
		t.Fatalf("%+v, %v", s, err)
	}
}

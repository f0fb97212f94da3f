package netdns

import (
	"net/netip"
	"slices"
	"testing"
)

func TestRegistryScopesToClientNetworks(t *testing.T) {
	t.Parallel()
	g := NewRegistry()
	g.Register(Record{ID: "web1", Network: "front", Addrs: []netip.Addr{addr("10.1.0.2")}, Service: "web", Names: []string{"app-web-1"}})
	g.Register(Record{ID: "web1", Network: "back", Addrs: []netip.Addr{addr("10.2.0.2")}, Service: "web", Names: []string{"app-web-1"}})
	g.Register(Record{ID: "db1", Network: "back", Addrs: []netip.Addr{addr("10.2.0.3")}, Service: "db", Names: []string{"app-db-1", "database"}})
	g.Register(Record{ID: "proxy1", Network: "front", Addrs: []netip.Addr{addr("10.1.0.3")}, Service: "proxy"})

	tests := []struct {
		client, name string
		want         []string
		known        bool
	}{
		{"10.1.0.3", "web", []string{"10.1.0.2"}, true},      // proxy sees web on front only
		{"10.1.0.3", "db", nil, false},                       // and not db, on back
		{"10.2.0.3", "WEB.", []string{"10.2.0.2"}, true},     // db sees web on back
		{"10.1.0.2", "database", []string{"10.2.0.3"}, true}, // web is on both networks
		{"10.2.0.2", "app-db-1", []string{"10.2.0.3"}, true},
		{"10.9.9.9", "web", nil, false}, // a stranger sees nothing
	}
	for _, tt := range tests {
		got, known := g.Lookup(addr(tt.client), tt.name)
		var s []string
		for _, a := range got {
			s = append(s, a.String())
		}
		if known != tt.known || !slices.Equal(s, tt.want) {
			t.Errorf("Lookup(%s, %s) = %v, %v; want %v, %v", tt.client, tt.name, s, known, tt.want, tt.known)
		}
	}
}

func TestRegistryRotatesReplicas(t *testing.T) {
	t.Parallel()
	g := NewRegistry()
	for i, a := range []string{"10.1.0.2", "10.1.0.3", "10.1.0.4"} {
		g.Register(Record{ID: string(rune('a' + i)), Network: "n", Addrs: []netip.Addr{addr(a)}, Service: "web"})
	}
	firsts := map[netip.Addr]bool{}
	for range 3 {
		got, _ := g.Lookup(addr("10.1.0.2"), "web")
		if len(got) != 3 {
			t.Fatalf("got %v, want all three replicas", got)
		}
		firsts[got[0]] = true
	}
	if len(firsts) != 3 {
		t.Fatalf("first answers %v: order does not rotate", firsts)
	}
}

func TestRegistryUnregisterIsImmediate(t *testing.T) {
	t.Parallel()
	g := NewRegistry()
	g.Register(Record{ID: "a", Network: "n", Addrs: []netip.Addr{addr("10.1.0.2")}, Service: "web"})
	g.Register(Record{ID: "b", Network: "n", Addrs: []netip.Addr{addr("10.1.0.3")}, Service: "web", Names: []string{"app-web-2"}})
	g.Unregister("n", "b")
	got, _ := g.Lookup(addr("10.1.0.2"), "web")
	if !slices.Equal(got, []netip.Addr{addr("10.1.0.2")}) {
		t.Fatalf("after unregister: %v", got)
	}
	if names := g.Reverse(addr("10.1.0.2"), addr("10.1.0.3")); names != nil {
		t.Fatalf("reverse of a gone container: %v", names)
	}
}

func TestRegistryReverseAndUpstreams(t *testing.T) {
	t.Parallel()
	g := NewRegistry()
	g.Register(Record{ID: "a", Network: "n", Addrs: []netip.Addr{addr("10.1.0.2")}, Names: []string{"app-web-1"}, Upstreams: []string{"9.9.9.9:53"}})
	g.Register(Record{ID: "b", Network: "other", Addrs: []netip.Addr{addr("10.7.0.2")}, Names: []string{"hidden"}})
	if got := g.Reverse(addr("10.1.0.2"), addr("10.1.0.2")); !slices.Equal(got, []string{"app-web-1"}) {
		t.Errorf("reverse = %v", got)
	}
	if got := g.Reverse(addr("10.1.0.2"), addr("10.7.0.2")); got != nil {
		t.Errorf("reverse across networks = %v", got)
	}
	if got := g.Upstreams(addr("10.1.0.2")); !slices.Equal(got, []string{"9.9.9.9:53"}) {
		t.Errorf("upstreams = %v", got)
	}
}

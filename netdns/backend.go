package netdns

import (
	"net/netip"
	"sync"
	"sync/atomic"
)

// Backend is what a DNS server asks about names; it knows nothing of the
// protocol. Answers are scoped to the asking client, found by its address:
// it sees the names of the networks its container is on, and no others.
type Backend interface {
	// Lookup returns the addresses of name as client sees it, and whether
	// the name is known at all (a known name may lack one address family).
	Lookup(client netip.Addr, name string) (addrs []netip.Addr, known bool)
	// Reverse returns the names of addr, if client shares a network with it.
	Reverse(client, addr netip.Addr) []string
	// Upstreams returns the resolvers the client's unknown names go to (its
	// compose dns option); nil for the host's.
	Upstreams(client netip.Addr) []string
}

// Record is one endpoint's names on one network.
type Record struct {
	ID      string       `json:"id"` // the endpoint's owner, e.g. a container ID
	Network string       `json:"network"`
	Addrs   []netip.Addr `json:"addrs"`
	// Service answers with every replica's address; Names (container name,
	// hostname, network aliases) with this endpoint's.
	Service   string   `json:"service,omitempty"`
	Names     []string `json:"names,omitempty"`
	Upstreams []string `json:"upstreams,omitempty"`
}

// Registry is the Backend the scheduler fills as containers start and stop.
// Changes are seen by the next query. It is safe for concurrent use.
type Registry struct {
	mu   sync.RWMutex
	recs map[string]Record // by endpointKey
	turn atomic.Uint32     // rotates the order of multi-address answers
}

var _ Backend = (*Registry)(nil)

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{recs: map[string]Record{}} }

// Register adds or replaces r's names.
func (g *Registry) Register(r Record) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.recs[endpointKey(r.Network, r.ID)] = r
}

// Unregister removes the names of id on network; its addresses are never
// answered again.
func (g *Registry) Unregister(network, id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.recs, endpointKey(network, id))
}

func (g *Registry) load(recs []Record) {
	for _, r := range recs {
		g.Register(r)
	}
}

func (g *Registry) records() []Record {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]Record, 0, len(g.recs))
	for _, r := range g.recs {
		out = append(out, r)
	}
	return out
}

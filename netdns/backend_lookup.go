package netdns

import (
	"net/netip"
	"slices"
	"strings"
)

// visible returns the networks of the container client belongs to. Called
// with g.mu held.
func (g *Registry) visible(client netip.Addr) map[string]bool {
	var id string
	for _, r := range g.recs {
		if slices.Contains(r.Addrs, client) {
			id = r.ID
			break
		}
	}
	nets := map[string]bool{}
	if id == "" {
		return nets
	}
	for _, r := range g.recs {
		if r.ID == id {
			nets[r.Network] = true
		}
	}
	return nets
}

// Lookup implements Backend. Names match without case and trailing dot.
func (g *Registry) Lookup(client netip.Addr, name string) ([]netip.Addr, bool) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	g.mu.RLock()
	defer g.mu.RUnlock()
	nets := g.visible(client)
	var addrs []netip.Addr
	known := false
	for _, r := range g.recs {
		if nets[r.Network] && r.answers(name) {
			known = true
			addrs = append(addrs, r.Addrs...)
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	addrs = slices.Compact(addrs)
	return rotate(addrs, int(g.turn.Add(1))), known
}

func (r Record) answers(name string) bool {
	if strings.EqualFold(r.Service, name) {
		return true
	}
	return slices.ContainsFunc(r.Names, func(n string) bool { return strings.EqualFold(n, name) })
}

// rotate moves the first n%len addresses to the end: round-robin answers
// spread clients over a service's replicas.
func rotate(addrs []netip.Addr, n int) []netip.Addr {
	if len(addrs) < 2 {
		return addrs
	}
	n %= len(addrs)
	return slices.Concat(addrs[n:], addrs[:n])
}

// Reverse implements Backend.
func (g *Registry) Reverse(client, addr netip.Addr) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	nets := g.visible(client)
	for _, r := range g.recs {
		if nets[r.Network] && slices.Contains(r.Addrs, addr) && len(r.Names) > 0 {
			return []string{r.Names[0]}
		}
	}
	return nil
}

// Upstreams implements Backend.
func (g *Registry) Upstreams(client netip.Addr) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, r := range g.recs {
		if slices.Contains(r.Addrs, client) && len(r.Upstreams) > 0 {
			return r.Upstreams
		}
	}
	return nil
}

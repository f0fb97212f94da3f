package netdns

import (
	"fmt"
	"maps"
	"net/netip"
)

// Allocate reserves want when it is valid, or else the next free address of
// the pool's range. A wanted address must be a host address of the subnet
// (ip_range only limits automatic choices, as in Docker), not the gateway
// and not already taken.
func (p *Pool) Allocate(want netip.Addr) (netip.Addr, error) {
	if want.IsValid() {
		return p.reserve(want)
	}
	start := p.Next
	if !p.Range.Contains(start) {
		start = p.Range.Addr()
	}
	for a := start; ; {
		if p.free(a) {
			p.Used[a] = true
			p.Next = a.Next()
			return a, nil
		}
		if a = a.Next(); !p.Range.Contains(a) {
			a = p.Range.Addr()
		}
		if a == start {
			return netip.Addr{}, fmt.Errorf("allocate address in %s: %w", p.Range, ErrPoolExhausted)
		}
	}
}

func (p *Pool) reserve(want netip.Addr) (netip.Addr, error) {
	want = want.Unmap()
	if !usable(p.Subnet, want) {
		return netip.Addr{}, fmt.Errorf("address %s is outside subnet %s", want, p.Subnet)
	}
	if want == p.Gateway || p.Used[want] {
		return netip.Addr{}, fmt.Errorf("address %s: %w", want, ErrAddressTaken)
	}
	p.Used[want] = true
	return want, nil
}

func (p *Pool) free(a netip.Addr) bool {
	return usable(p.Subnet, a) && a != p.Gateway && !p.Used[a]
}

// Release returns a to the pool. Releasing an address not allocated is a
// no-op, so that teardown can be repeated.
func (p *Pool) Release(a netip.Addr) {
	delete(p.Used, a)
}

func (p *Pool) clone() *Pool {
	c := *p
	c.Used = maps.Clone(p.Used)
	return &c
}

// Prefix returns a with the pool's prefix length, the form an interface
// address takes.
func (p *Pool) Prefix(a netip.Addr) netip.Prefix {
	return netip.PrefixFrom(a, p.Subnet.Bits())
}

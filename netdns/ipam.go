package netdns

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrAddressTaken is returned when a requested address is already allocated.
var ErrAddressTaken = errors.New("address already allocated")

// ErrPoolExhausted is returned when no subnet or address is left to hand out.
var ErrPoolExhausted = errors.New("pool exhausted")

// DefaultPool lists the subnets networks get when they ask for none: Docker's
// defaults, 172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 in /20 steps.
func DefaultPool() []netip.Prefix {
	var pool []netip.Prefix
	for b := 17; b <= 31; b++ {
		pool = append(pool, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for c := 0; c < 256; c += 16 {
		pool = append(pool, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(c), 0}), 20))
	}
	return pool
}

// ChooseSubnet returns the first subnet of pool that overlaps none of taken
// (the host's routes and the subnets other bridges hold).
func ChooseSubnet(pool, taken []netip.Prefix) (netip.Prefix, error) {
	for _, p := range pool {
		if overlapsAny(p, taken) == nil {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("choose subnet: every default subnet is in use: %w", ErrPoolExhausted)
}

func overlapsAny(p netip.Prefix, taken []netip.Prefix) *netip.Prefix {
	for i := range taken {
		if p.Overlaps(taken[i]) {
			return &taken[i]
		}
	}
	return nil
}

// Pool hands out the addresses of one subnet. It is plain data so that it
// persists as JSON with the network it belongs to.
type Pool struct {
	Subnet  netip.Prefix `json:"subnet"`
	Range   netip.Prefix `json:"range"` // ip_range: where automatic addresses come from
	Gateway netip.Addr   `json:"gateway"`
	// Used holds allocated addresses; Next is where the search for a free one
	// resumes, so that a released address is not handed out again at once.
	Used map[netip.Addr]bool `json:"used"`
	Next netip.Addr          `json:"next"`
}

// NewPool validates an ipam config (subnet, optional ip_range and gateway)
// and returns its pool. The gateway defaults to the first address.
func NewPool(subnet, ipRange netip.Prefix, gateway netip.Addr) (*Pool, error) {
	if err := checkSubnet(subnet); err != nil {
		return nil, err
	}
	if !ipRange.IsValid() {
		ipRange = subnet
	}
	if ipRange != ipRange.Masked() || ipRange.Addr().Is4() != subnet.Addr().Is4() ||
		ipRange.Bits() < subnet.Bits() || !subnet.Contains(ipRange.Addr()) {
		return nil, fmt.Errorf("ip_range %s is not a network inside subnet %s", ipRange, subnet)
	}
	if !gateway.IsValid() {
		gateway = subnet.Addr().Next()
	}
	if !usable(subnet, gateway) {
		return nil, fmt.Errorf("gateway %s is not a host address of subnet %s", gateway, subnet)
	}
	return &Pool{Subnet: subnet, Range: ipRange, Gateway: gateway, Used: map[netip.Addr]bool{}}, nil
}

func checkSubnet(subnet netip.Prefix) error {
	switch {
	case !subnet.IsValid():
		return errors.New("subnet is missing or malformed")
	case subnet != subnet.Masked():
		return fmt.Errorf("subnet %s has host bits set (network address is %s)", subnet, subnet.Masked())
	case subnet.Addr().Is4() && subnet.Bits() > 30, subnet.Addr().Is6() && subnet.Bits() > 126:
		return fmt.Errorf("subnet %s is too small for a gateway and a container", subnet)
	}
	return nil
}

// usable reports whether a is a host address of subnet: inside it, and
// neither its network address nor (IPv4) its broadcast address.
func usable(subnet netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() || !subnet.Contains(a) || a == subnet.Addr() {
		return false
	}
	return !a.Is4() || a != lastAddr(subnet)
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := range b {
		keep := p.Bits() - i*8
		switch {
		case keep <= 0:
			b[i] = 0xff
		case keep < 8:
			b[i] |= 0xff >> keep
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

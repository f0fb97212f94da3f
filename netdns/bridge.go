package netdns

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// createBridge makes n's bridge with its gateway addresses and brings it up.
// An existing bridge of that name is adopted (a daemon restart); on failure
// a bridge made here is deleted again.
func createBridge(n *Network) (err error) {
	link, err := netlink.LinkByName(n.Bridge)
	if err == nil {
		if link.Type() != "bridge" {
			return fmt.Errorf("create bridge %q: an interface of type %s has that name", n.Bridge, link.Type())
		}
	} else {
		if link, err = addBridge(n); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				_ = netlink.LinkDel(link)
			}
		}()
	}
	if n.V6 != nil {
		// A bridge starts with IPv6 as the host's default says; ours needs it.
		if err := writeSysctl("net/ipv6/conf/"+n.Bridge+"/disable_ipv6", "0"); err != nil {
			return err
		}
	}
	for _, p := range n.pools() {
		if err := ensureAddr(link, p.Prefix(p.Gateway)); err != nil {
			return fmt.Errorf("create bridge %q: %w", n.Bridge, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("create bridge %q: set up: %w", n.Bridge, err)
	}
	return nil
}

func addBridge(n *Network) (netlink.Link, error) {
	attrs := netlink.NewLinkAttrs()
	attrs.Name = n.Bridge
	attrs.MTU = n.mtu()
	// A bridge without an address of its own takes the lowest MAC of its
	// ports, and changes it as veths come and go: containers that cached
	// the gateway's old MAC then send to nobody until their neighbour entry
	// fails, and DNS (on the gateway) stops answering them. A fixed random
	// MAC, as Docker gives its bridges, never moves.
	mac, err := randomMAC()
	if err != nil {
		return nil, fmt.Errorf("create bridge %q: %w", n.Bridge, err)
	}
	attrs.HardwareAddr = mac
	br := &netlink.Bridge{LinkAttrs: attrs}
	if err := netlink.LinkAdd(br); err != nil {
		return nil, fmt.Errorf("create bridge %q for network %q: %w", n.Bridge, n.Spec.Name, err)
	}
	link, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		return nil, fmt.Errorf("create bridge %q: %w", n.Bridge, err)
	}
	return link, nil
}

// randomMAC is a random unicast, locally administered MAC address.
func randomMAC() (net.HardwareAddr, error) {
	mac := make(net.HardwareAddr, 6)
	if _, err := rand.Read(mac); err != nil {
		return nil, err
	}
	mac[0] = mac[0]&0xfe | 0x02
	return mac, nil
}

// ensureAddr adds p to link unless it is there. IPv6 addresses skip
// duplicate address detection (IFA_F_NODAD): the subnet is ours alone, and
// DAD would leave the address "tentative", unbindable, for a second or so.
func ensureAddr(link netlink.Link, p netip.Prefix) error {
	addr := &netlink.Addr{IPNet: ipNet(p)}
	if p.Addr().Is6() {
		addr.Flags = unix.IFA_F_NODAD
	}
	err := netlink.AddrAdd(link, addr)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("add address %s: %w", p, err)
	}
	return nil
}

// deleteBridge removes n's bridge; one already gone is not an error.
func deleteBridge(n *Network) error {
	link, err := netlink.LinkByName(n.Bridge)
	if errors.As(err, new(netlink.LinkNotFoundError)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete bridge %q: %w", n.Bridge, err)
	}
	if err := netlink.LinkDel(link); err != nil {
		return fmt.Errorf("delete bridge %q: %w", n.Bridge, err)
	}
	return nil
}

// hostRoutes returns the destinations the host routes, except default
// routes: the subnets a new network must not overlap.
func hostRoutes() ([]netip.Prefix, error) {
	routes, err := netlink.RouteList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list host routes: %w", err)
	}
	var out []netip.Prefix
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		if p, ok := prefixOf(r.Dst); ok && p.Bits() > 0 && !p.Addr().IsLinkLocalUnicast() {
			out = append(out, p.Masked())
		}
	}
	return out, nil
}

// Without an MTU in the compose file, a network's links carry the largest
// frames they can (loopback's size class: slirp4netns and pasta use 65520
// too), while every route that leaves the bridge keeps Docker's 1500 (see
// defaultRouteMTU). Traffic between containers on one host never crosses a
// wire, and at 1500 bytes a frame it costs about 1.6x the CPU per byte that
// loopback does (bench/README.md, netdns); traffic to anywhere else is sized
// exactly as under Docker, so nothing on the way out sees a bigger packet.
const (
	sameHostMTU     = 65520
	defaultRouteMTU = 1500 // Docker's default bridge MTU
)

// mtu is the MTU of the bridge and of every veth on it.
func (n *Network) mtu() int {
	if n.Spec.MTU == 0 {
		return sameHostMTU
	}
	return n.Spec.MTU
}

// routeMTU is the MTU of a container's routes out through the gateway; 0
// when they follow the link's, as they do when the compose file set one.
func (n *Network) routeMTU() int {
	if n.Spec.MTU == 0 {
		return defaultRouteMTU
	}
	return 0
}

func (n *Network) pools() []*Pool {
	if n.V6 == nil {
		return []*Pool{n.V4}
	}
	return []*Pool{n.V4, n.V6}
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}

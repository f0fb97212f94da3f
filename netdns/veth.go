package netdns

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// AttachSpec says how to connect one network namespace to one network.
type AttachSpec struct {
	Network string
	ID      string     // the endpoint's owner, e.g. a container ID; unique per network
	IfName  string     // inside the namespace: eth0, eth1, ... in priority order
	IPv4    netip.Addr // ipv4_address; zero for the next free one
	IPv6    netip.Addr // ipv6_address; zero for the next free one
	MAC     string     // mac_address; "" for a random one
	// DefaultRoute routes everything not on a local subnet through this
	// network's gateway: true for the first (highest priority) network.
	DefaultRoute bool
}

// Endpoint is a namespace's attachment to a network, as it exists.
type Endpoint struct {
	Network string       `json:"network"`
	ID      string       `json:"id"`
	IfName  string       `json:"ifname"`
	HostIf  string       `json:"hostIf"` // the veth end on the bridge
	IPv4    netip.Prefix `json:"ipv4"`
	IPv6    netip.Prefix `json:"ipv6,omitempty"`
	Gateway netip.Addr   `json:"gateway"` // also the DNS server's address
	MAC     string       `json:"mac"`
}

func endpointKey(network, id string) string { return network + "/" + id }

// hostIfName names the host end of a veth after its endpoint: stable, 12
// bytes, unique in practice.
func hostIfName(network, id string) string {
	sum := sha256.Sum256([]byte(endpointKey(network, id)))
	return "vb" + hex.EncodeToString(sum[:5])
}

// createVeth makes the veth pair with its peer named spec.IfName directly in
// the namespace at nsPath, and its host end enslaved to the bridge.
func createVeth(n *Network, spec AttachSpec, hostIf, nsPath string) error {
	ns, err := os.Open(nsPath)
	if err != nil {
		return fmt.Errorf("open network namespace: %w", err)
	}
	defer ns.Close()
	br, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU, attrs.MasterIndex = hostIf, n.mtu(), br.Attrs().Index
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: spec.IfName,
		PeerNamespace: netlink.NsFd(int(ns.Fd())), PeerMTU: uint32(n.mtu())}
	if spec.MAC != "" {
		if veth.PeerHardwareAddr, err = net.ParseMAC(spec.MAC); err != nil {
			return fmt.Errorf("mac_address %q: %w", spec.MAC, err)
		}
	}
	// A veth of this name is a leftover of an attach that crashed half
	// way: the endpoint is not in the state, so nothing else uses it.
	if err := deleteVeth(hostIf); err != nil {
		return err
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s/%s: %w", hostIf, spec.IfName, err)
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		return fmt.Errorf("set %s up: %w", hostIf, err)
	}
	return nil
}

// configurePeer runs inside the container's namespace: loopback and the
// interface up, its addresses, and the default routes via the gateways.
func configurePeer(n *Network, ep *Endpoint, defaultRoute bool) error {
	if lo, err := netlink.LinkByName("lo"); err == nil {
		_ = netlink.LinkSetUp(lo)
	}
	link, err := netlink.LinkByName(ep.IfName)
	if err != nil {
		return fmt.Errorf("find %s in namespace: %w", ep.IfName, err)
	}
	if ep.IPv6.IsValid() {
		if err := writeSysctl("net/ipv6/conf/"+ep.IfName+"/disable_ipv6", "0"); err != nil {
			return err
		}
	}
	for _, p := range []netip.Prefix{ep.IPv4, ep.IPv6} {
		if p.IsValid() {
			if err := ensureAddr(link, p); err != nil {
				return fmt.Errorf("configure %s: %w", ep.IfName, err)
			}
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", ep.IfName, err)
	}
	ep.MAC = link.Attrs().HardwareAddr.String()
	if !defaultRoute || n.Spec.Internal {
		return nil // an internal network has no way out: no gateway route
	}
	return addDefaultRoutes(n, link)
}

func addDefaultRoutes(n *Network, link netlink.Link) error {
	for _, p := range n.pools() {
		r := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: p.Gateway.AsSlice(), MTU: n.routeMTU()}
		if err := netlink.RouteAdd(r); err != nil {
			return fmt.Errorf("add default route via %s: %w", p.Gateway, err)
		}
	}
	return nil
}

// deleteVeth removes the host end of an endpoint's veth, which takes its
// peer with it. It is gone already when the namespace went away; the
// kernel tears a dead namespace down asynchronously, so the link may also
// vanish between the lookup and the delete (ENODEV).
func deleteVeth(hostIf string) error {
	link, err := netlink.LinkByName(hostIf)
	if errors.As(err, new(netlink.LinkNotFoundError)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete veth %s: %w", hostIf, err)
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete veth %s: %w", hostIf, err)
	}
	return nil
}

package netdns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// Attach connects the network namespace at nsPath to spec.Network: a veth
// pair whose peer becomes spec.IfName inside, with the addresses IPAM gives
// (or the ones asked for), MTU, MAC and, for spec.DefaultRoute, the default
// route via the gateway. Attaching the same ID twice is an error. On
// failure the addresses are released and the veth deleted.
func (m *Manager) Attach(ctx context.Context, nsPath string, spec AttachSpec) (Endpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.st.Networks[spec.Network]
	if !ok {
		return Endpoint{}, fmt.Errorf("attach to network %q: %w", spec.Network, ErrNotFound)
	}
	key := endpointKey(spec.Network, spec.ID)
	if _, dup := m.st.Endpoints[key]; dup {
		return Endpoint{}, fmt.Errorf("attach %s to network %q: already attached", spec.ID, spec.Network)
	}
	if err := checkIfName(spec.IfName); err != nil {
		return Endpoint{}, fmt.Errorf("attach %s to network %q: %w", spec.ID, spec.Network, err)
	}
	ep, err := allocate(n, spec)
	if err != nil {
		return Endpoint{}, fmt.Errorf("attach %s to network %q: %w", spec.ID, spec.Network, err)
	}
	if err := m.plumb(ctx, n, ep, spec, nsPath); err != nil {
		release(n, ep)
		return Endpoint{}, fmt.Errorf("attach %s to network %q: %w", spec.ID, spec.Network, err)
	}
	m.st.Endpoints[key] = ep
	if err := m.save(); err != nil {
		delete(m.st.Endpoints, key)
		release(n, ep)
		return Endpoint{}, errors.Join(err, m.host(func() error { return deleteVeth(ep.HostIf) }))
	}
	return *ep, nil
}

func (m *Manager) plumb(ctx context.Context, n *Network, ep *Endpoint, spec AttachSpec, nsPath string) error {
	err := m.host(func() error {
		if err := insertAccepts(ctx, n); err != nil {
			return err
		}
		return createVeth(n, spec, ep.HostIf, nsPath)
	})
	if err != nil {
		return err
	}
	err = inNetNS(nsPath, func() error { return configurePeer(n, ep, spec.DefaultRoute) })
	if err != nil {
		return errors.Join(err, m.host(func() error { return deleteVeth(ep.HostIf) }))
	}
	return nil
}

// allocate takes the endpoint's addresses from n's pools.
func allocate(n *Network, spec AttachSpec) (*Endpoint, error) {
	ep := &Endpoint{Network: spec.Network, ID: spec.ID, IfName: spec.IfName,
		HostIf: hostIfName(spec.Network, spec.ID), Gateway: n.V4.Gateway}
	a4, err := n.V4.Allocate(spec.IPv4)
	if err != nil {
		return nil, fmt.Errorf("ipv4_address: %w", err)
	}
	ep.IPv4 = n.V4.Prefix(a4)
	if n.V6 != nil {
		a6, err := n.V6.Allocate(spec.IPv6)
		if err != nil {
			n.V4.Release(a4)
			return nil, fmt.Errorf("ipv6_address: %w", err)
		}
		ep.IPv6 = n.V6.Prefix(a6)
	} else if spec.IPv6.IsValid() {
		n.V4.Release(a4)
		return nil, fmt.Errorf("ipv6_address %s: network has no IPv6 (enable_ipv6)", spec.IPv6)
	}
	return ep, nil
}

func release(n *Network, ep *Endpoint) {
	n.V4.Release(ep.IPv4.Addr())
	if n.V6 != nil && ep.IPv6.IsValid() {
		n.V6.Release(ep.IPv6.Addr())
	}
}

// Detach undoes Attach: it withdraws the endpoint's names and published
// ports, deletes the veth (already gone if the namespace went away) and
// releases the addresses. An unknown endpoint is ErrNotFound.
func (m *Manager) Detach(ctx context.Context, network, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := endpointKey(network, id)
	ep, ok := m.st.Endpoints[key]
	if !ok {
		return fmt.Errorf("detach %s from network %q: %w", id, network, ErrNotFound)
	}
	if err := m.host(func() error { return deleteVeth(ep.HostIf) }); err != nil {
		return fmt.Errorf("detach %s from network %q: %w", id, network, err)
	}
	m.names.Unregister(network, id)
	m.dropBindings(network, id)
	delete(m.st.Endpoints, key)
	if n, ok := m.st.Networks[network]; ok {
		release(n, ep)
	}
	return m.commit(ctx)
}

// Endpoint returns the endpoint id has on network.
func (m *Manager) Endpoint(network, id string) (Endpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ep, ok := m.st.Endpoints[endpointKey(network, id)]
	if !ok {
		return Endpoint{}, fmt.Errorf("endpoint %s on network %q: %w", id, network, ErrNotFound)
	}
	return *ep, nil
}

// addrOf returns the address of an endpoint of the family v6 says.
func (m *Manager) addrOf(network, id string, v6 bool) (netip.Addr, error) {
	ep, ok := m.st.Endpoints[endpointKey(network, id)]
	if !ok {
		return netip.Addr{}, fmt.Errorf("endpoint %s on network %q: %w", id, network, ErrNotFound)
	}
	if !v6 {
		return ep.IPv4.Addr(), nil
	}
	if !ep.IPv6.IsValid() {
		return netip.Addr{}, fmt.Errorf("endpoint %s on network %q has no IPv6 address (enable_ipv6)", id, network)
	}
	return ep.IPv6.Addr(), nil
}

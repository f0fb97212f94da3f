package netdns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// CheckPorts reports the first port of specs that cannot be published
// (ErrPortTaken, naming the service and port), before anything is created.
func (m *Manager) CheckPorts(ctx context.Context, specs []PortSpec) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range specs {
		s, err := s.check()
		if err != nil {
			return err
		}
		if _, err := m.pickPort(s); err != nil {
			return err
		}
	}
	return nil
}

// Publish makes spec's port answer on the host: an nftables DNAT to the
// endpoint's address, so it keeps working while no daemon runs. The host
// port is the first free one of spec's range, or a random free one.
func (m *Manager) Publish(ctx context.Context, spec PortSpec) (Binding, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	spec, err := spec.check()
	if err != nil {
		return Binding{}, err
	}
	addr, err := m.addrOf(spec.Network, spec.ID, spec.HostIP.Is6())
	if err != nil {
		return Binding{}, fmt.Errorf("publish port of service %q: %w", spec.Service, err)
	}
	port, err := m.pickPort(spec)
	if err != nil {
		return Binding{}, err
	}
	b := &Binding{Network: spec.Network, ID: spec.ID, HostIP: spec.HostIP, HostPort: port,
		Protocol: spec.Protocol, Addr: addr, ContainerPort: spec.ContainerPort}
	m.st.Ports[b.Key()] = b
	if err := m.commit(ctx); err != nil {
		delete(m.st.Ports, b.Key())
		return Binding{}, errors.Join(err, m.commit(ctx))
	}
	return *b, nil
}

// pickPort returns the first of spec's host ports that neither berth nor a
// host process holds.
func (m *Manager) pickPort(spec PortSpec) (uint16, error) {
	var lastErr error
	for _, want := range spec.candidates() {
		if want != 0 && m.bindingClash(spec.Protocol, spec.HostIP, want) {
			lastErr = errors.New("published by berth already")
			continue
		}
		var got uint16
		err := m.host(func() (err error) {
			got, err = probePort(spec.Protocol, spec.HostIP, want)
			return err
		})
		if err == nil {
			return got, nil
		}
		lastErr = err
	}
	return 0, fmt.Errorf("service %q: host port %s/%s: %w: %w", spec.Service,
		portRange(spec), spec.Protocol, ErrPortTaken, lastErr)
}

// bindingClash reports whether berth publishes port already on ip or on
// every address of ip's family (either way the two would overlap).
func (m *Manager) bindingClash(proto string, ip netip.Addr, port uint16) bool {
	for _, b := range m.st.Ports {
		if b.Protocol == proto && b.HostPort == port && ip.Is6() == b.HostIP.Is6() &&
			(!ip.IsValid() || !b.HostIP.IsValid() || ip == b.HostIP) {
			return true
		}
	}
	return false
}

func portRange(s PortSpec) string {
	if s.HostPortStart == s.HostPortEnd {
		return hostPort(s.HostIP, s.HostPortStart)
	}
	return fmt.Sprintf("%s-%d", hostPort(s.HostIP, s.HostPortStart), s.HostPortEnd)
}

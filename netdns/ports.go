package netdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ErrPortTaken is returned when a host port asked for is already in use.
var ErrPortTaken = errors.New("port already in use")

// PortSpec is one published port, translated by the caller from compose's
// ports (short or long syntax): the endpoint it leads to and where on the
// host it answers.
type PortSpec struct {
	Service string // for error messages
	Network string // the endpoint's network, whose address is the target
	ID      string // the endpoint's ID
	// HostIP is the host address to listen on; zero for every IPv4 one.
	// An IPv6 host address leads to the endpoint's IPv6 address.
	HostIP netip.Addr
	// HostPortStart..HostPortEnd is where the host port may be; the first
	// free one is taken. Both 0 pick a random free port; End 0 means Start.
	HostPortStart, HostPortEnd uint16
	ContainerPort              uint16
	Protocol                   string // "tcp" (default) or "udp"
}

// Binding is a published port as it exists.
type Binding struct {
	Network       string     `json:"network"`
	ID            string     `json:"id"`
	HostIP        netip.Addr `json:"hostIP"`
	HostPort      uint16     `json:"hostPort"`
	Protocol      string     `json:"protocol"`
	Addr          netip.Addr `json:"addr"`
	ContainerPort uint16     `json:"containerPort"`
}

// Key identifies the binding: protocol, host address and host port.
func (b Binding) Key() string {
	return fmt.Sprintf("%s/%s", b.Protocol, hostPort(b.HostIP, b.HostPort))
}

func hostPort(ip netip.Addr, port uint16) string {
	host := ""
	if ip.IsValid() {
		host = ip.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

func (s PortSpec) check() (PortSpec, error) {
	if s.Protocol == "" {
		s.Protocol = "tcp"
	}
	if s.HostIP.IsValid() && s.HostIP.IsUnspecified() {
		s.HostIP = netip.Addr{} // 0.0.0.0 means every address
	}
	if s.HostPortEnd == 0 {
		s.HostPortEnd = s.HostPortStart
	}
	switch {
	case s.Protocol != "tcp" && s.Protocol != "udp":
		return s, fmt.Errorf("service %q: protocol %q is neither tcp nor udp", s.Service, s.Protocol)
	case s.HostIP.Is6() && s.HostIP.IsLoopback():
		// IPv6 has no route_localnet: the kernel never routes ::1 off lo.
		return s, fmt.Errorf("service %q: host_ip ::1 cannot be published (use 127.0.0.1)", s.Service)
	case s.ContainerPort == 0:
		return s, fmt.Errorf("service %q: published port has no container port", s.Service)
	case s.HostPortEnd < s.HostPortStart:
		return s, fmt.Errorf("service %q: host port range %d-%d is reversed", s.Service, s.HostPortStart, s.HostPortEnd)
	}
	return s, nil
}

// candidates lists the host ports s may take, 0 meaning "any".
func (s PortSpec) candidates() []uint16 {
	var ports []uint16
	for p := int(s.HostPortStart); p <= int(s.HostPortEnd); p++ {
		ports = append(ports, uint16(p))
	}
	return ports
}

// probePort binds port on ip with proto in the calling thread's namespace
// and lets go again: a port a host process holds cannot be published. Port
// 0 asks the kernel for a free one, which is returned.
func probePort(proto string, ip netip.Addr, port uint16) (uint16, error) {
	addr, family := hostPort(ip, port), "4"
	if ip.Is6() {
		family = "6"
	}
	if proto == "udp" {
		c, err := net.ListenPacket("udp"+family, addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
	}
	l, err := net.Listen("tcp"+family, addr)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

func sortedBindings(s *state) []*Binding {
	var bs []*Binding
	for _, b := range s.Ports {
		bs = append(bs, b)
	}
	slices.SortFunc(bs, func(a, b *Binding) int { return strings.Compare(a.Key(), b.Key()) })
	return bs
}

// dropBindings forgets the bindings leading to an endpoint.
func (m *Manager) dropBindings(network, id string) {
	for k, b := range m.st.Ports {
		if b.Network == network && b.ID == id {
			delete(m.st.Ports, k)
		}
	}
}

// Unpublish removes a binding by its Key. An unknown key is ErrNotFound.
func (m *Manager) Unpublish(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.st.Ports[key]; !ok {
		return fmt.Errorf("unpublish %s: %w", key, ErrNotFound)
	}
	delete(m.st.Ports, key)
	return m.commit(ctx)
}

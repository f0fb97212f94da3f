package netdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/miekg/dns"
)

// Server is a DNS server on one address, over UDP and TCP.
type Server struct {
	udp, tcp *dns.Server
	done     chan error
}

// Listen opens addr (UDP and TCP) in the calling thread's namespace and
// serves h on it until Close. Listening first, serving after, means a
// query sent once Listen returns is answered.
func Listen(addr netip.AddrPort, h dns.Handler) (*Server, error) {
	pc, err := net.ListenPacket("udp", addr.String())
	if err != nil {
		return nil, fmt.Errorf("listen dns on udp %s: %w", addr, err)
	}
	l, err := net.Listen("tcp", addr.String())
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("listen dns on tcp %s: %w", addr, err)
	}
	s := &Server{
		udp:  &dns.Server{PacketConn: pc, Handler: h},
		tcp:  &dns.Server{Listener: l, Handler: h},
		done: make(chan error, 2),
	}
	go func() { s.done <- s.udp.ActivateAndServe() }()
	go func() { s.done <- s.tcp.ActivateAndServe() }()
	return s, nil
}

// UDPAddr and TCPAddr return where the server listens.
func (s *Server) UDPAddr() net.Addr { return s.udp.PacketConn.LocalAddr() }

// TCPAddr returns the TCP address the server listens on.
func (s *Server) TCPAddr() net.Addr { return s.tcp.Listener.Addr() }

// Close stops both servers and waits for them.
func (s *Server) Close() error {
	errs := []error{s.udp.Shutdown(), s.tcp.Shutdown()}
	for range 2 {
		if err := <-s.done; err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// startDNS starts n's DNS server on its gateway, in the host namespace.
func (m *Manager) startDNS(ctx context.Context, n *Network) error {
	if _, ok := m.servers[n.Spec.Name]; ok {
		return nil
	}
	h := &Handler{Backend: m.names, Upstreams: m.upstreams, Forward: !n.Spec.Internal}
	addr := netip.AddrPortFrom(n.DNS(), uint16(m.opts.DNSPort))
	var s *Server
	err := m.host(func() (err error) {
		s, err = Listen(addr, h)
		return err
	})
	if err != nil {
		return fmt.Errorf("network %q: %w", n.Spec.Name, err)
	}
	m.servers[n.Spec.Name] = s
	return nil
}

// Register publishes r's names to every DNS server at once, and persists
// them for a restarted daemon.
func (m *Manager) Register(ctx context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.st.Networks[r.Network]; !ok {
		return fmt.Errorf("register names of %s on network %q: %w", r.ID, r.Network, ErrNotFound)
	}
	m.names.Register(r)
	return m.save()
}

// Unregister withdraws the names of id on network.
func (m *Manager) Unregister(ctx context.Context, network, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.names.Unregister(network, id)
	return m.save()
}

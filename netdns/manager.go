package netdns

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Options configure a Manager.
type Options struct {
	// Root is the directory holding netdns's state file.
	Root string
	// NetNS is the path of the namespace bridges, rules and DNS servers live
	// in: "" for the caller's own (the daemon's, the host's). Tests pass a
	// namespace of their own.
	NetNS string
	// Upstreams are the resolvers names berth does not know go to, as
	// "host:port"; nil reads them from ResolvConf.
	Upstreams []string
	// ResolvConf is the host's resolver file; "" for /etc/resolv.conf.
	ResolvConf string
	// DNSPort is the port of each network's DNS server; 0 for 53.
	DNSPort int
}

// Manager creates and removes networks, attaches namespaces to them,
// publishes ports and serves DNS. It is safe for concurrent use.
type Manager struct {
	opts      Options
	upstreams []string

	mu      sync.Mutex
	st      *state
	names   *Registry
	servers map[string]*Server // by network name
}

// Open loads the state under opts.Root and re-adopts it: every network's
// bridge, rules and DNS server are (re)made as recorded, so a restarted
// daemon carries on where the last one stopped.
func Open(ctx context.Context, opts Options) (*Manager, error) {
	st, err := loadState(opts.Root)
	if err != nil {
		return nil, err
	}
	m := &Manager{opts: opts, st: st, names: NewRegistry(), servers: map[string]*Server{}}
	if m.opts.DNSPort == 0 {
		m.opts.DNSPort = 53
	}
	if m.upstreams = opts.Upstreams; m.upstreams == nil {
		if m.upstreams, err = HostUpstreams(opts.ResolvConf); err != nil {
			return nil, err
		}
	}
	m.names.load(st.Names)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range sortedNetworks(st) {
		if err := m.bringUp(ctx, n); err != nil {
			return nil, errors.Join(fmt.Errorf("re-adopt network %q: %w", n.Spec.Name, err), m.closeLocked())
		}
	}
	if err := m.host(func() error { return applyRuleset(ctx, renderRuleset(m.st)) }); err != nil {
		return nil, errors.Join(err, m.closeLocked())
	}
	return m, nil
}

// Close stops the DNS servers. Networks, rules and published ports stay:
// they are the kernel's and outlive the daemon.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closeLocked()
}

func (m *Manager) closeLocked() error {
	var errs []error
	for name, s := range m.servers {
		errs = append(errs, s.Close())
		delete(m.servers, name)
	}
	return errors.Join(errs...)
}

// Names is the registry the DNS servers answer from; the scheduler fills it
// through Register and Unregister.
func (m *Manager) Names() *Registry { return m.names }

// host runs fn in the namespace the networks live in.
func (m *Manager) host(fn func() error) error { return inNetNS(m.opts.NetNS, fn) }

// save persists the state, with the registry's records.
func (m *Manager) save() error {
	m.st.Names = m.names.records()
	return m.st.save(m.opts.Root)
}

package netdns

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// CreateNetwork creates the network spec describes, or adds spec.Owner to
// the owners of the existing network of that name (ErrConflict when that
// network was made with a different configuration). An external network must
// exist already (ErrNotFound otherwise) and gains no owner. On failure
// nothing is left behind.
func (m *Manager) CreateNetwork(ctx context.Context, spec NetworkSpec) (Network, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n, ok := m.st.Networks[spec.Name]; ok {
		if err := n.conflicts(spec); err != nil {
			return Network{}, err
		}
		if !spec.External && spec.Owner != "" {
			n.Owners[spec.Owner] = true
		}
		return n.clone(), m.save()
	}
	if spec.External {
		return Network{}, fmt.Errorf("external network %q: %w", spec.Name, ErrNotFound)
	}
	n, err := m.newNetwork(spec)
	if err != nil {
		return Network{}, err
	}
	if spec.Owner != "" {
		n.Owners[spec.Owner] = true
	}
	if err := m.bringUp(ctx, n); err != nil {
		return Network{}, errors.Join(err, m.tearDown(ctx, n))
	}
	m.st.Networks[spec.Name] = n
	if err := m.commit(ctx); err != nil {
		delete(m.st.Networks, spec.Name)
		return Network{}, errors.Join(err, m.tearDown(ctx, n), m.commit(ctx))
	}
	return n.clone(), nil
}

func (m *Manager) newNetwork(spec NetworkSpec) (*Network, error) {
	taken := m.st.subnets()
	err := m.host(func() error {
		r, err := hostRoutes()
		taken = append(taken, r...)
		return err
	})
	if err != nil {
		return nil, err
	}
	n, err := newNetwork(spec, taken)
	if err != nil {
		return nil, err
	}
	if other, ok := m.st.bridgeTaken(n.Bridge); ok {
		return nil, fmt.Errorf("network %q: bridge %q belongs to network %q", spec.Name, n.Bridge, other)
	}
	return n, nil
}

// bringUp makes the kernel side of n (bridge, sysctls, iptables accepts)
// and starts its DNS server. Repeating it is harmless.
func (m *Manager) bringUp(ctx context.Context, n *Network) error {
	err := m.host(func() error {
		if err := createBridge(n); err != nil {
			return err
		}
		if err := enableForwarding(n); err != nil {
			return err
		}
		return insertAccepts(ctx, n)
	})
	if err != nil {
		return err
	}
	return m.startDNS(ctx, n)
}

// commit persists the state and applies the nftables table made from it.
// It is not cancelled with ctx: state and rules must not part ways.
func (m *Manager) commit(ctx context.Context) error {
	if err := m.save(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return m.host(func() error { return applyRuleset(ctx, renderRuleset(m.st)) })
}

// RemoveNetwork removes owner from the network's owners and, when none is
// left, the network itself: DNS server, rules, bridge. A caller that is not
// an owner (a project that uses it as external) removes nothing. A network
// that still has endpoints is not removed (ErrInUse). An unknown network is
// ErrNotFound.
func (m *Manager) RemoveNetwork(ctx context.Context, name, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.st.Networks[name]
	if !ok {
		return fmt.Errorf("remove network %q: %w", name, ErrNotFound)
	}
	if !n.Owners[owner] && (owner != "" || len(n.Owners) > 0) {
		return nil
	}
	delete(n.Owners, owner)
	if len(n.Owners) > 0 {
		return m.save()
	}
	if eps := m.endpointsOf(name); len(eps) > 0 {
		n.Owners[owner] = true
		return fmt.Errorf("remove network %q: endpoints %v still attached: %w", name, eps, ErrInUse)
	}
	delete(m.st.Networks, name)
	return errors.Join(m.commit(ctx), m.tearDown(ctx, n))
}

// tearDown undoes bringUp, on its own timeout: a cancelled caller must not
// leave half a network behind.
func (m *Manager) tearDown(ctx context.Context, n *Network) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	if s, ok := m.servers[n.Spec.Name]; ok {
		errs = append(errs, s.Close())
		delete(m.servers, n.Spec.Name)
	}
	errs = append(errs, m.host(func() error {
		return errors.Join(removeAccepts(ctx, n), deleteBridge(n))
	}))
	return errors.Join(errs...)
}

func (m *Manager) endpointsOf(network string) []string {
	var ids []string
	for _, ep := range m.st.Endpoints {
		if ep.Network == network {
			ids = append(ids, ep.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// cleanupTimeout bounds undo and teardown work done after ctx is gone.
const cleanupTimeout = 30 * time.Second

// Networks returns every network berth holds, by name.
func (m *Manager) Networks() map[string]Network {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Network{}
	for name, n := range maps.All(m.st.Networks) {
		out[name] = n.clone()
	}
	return out
}

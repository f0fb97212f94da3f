package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/netdns"
	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
)

// Files every container on berth's networks gets, bind-mounted from its
// engine directory; they are rewritten in place (same inode, so the bind
// mount sees it) once the container's addresses are known.
var networkFiles = []string{"hosts", "resolv.conf", "hostname"}

// networkFiles adds the /etc/hosts, /etc/resolv.conf and /etc/hostname
// mounts to cfg, from placeholder files filled by connect. A container on
// the host's network sees the host's files instead, as with Docker.
func (e *Engine) networkFiles(s types.ServiceConfig, cfg *runtime.ContainerConfig, dir string) error {
	switch {
	case s.NetworkMode == "host":
		cfg.NetNSPath = "host"
		for _, f := range []string{"hosts", "resolv.conf"} {
			cfg.Mounts = append(cfg.Mounts, runtime.Mount{Source: "/etc/" + f, Destination: "/etc/" + f, Type: "bind", Options: []string{"rbind", "ro"}})
		}
		return nil
	case strings.HasPrefix(s.NetworkMode, "service:"), strings.HasPrefix(s.NetworkMode, "container:"):
		return nil // the joined container's files are in its namespace's mounts
	}
	for _, f := range networkFiles {
		path := filepath.Join(dir, f)
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			return err
		}
		cfg.Mounts = append(cfg.Mounts, runtime.Mount{Source: path, Destination: "/etc/" + f, Type: "bind", Options: []string{"rbind", "rw"}})
	}
	return nil
}

// connect attaches a created container's namespace to each of its
// networks, highest priority first as eth0, eth1, ..., publishes its
// ports, and writes its hosts, resolv.conf and hostname.
func (e *Engine) connect(ctx context.Context, p *types.Project, s types.ServiceConfig, c *runtime.Container, name, dir string) error {
	if sharesNetwork(s) {
		return nil
	}
	hosts := netdns.HostsSpec{Hostname: hostnameOf(s, c.ID), Names: []string{name}}
	var resolv netdns.ResolvSpec
	resolv.DNS, resolv.Search, resolv.Options = s.DNS, s.DNSSearch, s.DNSOpts
	for _, h := range s.ExtraHosts.AsList(":") {
		host, addr, _ := strings.Cut(h, ":")
		hosts.ExtraHosts = append(hosts.ExtraHosts, netdns.ExtraHost{Name: host, Addr: addr})
	}
	if s.NetworkMode != "none" {
		for i, key := range s.NetworksByPriority() {
			ep, err := e.attach(ctx, p, s, c, key, i)
			if err != nil {
				return err
			}
			hosts.Addrs = append(hosts.Addrs, ep.IPv4.Addr())
			if i == 0 {
				hosts.Gateway, resolv.Nameserver = ep.Gateway, ep.Gateway
			}
		}
		if err := e.publish(ctx, p, s, c.ID); err != nil {
			return err
		}
	}
	return netdns.WriteFiles(dir, hosts, resolv)
}

func (e *Engine) attach(ctx context.Context, p *types.Project, s types.ServiceConfig, c *runtime.Container, key string, index int) (netdns.Endpoint, error) {
	n, ok := p.Networks[key]
	if !ok {
		return netdns.Endpoint{}, fmt.Errorf("service %q refers to undefined network %s", s.Name, key)
	}
	spec := netdns.AttachSpec{Network: n.Name, ID: c.ID, IfName: "eth" + strconv.Itoa(index), DefaultRoute: index == 0}
	if cfg := s.Networks[key]; cfg != nil {
		if cfg.Ipv4Address != "" {
			addr, err := netip.ParseAddr(cfg.Ipv4Address)
			if err != nil {
				return netdns.Endpoint{}, fmt.Errorf("service %q: networks.%s.ipv4_address: %w", s.Name, key, err)
			}
			spec.IPv4 = addr
		}
		if cfg.Ipv6Address != "" {
			addr, err := netip.ParseAddr(cfg.Ipv6Address)
			if err != nil {
				return netdns.Endpoint{}, fmt.Errorf("service %q: networks.%s.ipv6_address: %w", s.Name, key, err)
			}
			spec.IPv6 = addr
		}
		spec.MAC = cfg.MacAddress
	}
	if spec.MAC == "" && index == 0 {
		spec.MAC = s.MacAddress
	}
	ep, err := e.net.Attach(ctx, c.NetNSPath, spec)
	if err != nil {
		return ep, fmt.Errorf("service %q: network %s: %w", s.Name, n.Name, err)
	}
	return ep, nil
}

// sharesNetwork reports whether s uses another namespace's network (the
// host's, or another container's) instead of joining berth's networks.
func sharesNetwork(s types.ServiceConfig) bool {
	return s.NetworkMode == "host" || strings.HasPrefix(s.NetworkMode, "service:") || strings.HasPrefix(s.NetworkMode, "container:")
}

// hostnameOf is the container's hostname: the service's, or the first 12
// characters of its ID as Docker gives.
func hostnameOf(s types.ServiceConfig, id string) string {
	if s.Hostname != "" {
		return s.Hostname
	}
	return id[:12]
}

// registerNames publishes a started container's names on each of its
// networks: its service (all replicas answer), its container name, its
// hostname and its network aliases.
func (e *Engine) registerNames(ctx context.Context, id string) error {
	c, err := e.rt.Inspect(ctx, id)
	if err != nil {
		return err
	}
	for name := range e.net.Networks() {
		ep, err := e.net.Endpoint(name, id)
		if errors.Is(err, netdns.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		rec := netdns.Record{ID: id, Network: name, Addrs: []netip.Addr{ep.IPv4.Addr()},
			Service: c.Labels[project.LabelService], Names: recordNames(c, name)}
		if ep.IPv6.IsValid() {
			rec.Addrs = append(rec.Addrs, ep.IPv6.Addr())
		}
		if err := e.net.Register(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// recordNames are the names a container answers to besides its service.
func recordNames(c *runtime.Container, network string) []string {
	names := []string{c.Labels[LabelContainerName], c.ID[:12]}
	if aliases := c.Labels[labelAliasesPrefix+network]; aliases != "" {
		names = append(names, strings.Split(aliases, ",")...)
	}
	if h := c.Labels[labelHostname]; h != "" {
		names = append(names, h)
	}
	return names
}

// Labels recording what DNS needs after a daemon restart, when the project
// model is gone: the network aliases per network and the hostname.
const (
	labelAliasesPrefix = "berth.aliases."
	labelHostname      = "berth.hostname"
)

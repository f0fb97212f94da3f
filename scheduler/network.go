package scheduler

import (
	"context"
	"encoding/json"
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

// netPlan is how one container joins berth's networks, decided once from
// the project when the container is created and saved beside it, so that
// a restart (by policy, or `up` of an exited container) plumbs its new
// namespace the same way without the project model.
type netPlan struct {
	Attach []netdns.AttachSpec `json:"attach"` // highest priority first: eth0, eth1, ...
	Ports  []netdns.PortSpec   `json:"ports,omitempty"`
	Hosts  netdns.HostsSpec    `json:"hosts"`
	Resolv netdns.ResolvSpec   `json:"resolv"`
}

// planNetwork decides how container id of s joins its networks.
func planNetwork(p *types.Project, s types.ServiceConfig, id, name string) (netPlan, error) {
	plan := netPlan{Hosts: netdns.HostsSpec{Hostname: hostnameOf(s, id), Names: []string{name}}}
	plan.Resolv.DNS, plan.Resolv.Search, plan.Resolv.Options = s.DNS, s.DNSSearch, s.DNSOpts
	for _, h := range s.ExtraHosts.AsList(":") {
		host, addr, _ := strings.Cut(h, ":")
		plan.Hosts.ExtraHosts = append(plan.Hosts.ExtraHosts, netdns.ExtraHost{Name: host, Addr: addr})
	}
	if s.NetworkMode == "none" {
		return plan, nil
	}
	for i, key := range s.NetworksByPriority() {
		spec, err := attachSpec(p, s, id, key, i)
		if err != nil {
			return plan, err
		}
		plan.Attach = append(plan.Attach, spec)
	}
	ports, err := portSpecs(p, s, id)
	plan.Ports = ports
	return plan, err
}

func attachSpec(p *types.Project, s types.ServiceConfig, id, key string, index int) (netdns.AttachSpec, error) {
	n, ok := p.Networks[key]
	if !ok {
		return netdns.AttachSpec{}, fmt.Errorf("service %q refers to undefined network %s", s.Name, key)
	}
	spec := netdns.AttachSpec{Network: n.Name, ID: id, IfName: "eth" + strconv.Itoa(index), DefaultRoute: index == 0}
	if cfg := s.Networks[key]; cfg != nil {
		var err error
		if spec.IPv4, err = parseAddr(cfg.Ipv4Address); err != nil {
			return spec, fmt.Errorf("service %q: networks.%s.ipv4_address: %w", s.Name, key, err)
		}
		if spec.IPv6, err = parseAddr(cfg.Ipv6Address); err != nil {
			return spec, fmt.Errorf("service %q: networks.%s.ipv6_address: %w", s.Name, key, err)
		}
		spec.MAC = cfg.MacAddress
	}
	if spec.MAC == "" && index == 0 {
		spec.MAC = s.MacAddress
	}
	return spec, nil
}

func parseAddr(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}

func (e *Engine) saveNetPlan(id string, plan netPlan) error {
	b, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(e.containerDir(id), "network.json"), b, 0o600)
}

func (e *Engine) netPlan(id string) (netPlan, error) {
	var plan netPlan
	b, err := os.ReadFile(filepath.Join(e.containerDir(id), "network.json"))
	if err != nil {
		return plan, err
	}
	return plan, json.Unmarshal(b, &plan)
}

// connect attaches a created container's namespace to its networks as its
// saved plan says, publishes its ports and writes its hosts, resolv.conf
// and hostname. Endpoints left from an earlier run of the container (its
// old namespace is gone) are released first.
func (e *Engine) connect(ctx context.Context, c *runtime.Container) error {
	plan, err := e.netPlan(c.ID)
	if errors.Is(err, os.ErrNotExist) {
		return nil // shares another namespace's network
	} else if err != nil {
		return err
	}
	for _, spec := range plan.Attach {
		if err := e.net.Detach(ctx, spec.Network, c.ID); err != nil && !errors.Is(err, netdns.ErrNotFound) {
			return err
		}
	}
	hosts, resolv := plan.Hosts, plan.Resolv
	for i, spec := range plan.Attach {
		ep, err := e.net.Attach(ctx, c.NetNSPath, spec)
		if err != nil {
			return fmt.Errorf("network %s: %w", spec.Network, err)
		}
		hosts.Addrs = append(hosts.Addrs, ep.IPv4.Addr())
		if i == 0 {
			hosts.Gateway, resolv.Nameserver = ep.Gateway, ep.Gateway
		}
	}
	if err := e.publish(ctx, c.ID, plan.Ports); err != nil {
		return err
	}
	return netdns.WriteFiles(e.containerDir(c.ID), hosts, resolv)
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

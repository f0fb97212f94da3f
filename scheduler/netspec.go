package scheduler

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/netdns"
)

// Docker's bridge driver options berth honours.
const (
	optBridgeName = "com.docker.network.bridge.name"
	optMTU        = "com.docker.network.driver.mtu"
)

// networkSpec translates a compose network into what netdns creates:
// driver_opts for a bridge, ipam.config subnets, internal, IPv6.
func networkSpec(projectName string, n types.NetworkConfig) (netdns.NetworkSpec, error) {
	spec := netdns.NetworkSpec{Name: n.Name, Owner: projectName, Internal: n.Internal, External: bool(n.External),
		Bridge: n.DriverOpts[optBridgeName]}
	spec.EnableIPv6 = n.EnableIPv6 != nil && *n.EnableIPv6
	if mtu := n.DriverOpts[optMTU]; mtu != "" {
		v, err := strconv.Atoi(mtu)
		if err != nil || v < 68 {
			return spec, fmt.Errorf("network %s: driver_opts %s: invalid MTU %q", n.Name, optMTU, mtu)
		}
		spec.MTU = v
	}
	for i, pool := range n.Ipam.Config {
		cfg, err := ipamConfig(pool)
		if err != nil {
			return spec, fmt.Errorf("network %s: ipam.config[%d]: %w", n.Name, i, err)
		}
		if cfg.Subnet.Addr().Is6() {
			spec.IPv6 = cfg
		} else {
			spec.IPv4 = cfg
		}
	}
	return spec, nil
}

func ipamConfig(pool *types.IPAMPool) (netdns.IPAMConfig, error) {
	var cfg netdns.IPAMConfig
	var err error
	if pool.Subnet != "" {
		if cfg.Subnet, err = netip.ParsePrefix(pool.Subnet); err != nil {
			return cfg, fmt.Errorf("subnet: %w", err)
		}
	}
	if pool.IPRange != "" {
		if cfg.IPRange, err = netip.ParsePrefix(pool.IPRange); err != nil {
			return cfg, fmt.Errorf("ip_range: %w", err)
		}
	}
	if pool.Gateway != "" {
		if cfg.Gateway, err = netip.ParseAddr(pool.Gateway); err != nil {
			return cfg, fmt.Errorf("gateway: %w", err)
		}
	}
	return cfg, nil
}

package netdns

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"strings"
)

// ErrNotFound is returned for a network, endpoint or port that does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a network exists with another configuration.
var ErrConflict = errors.New("exists with a different configuration")

// ErrInUse is returned when removing a network that still has endpoints.
var ErrInUse = errors.New("in use")

// IPAMConfig is one entry of a compose network's ipam.config. Zero fields are
// chosen by berth.
type IPAMConfig struct {
	Subnet  netip.Prefix
	IPRange netip.Prefix
	Gateway netip.Addr
}

// NetworkSpec describes a network as compose declares it, already translated
// from driver_opts (bridge name, MTU) by the caller.
type NetworkSpec struct {
	Name       string // e.g. "myapp_default"
	Owner      string // the project creating it; removal is per owner
	Bridge     string // com.docker.network.bridge.name; "" for br-<12 hex>
	MTU        int    // com.docker.network.driver.mtu; 0: see Network.mtu
	Internal   bool   // no route out, no masquerade, no forwarded DNS
	External   bool   // must already exist; berth never removes it
	EnableIPv6 bool
	IPv4       IPAMConfig
	IPv6       IPAMConfig // Subnet required when EnableIPv6
}

// Network is a network as it exists: the spec plus what berth chose.
type Network struct {
	Spec   NetworkSpec     `json:"spec"`
	Bridge string          `json:"bridge"`
	Owners map[string]bool `json:"owners"`
	V4     *Pool           `json:"v4"`
	V6     *Pool           `json:"v6,omitempty"`
}

// clone returns a copy of n that shares nothing with it, for callers.
func (n *Network) clone() Network {
	c := *n
	c.Owners = maps.Clone(n.Owners)
	c.V4 = n.V4.clone()
	if n.V6 != nil {
		c.V6 = n.V6.clone()
	}
	return c
}

// conflicts reports how spec disagrees with the existing network n. An
// external reference only names the network, so it never disagrees.
func (n *Network) conflicts(spec NetworkSpec) error {
	if spec.External {
		return nil
	}
	old := n.Spec
	var diff []string
	if spec.Internal != old.Internal {
		diff = append(diff, "internal")
	}
	if spec.EnableIPv6 != old.EnableIPv6 {
		diff = append(diff, "enable_ipv6")
	}
	if spec.MTU != old.MTU || spec.Bridge != old.Bridge {
		diff = append(diff, "driver_opts")
	}
	if spec.IPv4 != old.IPv4 || spec.IPv6 != old.IPv6 {
		diff = append(diff, "ipam")
	}
	if len(diff) > 0 {
		return fmt.Errorf("network %q (%s differ): %w", spec.Name, strings.Join(diff, ", "), ErrConflict)
	}
	return nil
}

// DNS returns the address the network's DNS server listens on: its gateway.
func (n *Network) DNS() netip.Addr { return n.V4.Gateway }

var networkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// bridgeName returns the interface name for spec: its own, or br- and 12
// hex digits of the network name's hash, stable across restarts.
func bridgeName(spec NetworkSpec) (string, error) {
	if !networkName.MatchString(spec.Name) {
		return "", fmt.Errorf("network %q: name must match %s", spec.Name, networkName)
	}
	if spec.Bridge == "" {
		sum := sha256.Sum256([]byte(spec.Name))
		return "br-" + hex.EncodeToString(sum[:6]), nil
	}
	if err := checkIfName(spec.Bridge); err != nil {
		return "", fmt.Errorf("network %q: bridge name: %w", spec.Name, err)
	}
	return spec.Bridge, nil
}

// checkIfName applies the kernel's dev_valid_name (net/core/dev.c): at most
// 15 bytes, not "." or "..", no '/', ':' or white space.
func checkIfName(name string) error {
	switch {
	case name == "" || len(name) > 15:
		return fmt.Errorf("interface name %q must be 1 to 15 bytes", name)
	case name == "." || name == "..":
		return fmt.Errorf("interface name %q is reserved", name)
	case strings.ContainsAny(name, "/: \t\n\r\v\f"):
		return fmt.Errorf("interface name %q contains '/', ':' or white space", name)
	}
	return nil
}

// newNetwork builds the network for spec, choosing its subnets. taken lists
// the prefixes the host routes and other bridges hold.
func newNetwork(spec NetworkSpec, taken []netip.Prefix) (*Network, error) {
	br, err := bridgeName(spec)
	if err != nil {
		return nil, err
	}
	if spec.MTU < 0 || spec.MTU > 65535 || (spec.MTU > 0 && spec.MTU < 68) {
		return nil, fmt.Errorf("network %q: mtu %d out of range 68-65535", spec.Name, spec.MTU)
	}
	n := &Network{Spec: spec, Bridge: br, Owners: map[string]bool{}}
	if n.V4, err = newPool(spec.IPv4, taken, true); err != nil {
		return nil, fmt.Errorf("network %q: %w", spec.Name, err)
	}
	if spec.EnableIPv6 {
		if n.V6, err = newPool(spec.IPv6, taken, false); err != nil {
			return nil, fmt.Errorf("network %q: %w", spec.Name, err)
		}
	}
	return n, nil
}

func newPool(c IPAMConfig, taken []netip.Prefix, v4 bool) (*Pool, error) {
	subnet := c.Subnet
	if !subnet.IsValid() {
		if !v4 {
			return nil, errors.New("enable_ipv6 needs an ipam.config entry with an IPv6 subnet")
		}
		var err error
		if subnet, err = ChooseSubnet(DefaultPool(), taken); err != nil {
			return nil, err
		}
	}
	if subnet.Addr().Is4() != v4 {
		return nil, fmt.Errorf("subnet %s is of the wrong address family", subnet)
	}
	if p := overlapsAny(subnet, taken); p != nil {
		return nil, fmt.Errorf("subnet %s overlaps %s already in use", subnet, *p)
	}
	return NewPool(subnet, c.IPRange, c.Gateway)
}

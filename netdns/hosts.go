package netdns

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// HostGateway is the extra_hosts address that stands for the host.
const HostGateway = "host-gateway"

// ExtraHost is one extra_hosts entry: a name and an address or HostGateway.
type ExtraHost struct {
	Name string
	Addr string
}

// HostsSpec is what a container's /etc/hosts says.
type HostsSpec struct {
	Hostname string
	// Names are the container's other names (e.g. its container name),
	// listed after Hostname on each of its addresses.
	Names      []string
	Addrs      []netip.Addr // the container's own addresses, first network first
	ExtraHosts []ExtraHost
	// Gateway is what host-gateway resolves to: the first network's gateway.
	Gateway netip.Addr
}

// RenderHosts renders hosts(5): the loopback and IPv6 lines Docker writes,
// the container's own addresses and names, then extra_hosts.
func RenderHosts(s HostsSpec) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("127.0.0.1\tlocalhost\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\n" +
		"ff00::0\tip6-mcastprefix\n" +
		"ff02::1\tip6-allnodes\n" +
		"ff02::2\tip6-allrouters\n")
	names := strings.Join(uniq(append([]string{s.Hostname}, s.Names...)), " ")
	for _, a := range s.Addrs {
		if names != "" {
			fmt.Fprintf(&b, "%s\t%s\n", a, names)
		}
	}
	for _, h := range s.ExtraHosts {
		addr := h.Addr
		if addr == HostGateway {
			if !s.Gateway.IsValid() {
				return nil, fmt.Errorf("extra_hosts %s:%s: container has no network gateway", h.Name, h.Addr)
			}
			addr = s.Gateway.String()
		} else if _, err := netip.ParseAddr(addr); err != nil {
			return nil, fmt.Errorf("extra_hosts %s:%s: not an IP address", h.Name, h.Addr)
		}
		fmt.Fprintf(&b, "%s\t%s\n", addr, h.Name)
	}
	return b.Bytes(), nil
}

func uniq(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// RenderHostname renders /etc/hostname.
func RenderHostname(hostname string) []byte { return []byte(hostname + "\n") }

// WriteFiles renders hosts, resolv.conf and hostname into dir (e.g. the
// container's state directory, from which they are bind-mounted).
func WriteFiles(dir string, hosts HostsSpec, resolv ResolvSpec) error {
	h, err := RenderHosts(hosts)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"hosts":       h,
		"resolv.conf": RenderResolvConf(resolv),
		"hostname":    RenderHostname(hosts.Hostname),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

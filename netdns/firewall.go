package netdns

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// enableForwarding turns on what n's traffic needs from the kernel: IP
// forwarding for a network with a way out, and route_localnet on the bridge
// so that a published port answers on 127.0.0.1 — without it the kernel
// drops a packet with a loopback address routed to a non-loopback interface
// as martian (ip-sysctl.rst, route_localnet).
func enableForwarding(n *Network) error {
	if err := writeSysctl("net/ipv4/conf/"+n.Bridge+"/route_localnet", "1"); err != nil {
		return err
	}
	if n.Spec.Internal {
		return nil
	}
	if err := writeSysctl("net/ipv4/ip_forward", "1"); err != nil {
		return err
	}
	if n.V6 != nil {
		return writeSysctl("net/ipv6/conf/all/forwarding", "1")
	}
	return nil
}

// Every netfilter base chain on a hook sees each packet, whatever table it
// is in, and a drop in any of them is final: an accept in berth's own table
// cannot overrule the DROP policy dockerd sets on iptables' FORWARD chain,
// nor ufw's on INPUT (nft(8), "base chain"; the same holds for
// iptables-legacy, which runs on the same hooks). So where such a chain is
// in use, berth inserts accepts for its bridges into it, marked with a
// comment so that it removes exactly those. Where the chain is unused
// (policy ACCEPT, no rule), berth leaves iptables alone and does not create
// its tables.

// accept is one rule berth inserts into one iptables chain.
type accept struct {
	tool, chain string
	spec        []string
}

// accepts returns the rules that let n's traffic pass: in FORWARD,
// everything from the bridge (outbound, and bridged traffic when
// br_netfilter is loaded), and replies and published-port traffic to it (an
// internal network only keeps traffic within its bridge); in INPUT, queries
// to berth's DNS server on the gateway.
func accepts(n *Network) []accept {
	tag := []string{"-m", "comment", "--comment", "berth:" + n.Spec.Name, "-j", "ACCEPT"}
	rule := func(args ...string) []string { return append(args, tag...) }
	fwd := [][]string{rule("-i", n.Bridge, "-o", n.Bridge)}
	if !n.Spec.Internal {
		fwd = [][]string{rule("-i", n.Bridge),
			rule("-o", n.Bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT")}
	}
	var out []accept
	for _, tool := range iptablesTools(n) {
		for _, spec := range fwd {
			out = append(out, accept{tool, "FORWARD", spec})
		}
	}
	for _, proto := range []string{"udp", "tcp"} {
		spec := rule("-i", n.Bridge, "-d", n.DNS().String(), "-p", proto, "--dport", "53")
		out = append(out, accept{"iptables", "INPUT", spec})
	}
	return out
}

func iptablesTools(n *Network) []string {
	if n.V6 != nil {
		return []string{"iptables", "ip6tables"}
	}
	return []string{"iptables"}
}

// insertAccepts inserts n's accepts at the top of their chains, once,
// wherever the chain is in use. It runs again on every Attach, so that a
// dockerd started after the network was made is caught at the next
// container start; each run lists a tool's filter table once, and where
// no chain is in use (no dockerd, no ufw) that listing is all it costs.
func insertAccepts(ctx context.Context, n *Network) error {
	inUse := map[string]map[string]bool{} // tool -> chain -> in use
	for _, a := range accepts(n) {
		if inUse[a.tool] == nil {
			inUse[a.tool] = chainsInUse(ctx, a.tool)
		}
		if !inUse[a.tool][a.chain] || iptables(ctx, a, "-C") == nil {
			continue
		}
		if err := iptables(ctx, a, "-I"); err != nil {
			return fmt.Errorf("network %q: %w", n.Spec.Name, err)
		}
	}
	return nil
}

// removeAccepts deletes every copy of n's accepts.
func removeAccepts(ctx context.Context, n *Network) error {
	for _, a := range accepts(n) {
		if _, err := exec.LookPath(a.tool); err != nil {
			continue
		}
		for iptables(ctx, a, "-C") == nil {
			if err := iptables(ctx, a, "-D"); err != nil {
				return fmt.Errorf("network %q: %w", n.Spec.Name, err)
			}
		}
	}
	return nil
}

// chainsInUse returns the chains of tool's filter table that drop by
// default or have rules. Listing does not create iptables-nft's tables.
func chainsInUse(ctx context.Context, tool string) map[string]bool {
	out, err := exec.CommandContext(ctx, tool, "-w", "-S").Output()
	if err != nil {
		return map[string]bool{} // no iptables here: nothing can drop our traffic
	}
	return parseChainsInUse(string(out))
}

// parseChainsInUse reads `iptables -S`: "-P CHAIN POLICY" and "-A CHAIN ...".
func parseChainsInUse(listing string) map[string]bool {
	inUse := map[string]bool{}
	for line := range strings.Lines(listing) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "-P" && f[2] == "DROP", len(f) >= 2 && f[0] == "-A":
			inUse[f[1]] = true
		}
	}
	return inUse
}

func iptables(ctx context.Context, a accept, op string) error {
	args := append([]string{"-w", op, a.chain}, a.spec...)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, a.tool, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", a.tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

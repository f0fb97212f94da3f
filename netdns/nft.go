package netdns

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
)

// nftTable is berth's own nftables table. berth never edits a rule outside
// it (except the iptables FORWARD accepts of firewall.go), and it renders the
// table whole from its state, so applying it is idempotent and leaves no
// stale rule behind.
const nftTable = "inet berth"

// renderRuleset returns an nft script that replaces berth's table with one
// made from s; with no network left it only deletes the table. Declaring the
// table before deleting it makes the delete succeed on first use, and nft -f
// applies the whole script as one transaction (nft(8)).
func renderRuleset(s *state) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s\ndelete table %s\n", nftTable, nftTable)
	if len(s.Networks) == 0 {
		return b.String()
	}
	nets := sortedNetworks(s)
	fmt.Fprintf(&b, "table %s {\n", nftTable)
	writeChain(&b, "forward", "type filter hook forward priority filter; policy accept;", forwardRules(nets))
	writeChain(&b, "postrouting", "type nat hook postrouting priority srcnat; policy accept;", natRules(nets))
	// Published ports answer on every local address (fib(8) "type local"),
	// from outside (prerouting) and from the host itself (output).
	jump := []string{"fib daddr type local jump ports"}
	writeChain(&b, "prerouting", "type nat hook prerouting priority dstnat; policy accept;", jump)
	writeChain(&b, "output", "type nat hook output priority -100; policy accept;", jump)
	writeChain(&b, "ports", "", portRules(s))
	b.WriteString("}\n")
	return b.String()
}

func writeChain(b *strings.Builder, name, hook string, rules []string) {
	fmt.Fprintf(b, "\tchain %s {\n", name)
	if hook != "" {
		fmt.Fprintf(b, "\t\t%s\n", hook)
	}
	for _, r := range rules {
		fmt.Fprintf(b, "\t\t%s\n", r)
	}
	b.WriteString("\t}\n")
}

// forwardRules keep an internal network's traffic on its bridge, and keep
// networks apart from each other as Docker does, except through a published
// port (DNAT). A drop here is final
// whatever other tables accept; an accept here is not (see firewall.go).
func forwardRules(nets []*Network) []string {
	var rules []string
	for _, n := range nets {
		if n.Spec.Internal {
			rules = append(rules,
				fmt.Sprintf("iifname %q oifname != %q drop", n.Bridge, n.Bridge),
				fmt.Sprintf("oifname %q iifname != %q drop", n.Bridge, n.Bridge))
		}
	}
	for _, n := range nets {
		if others := otherBridges(nets, n); others != "" {
			rules = append(rules, fmt.Sprintf("iifname %q oifname { %s } ct status & dnat == 0 drop", n.Bridge, others))
		}
	}
	return rules
}

func otherBridges(nets []*Network, n *Network) string {
	var names []string
	for _, o := range nets {
		if o != n {
			names = append(names, fmt.Sprintf("%q", o.Bridge))
		}
	}
	return strings.Join(names, ", ")
}

// natRules masquerade what leaves a non-internal network, and what reaches
// a published port from the host itself (loopback needs route_localnet on
// the bridge, then a routable source) or from its own bridge (hairpin).
func natRules(nets []*Network) []string {
	var rules []string
	for _, n := range nets {
		if !n.Spec.Internal {
			for _, p := range n.pools() {
				rules = append(rules, fmt.Sprintf("%s saddr %s oifname != %q masquerade", family(p), p.Subnet, n.Bridge))
			}
		}
		rules = append(rules,
			fmt.Sprintf("oifname %q ct status dnat fib saddr type local masquerade", n.Bridge),
			fmt.Sprintf("oifname %q iifname %q ct status dnat masquerade", n.Bridge, n.Bridge))
	}
	return rules
}

func portRules(s *state) []string {
	var rules []string
	for _, b := range sortedBindings(s) {
		match, to := "meta nfproto ipv4", "ip"
		switch {
		case b.HostIP.Is6():
			match, to = "ip6 daddr "+b.HostIP.String(), "ip6"
		case b.HostIP.IsValid():
			match = "ip daddr " + b.HostIP.String()
		}
		target := netip.AddrPortFrom(b.Addr, b.ContainerPort)
		rules = append(rules, fmt.Sprintf("%s %s dport %d dnat %s to %s",
			match, b.Protocol, b.HostPort, to, target))
	}
	return rules
}

func family(p *Pool) string {
	if p.Subnet.Addr().Is4() {
		return "ip"
	}
	return "ip6"
}

func sortedNetworks(s *state) []*Network {
	var nets []*Network
	for _, n := range s.Networks {
		nets = append(nets, n)
	}
	slices.SortFunc(nets, func(a, b *Network) int { return strings.Compare(a.Spec.Name, b.Spec.Name) })
	return nets
}

// applyRuleset hands the script to nft(8) in the calling thread's network
// namespace.
func applyRuleset(ctx context.Context, script string) error {
	cmd := exec.CommandContext(ctx, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apply nftables table %s: %w: %s", nftTable, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

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
// cannot overrule the DROP policy dockerd sets on iptables' FORWARD chain
// (nft(8), "base chain"; the same holds for iptables-legacy, which runs on
// the same hook). So where that chain is in use, berth inserts accepts for
// its bridges into it, marked with a comment so that it removes exactly
// those. Where the chain is unused (policy ACCEPT, no rule), berth leaves
// iptables alone and does not create its tables.

// forwardAccepts returns the iptables rule specs that let n's traffic pass
// FORWARD: everything from the bridge (outbound, and bridged traffic when
// br_netfilter is loaded), and replies and published-port traffic to it. An
// internal network only keeps traffic within its bridge.
func forwardAccepts(n *Network) [][]string {
	tag := []string{"-m", "comment", "--comment", "berth:" + n.Spec.Name, "-j", "ACCEPT"}
	if n.Spec.Internal {
		return [][]string{append([]string{"-i", n.Bridge, "-o", n.Bridge}, tag...)}
	}
	return [][]string{
		append([]string{"-i", n.Bridge}, tag...),
		append([]string{"-o", n.Bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT"}, tag...),
	}
}

func iptablesTools(n *Network) []string {
	if n.V6 != nil {
		return []string{"iptables", "ip6tables"}
	}
	return []string{"iptables"}
}

// acceptForward inserts n's accepts at the top of FORWARD, once, wherever
// the chain is in use. It runs again on every Attach, so that a dockerd
// started after the network was made is caught at the next container start.
func acceptForward(ctx context.Context, n *Network) error {
	for _, tool := range iptablesTools(n) {
		if !forwardInUse(ctx, tool) {
			continue
		}
		for _, rule := range forwardAccepts(n) {
			if iptables(ctx, tool, "-C", rule) == nil {
				continue
			}
			if err := iptables(ctx, tool, "-I", rule); err != nil {
				return fmt.Errorf("network %q: %w", n.Spec.Name, err)
			}
		}
	}
	return nil
}

// removeForwardAccepts deletes every copy of n's accepts.
func removeForwardAccepts(ctx context.Context, n *Network) error {
	for _, tool := range iptablesTools(n) {
		if _, err := exec.LookPath(tool); err != nil {
			continue
		}
		for _, rule := range forwardAccepts(n) {
			for iptables(ctx, tool, "-C", rule) == nil {
				if err := iptables(ctx, tool, "-D", rule); err != nil {
					return fmt.Errorf("network %q: %w", n.Spec.Name, err)
				}
			}
		}
	}
	return nil
}

// forwardInUse reports whether tool's FORWARD chain drops by default or has
// rules. Listing does not create iptables-nft's tables.
func forwardInUse(ctx context.Context, tool string) bool {
	out, err := exec.CommandContext(ctx, tool, "-w", "-S", "FORWARD").Output()
	if err != nil {
		return false // no iptables here: nothing can drop our traffic
	}
	s := string(out)
	return strings.Contains(s, "-P FORWARD DROP") || strings.Contains(s, "-A FORWARD")
}

func iptables(ctx context.Context, tool, op string, rule []string) error {
	args := append([]string{"-w", op, "FORWARD"}, rule...)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

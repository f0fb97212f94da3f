package netdns

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

func TestAccepts(t *testing.T) {
	t.Parallel()
	render := func(spec NetworkSpec) string {
		n, err := newNetwork(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, a := range accepts(n) {
			lines = append(lines, fmt.Sprintf("%s -I %s %s", a.tool, a.chain, strings.Join(a.spec, " ")))
		}
		return strings.Join(lines, "\n")
	}
	const tag = "-m comment --comment berth:%s -j ACCEPT"
	got := render(NetworkSpec{Name: "in", Internal: true, Bridge: "br-in"})
	want := strings.Join([]string{
		"iptables -I FORWARD -i br-in -o br-in " + fmt.Sprintf(tag, "in"),
		"iptables -I INPUT -i br-in -d 172.17.0.1 -p udp --dport 53 " + fmt.Sprintf(tag, "in"),
		"iptables -I INPUT -i br-in -d 172.17.0.1 -p tcp --dport 53 " + fmt.Sprintf(tag, "in"),
	}, "\n")
	if got != want {
		t.Errorf("internal network:\n%s\nwant\n%s", got, want)
	}
	got = render(NetworkSpec{Name: "out", Bridge: "br-out", EnableIPv6: true, IPv6: IPAMConfig{Subnet: pfx("fd00::/64")}})
	for _, w := range []string{
		"iptables -I FORWARD -i br-out " + fmt.Sprintf(tag, "out"),
		"ip6tables -I FORWARD -o br-out -m conntrack --ctstate RELATED,ESTABLISHED,DNAT " + fmt.Sprintf(tag, "out"),
	} {
		if !strings.Contains(got, w) {
			t.Errorf("network with a way out lacks %q:\n%s", w, got)
		}
	}
}

func TestParseChainsInUse(t *testing.T) {
	listing := `-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N DOCKER-USER
-A DOCKER-USER -j RETURN
-A ufw-before-input -i lo -j ACCEPT
`
	got := parseChainsInUse(listing)
	want := map[string]bool{"FORWARD": true, "DOCKER-USER": true, "ufw-before-input": true}
	if !maps.Equal(got, want) {
		t.Errorf("chains in use = %v, want %v", got, want)
	}
	if got := parseChainsInUse("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"); len(got) != 0 {
		t.Errorf("an unused table: %v, want none in use", got)
	}
}

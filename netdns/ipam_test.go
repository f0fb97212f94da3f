package netdns

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func TestChooseSubnetSkipsTaken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		taken []netip.Prefix
		want  string
	}{
		{nil, "172.17.0.0/16"},
		{[]netip.Prefix{pfx("172.17.0.0/16")}, "172.18.0.0/16"},
		{[]netip.Prefix{pfx("172.16.0.0/12")}, "192.168.0.0/20"},
		{[]netip.Prefix{pfx("172.16.0.0/12"), pfx("192.168.1.0/24")}, "192.168.16.0/20"},
		{[]netip.Prefix{pfx("172.17.5.0/24"), pfx("172.18.0.0/15")}, "172.20.0.0/16"},
	}
	for _, tt := range tests {
		got, err := ChooseSubnet(DefaultPool(), tt.taken)
		if err != nil || got.String() != tt.want {
			t.Errorf("ChooseSubnet(%v) = %v, %v; want %s", tt.taken, got, err, tt.want)
		}
	}
}

func TestChooseSubnetExhausted(t *testing.T) {
	t.Parallel()
	_, err := ChooseSubnet(DefaultPool(), []netip.Prefix{pfx("172.16.0.0/12"), pfx("192.168.0.0/16")})
	if !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("err = %v, want ErrPoolExhausted", err)
	}
}

func TestNewPoolRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		subnet, ipRange, gateway, wantErr string
	}{
		{"10.1.0.5/16", "", "", "host bits set"},
		{"10.1.0.0/31", "", "", "too small"},
		{"10.1.0.0/24", "10.2.0.0/25", "", "ip_range"},
		{"10.1.0.0/24", "10.1.0.128/24", "", "ip_range"},
		{"10.1.0.0/24", "", "10.1.1.1", "gateway"},
		{"10.1.0.0/24", "", "10.1.0.255", "gateway"},
		{"10.1.0.0/24", "", "10.1.0.0", "gateway"},
	}
	for _, tt := range tests {
		var r netip.Prefix
		var g netip.Addr
		if tt.ipRange != "" {
			r = netip.MustParsePrefix(tt.ipRange)
		}
		if tt.gateway != "" {
			g = addr(tt.gateway)
		}
		_, err := NewPool(pfx(tt.subnet), r, g)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("NewPool(%s, %s, %s) = %v, want error with %q", tt.subnet, tt.ipRange, tt.gateway, err, tt.wantErr)
		}
	}
}

func TestPoolAllocatesInOrderWithoutReuse(t *testing.T) {
	t.Parallel()
	p, err := NewPool(pfx("10.9.0.0/29"), netip.Prefix{}, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Gateway != addr("10.9.0.1") {
		t.Fatalf("gateway = %s", p.Gateway)
	}
	var got []string
	for range 5 {
		a, err := p.Allocate(netip.Addr{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a.String())
	}
	if strings.Join(got, " ") != "10.9.0.2 10.9.0.3 10.9.0.4 10.9.0.5 10.9.0.6" {
		t.Fatalf("allocated %v", got)
	}
	if _, err := p.Allocate(netip.Addr{}); !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("sixth allocation: %v, want ErrPoolExhausted", err)
	}
	p.Release(addr("10.9.0.3"))
	if a, err := p.Allocate(netip.Addr{}); err != nil || a != addr("10.9.0.3") {
		t.Fatalf("after release: %v, %v", a, err)
	}
}

func TestPoolNextSkipsJustReleased(t *testing.T) {
	t.Parallel()
	p, _ := NewPool(pfx("10.9.0.0/24"), netip.Prefix{}, netip.Addr{})
	a, _ := p.Allocate(netip.Addr{})
	p.Release(a)
	b, _ := p.Allocate(netip.Addr{})
	if a == b {
		t.Fatalf("released %s handed out again at once", a)
	}
}

func TestPoolIPRange(t *testing.T) {
	t.Parallel()
	p, err := NewPool(pfx("10.9.0.0/24"), pfx("10.9.0.128/25"), addr("10.9.0.254"))
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := p.Allocate(netip.Addr{}); a != addr("10.9.0.128") {
		t.Fatalf("first of ip_range = %s", a)
	}
	// A requested address may lie outside ip_range, inside the subnet.
	if a, err := p.Allocate(addr("10.9.0.7")); err != nil || a != addr("10.9.0.7") {
		t.Fatalf("requested: %v, %v", a, err)
	}
}

func TestPoolRequestedAddress(t *testing.T) {
	t.Parallel()
	p, _ := NewPool(pfx("10.9.0.0/24"), netip.Prefix{}, netip.Addr{})
	if _, err := p.Allocate(addr("10.9.0.50")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		want    string
		wantErr string
	}{
		{"10.9.0.50", "already allocated"},
		{"10.9.0.1", "already allocated"}, // the gateway
		{"10.9.1.5", "outside subnet"},
		{"10.9.0.255", "outside subnet"}, // broadcast
		{"fd00::5", "outside subnet"},
	}
	for _, tt := range tests {
		_, err := p.Allocate(addr(tt.want))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Allocate(%s) = %v, want %q", tt.want, err, tt.wantErr)
		}
	}
}

func TestPoolIPv6(t *testing.T) {
	t.Parallel()
	p, err := NewPool(pfx("fd00:1::/64"), netip.Prefix{}, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Allocate(netip.Addr{})
	if err != nil || p.Gateway != addr("fd00:1::1") || a != addr("fd00:1::2") {
		t.Fatalf("gateway %s, first %s, %v", p.Gateway, a, err)
	}
}

func TestNewNetworkValidates(t *testing.T) {
	t.Parallel()
	taken := []netip.Prefix{pfx("172.17.0.0/16"), pfx("10.5.0.0/16")}
	tests := []struct {
		spec    NetworkSpec
		wantErr string
	}{
		{NetworkSpec{Name: "bad name"}, `network "bad name"`},
		{NetworkSpec{Name: "app_x", Bridge: "much-too-long-bridge"}, `network "app_x": bridge name`},
		{NetworkSpec{Name: "app_x", Bridge: "a/b"}, `'/'`},
		{NetworkSpec{Name: "app_x", IPv4: IPAMConfig{Subnet: pfx("10.5.3.0/24")}}, "overlaps 10.5.0.0/16"},
		{NetworkSpec{Name: "app_x", IPv4: IPAMConfig{Subnet: pfx("fd00::/64")}}, "wrong address family"},
		{NetworkSpec{Name: "app_x", EnableIPv6: true}, "IPv6 subnet"},
		{NetworkSpec{Name: "app_x", MTU: 20}, "mtu 20"},
	}
	for _, tt := range tests {
		_, err := newNetwork(tt.spec, taken)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("newNetwork(%+v) = %v, want %q", tt.spec, err, tt.wantErr)
		}
	}
}

func TestNewNetworkDefaults(t *testing.T) {
	t.Parallel()
	n, err := newNetwork(NetworkSpec{Name: "app_default"}, []netip.Prefix{pfx("172.17.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	if n.V4.Subnet != pfx("172.18.0.0/16") || n.V4.Gateway != addr("172.18.0.1") {
		t.Fatalf("subnet %s gateway %s", n.V4.Subnet, n.V4.Gateway)
	}
	if len(n.Bridge) != 15 || !strings.HasPrefix(n.Bridge, "br-") {
		t.Fatalf("bridge name %q", n.Bridge)
	}
	again, _ := newNetwork(NetworkSpec{Name: "app_default"}, nil)
	if again.Bridge != n.Bridge {
		t.Fatalf("bridge name not stable: %s, %s", n.Bridge, again.Bridge)
	}
}

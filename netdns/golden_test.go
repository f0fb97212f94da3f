package netdns

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestRenderHosts(t *testing.T) {
	t.Parallel()
	got, err := RenderHosts(HostsSpec{
		Hostname: "a1b2c3",
		Names:    []string{"app-web-1", "a1b2c3"},
		Addrs:    []netip.Addr{addr("172.18.0.2"), addr("fd00:7::2")},
		ExtraHosts: []ExtraHost{
			{Name: "somehost", Addr: "162.242.195.82"},
			{Name: "host.docker.internal", Addr: HostGateway},
		},
		Gateway: addr("172.18.0.1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "hosts.golden", got)
}

func TestRenderHostsErrors(t *testing.T) {
	t.Parallel()
	_, err := RenderHosts(HostsSpec{ExtraHosts: []ExtraHost{{Name: "h", Addr: HostGateway}}})
	if err == nil || !strings.Contains(err.Error(), "no network gateway") {
		t.Errorf("host-gateway without gateway: %v", err)
	}
	_, err = RenderHosts(HostsSpec{ExtraHosts: []ExtraHost{{Name: "h", Addr: "nope"}}})
	if err == nil || !strings.Contains(err.Error(), "not an IP address") {
		t.Errorf("bad extra host: %v", err)
	}
}

func TestRenderResolvConf(t *testing.T) {
	t.Parallel()
	golden(t, "resolv.conf.golden", RenderResolvConf(ResolvSpec{
		Nameserver: addr("172.18.0.1"),
		DNS:        []string{"9.9.9.9"},
		Search:     []string{"example.com", "corp.example.com"},
		Options:    []string{"ndots:2", "timeout:1"},
	}))
	golden(t, "resolv.conf.nonet.golden", RenderResolvConf(ResolvSpec{DNS: []string{"9.9.9.9", "1.1.1.1"}}))
}

func TestWriteFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := WriteFiles(dir, HostsSpec{Hostname: "web", Addrs: []netip.Addr{addr("10.0.0.2")}},
		ResolvSpec{Nameserver: addr("10.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"hostname": "web\n", "hosts": "10.0.0.2\tweb\n", "resolv.conf": "nameserver 10.0.0.1\n"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s = %q, %v; want it to contain %q", name, b, err, want)
		}
	}
}

func TestHostUpstreams(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "resolv.conf")
	conf := "# c\nsearch lan\nnameserver 127.0.0.53\nnameserver fd00::53\noptions edns0\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := HostUpstreams(path)
	if err != nil || strings.Join(got, " ") != "127.0.0.53:53 [fd00::53]:53" {
		t.Fatalf("HostUpstreams = %v, %v", got, err)
	}
	if _, err := DNSUpstreams([]string{"dns.example"}); err == nil {
		t.Fatal("DNSUpstreams accepted a name")
	}
}

func TestRenderRuleset(t *testing.T) {
	t.Parallel()
	s := newState()
	app, _ := newNetwork(NetworkSpec{Name: "app_default", EnableIPv6: true,
		IPv6: IPAMConfig{Subnet: pfx("fd00:7::/64")}}, nil)
	back, _ := newNetwork(NetworkSpec{Name: "app_back", Internal: true, Bridge: "berth-back",
		IPv4: IPAMConfig{Subnet: pfx("10.77.0.0/24")}}, nil)
	s.Networks[app.Spec.Name], s.Networks[back.Spec.Name] = app, back
	s.Ports["a"] = &Binding{Network: "app_default", ID: "c1", HostPort: 8080, Protocol: "tcp",
		Addr: addr("172.17.0.2"), ContainerPort: 80}
	s.Ports["b"] = &Binding{Network: "app_default", ID: "c1", HostIP: addr("127.0.0.1"), HostPort: 5353,
		Protocol: "udp", Addr: addr("172.17.0.2"), ContainerPort: 53}
	s.Ports["c"] = &Binding{Network: "app_default", ID: "c1", HostIP: addr("fd00:99::1"), HostPort: 8443,
		Protocol: "tcp", Addr: addr("fd00:7::2"), ContainerPort: 443}
	golden(t, "ruleset.golden", []byte(renderRuleset(s)))
	golden(t, "ruleset.empty.golden", []byte(renderRuleset(newState())))
}

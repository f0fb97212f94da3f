package netdns

import (
	"slices"
	"strings"
	"testing"
)

func TestPortSpecCheck(t *testing.T) {
	t.Parallel()
	bad := []struct {
		spec PortSpec
		want string
	}{
		{PortSpec{Service: "web", ContainerPort: 80, Protocol: "sctp"}, `service "web": protocol "sctp"`},
		{PortSpec{Service: "web", ContainerPort: 80, HostIP: addr("::1")}, "use 127.0.0.1"},
		{PortSpec{Service: "web"}, "no container port"},
		{PortSpec{Service: "web", ContainerPort: 80, HostPortStart: 9000, HostPortEnd: 8000}, "reversed"},
	}
	for _, tt := range bad {
		if _, err := tt.spec.check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("check(%+v) = %v, want %q", tt.spec, err, tt.want)
		}
	}
	s, err := PortSpec{ContainerPort: 80, HostIP: addr("0.0.0.0"), HostPortStart: 8000}.check()
	if err != nil || s.Protocol != "tcp" || s.HostIP.IsValid() || !slices.Equal(s.candidates(), []uint16{8000}) {
		t.Fatalf("defaults: %+v, %v", s, err)
	}
	s, _ = PortSpec{ContainerPort: 80, HostPortStart: 8000, HostPortEnd: 8002}.check()
	if !slices.Equal(s.candidates(), []uint16{8000, 8001, 8002}) {
		t.Fatalf("range candidates %v", s.candidates())
	}
	if s, _ = (PortSpec{ContainerPort: 80}).check(); !slices.Equal(s.candidates(), []uint16{0}) {
		t.Fatalf("random port candidates %v", s.candidates())
	}
}

func TestBindingKey(t *testing.T) {
	t.Parallel()
	b := Binding{Protocol: "udp", HostIP: addr("127.0.0.1"), HostPort: 53}
	if b.Key() != "udp/127.0.0.1:53" {
		t.Fatalf("key %q", b.Key())
	}
	if k := (Binding{Protocol: "tcp", HostPort: 80}).Key(); k != "tcp/:80" {
		t.Fatalf("key %q", k)
	}
}

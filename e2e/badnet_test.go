package e2e

import (
	"strings"
	"testing"
)

// TestBadNetworkInputFailsCleanly: each bad network setting fails up with
// one error naming the network or service, and leaves no container and no
// network behind.
func TestBadNetworkInputFailsCleanly(t *testing.T) {
	tests := []struct {
		name, compose string
		want          []string
	}{
		{"address outside the subnet", `name: badnet
services:
  app:
    image: REGISTRY/busybox:latest
    command: ["sleep", "1000"]
    networks:
      front:
        ipv4_address: 10.99.0.5
networks:
  front:
    ipam:
      config:
        - subnet: 172.30.5.0/24
`, []string{"app", "10.99.0.5"}},
		{"missing external network", `name: badnet
services:
  app:
    image: REGISTRY/busybox:latest
    command: ["sleep", "1000"]
    networks: [outside]
networks:
  outside:
    external: true
`, []string{"outside"}},
		{"malformed subnet", `name: badnet
services:
  app:
    image: REGISTRY/busybox:latest
    command: ["sleep", "1000"]
    networks: [front]
networks:
  front:
    ipam:
      config:
        - subnet: 172.30.5.0/33
`, []string{"front"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, tt.compose)
			up := s.berth("up", "-d")
			if up.exit == 0 {
				t.Fatal("up succeeded")
			}
			mustContain(t, up.stderr, tt.want...)
			if rows := s.containers(); len(rows) != 0 {
				t.Errorf("containers left: %v", rows)
			}
			if links := s.exec("ip", "-o", "link", "show"); strings.Count(links, "\n") != 1 {
				t.Errorf("interfaces left:\n%s", links)
			}
		})
	}
}

package netdns

import (
	"errors"
	"strings"
	"testing"
)

func TestNetworkConflicts(t *testing.T) {
	t.Parallel()
	n, err := newNetwork(NetworkSpec{Name: "app_default", IPv4: IPAMConfig{Subnet: pfx("10.3.0.0/24")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	same := NetworkSpec{Name: "app_default", Owner: "other", IPv4: IPAMConfig{Subnet: pfx("10.3.0.0/24")}}
	if err := n.conflicts(same); err != nil {
		t.Errorf("same configuration, other owner: %v", err)
	}
	if err := n.conflicts(NetworkSpec{Name: "app_default", External: true}); err != nil {
		t.Errorf("external reference: %v", err)
	}
	other := NetworkSpec{Name: "app_default", MTU: 1400, IPv4: IPAMConfig{Subnet: pfx("10.4.0.0/24")}}
	err = n.conflicts(other)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "driver_opts, ipam") {
		t.Errorf("other configuration: %v", err)
	}
}

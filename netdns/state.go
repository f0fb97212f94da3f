package netdns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
)

// state is everything netdns must remember across daemon restarts. It is
// small, so it is written whole, atomically, after every change.
type state struct {
	Networks  map[string]*Network  `json:"networks"`
	Endpoints map[string]*Endpoint `json:"endpoints"` // by endpointKey
	Ports     map[string]*Binding  `json:"ports"`     // by Binding.Key
	Names     []Record             `json:"names"`
}

func newState() *state {
	return &state{
		Networks:  map[string]*Network{},
		Endpoints: map[string]*Endpoint{},
		Ports:     map[string]*Binding{},
	}
}

const stateFile = "netdns.json"

func loadState(root string) (*state, error) {
	s := newState()
	b, err := os.ReadFile(filepath.Join(root, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read network state: %w", err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("decode network state %s: %w", filepath.Join(root, stateFile), err)
	}
	return s, nil
}

// save writes the state to a temporary file and renames it over the old
// one: rename(2) is atomic, so a crash leaves the old or the new state.
func (s *state) save(root string) error {
	b, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		return fmt.Errorf("encode network state: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("create state dir: %w", err)
	}
	tmp := filepath.Join(root, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write network state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(root, stateFile)); err != nil {
		return fmt.Errorf("write network state: %w", err)
	}
	return nil
}

// subnets returns the subnets every network of s holds.
func (s *state) subnets() []netip.Prefix {
	var out []netip.Prefix
	for _, n := range s.Networks {
		out = append(out, n.V4.Subnet)
		if n.V6 != nil {
			out = append(out, n.V6.Subnet)
		}
	}
	return out
}

// bridgeTaken reports whether another network already uses bridge name br.
func (s *state) bridgeTaken(br string) (string, bool) {
	for name, n := range s.Networks {
		if n.Bridge == br {
			return name, true
		}
	}
	return "", false
}

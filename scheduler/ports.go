package scheduler

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/netdns"
)

// portSpecs translates s's published ports for the container id, on its
// first network (where published traffic is sent, as Docker does).
func portSpecs(p *types.Project, s types.ServiceConfig, id string) ([]netdns.PortSpec, error) {
	if len(s.Ports) == 0 || sharesNetwork(s) || s.NetworkMode == "none" {
		return nil, nil
	}
	networks := s.NetworksByPriority()
	if len(networks) == 0 {
		return nil, nil
	}
	network := p.Networks[networks[0]].Name
	var specs []netdns.PortSpec
	for _, port := range s.Ports {
		spec := netdns.PortSpec{Service: s.Name, Network: network, ID: id, ContainerPort: uint16(port.Target), Protocol: port.Protocol}
		if port.HostIP != "" {
			addr, err := netip.ParseAddr(port.HostIP)
			if err != nil {
				return nil, fmt.Errorf("service %q: ports: host IP %q: %w", s.Name, port.HostIP, err)
			}
			spec.HostIP = addr
		}
		start, end, err := portRange(port.Published)
		if err != nil {
			return nil, fmt.Errorf("service %q: ports: %w", s.Name, err)
		}
		spec.HostPortStart, spec.HostPortEnd = start, end
		specs = append(specs, spec)
	}
	return specs, nil
}

// portRange reads a published port: "", "8080" or "8000-8010".
func portRange(published string) (uint16, uint16, error) {
	if published == "" {
		return 0, 0, nil
	}
	from, to, isRange := strings.Cut(published, "-")
	start, err := strconv.ParseUint(from, 10, 16)
	if err != nil {
		return 0, 0, fmt.Errorf("invalid published port %q", published)
	}
	end := start
	if isRange {
		if end, err = strconv.ParseUint(to, 10, 16); err != nil || end < start {
			return 0, 0, fmt.Errorf("invalid published port range %q", published)
		}
	}
	return uint16(start), uint16(end), nil
}

// publish makes the ports of container id answer on the host.
func (e *Engine) publish(ctx context.Context, id string, specs []netdns.PortSpec) error {
	var bindings []netdns.Binding
	for _, spec := range specs {
		b, err := e.net.Publish(ctx, spec)
		if err != nil {
			return err
		}
		bindings = append(bindings, b)
	}
	return e.saveBindings(id, bindings)
}

// checkPorts fails before anything is created when a port the plan will
// publish is taken on the host, naming the port and the service.
func (e *Engine) checkPorts(ctx context.Context, p *types.Project, plan *Plan) error {
	var specs []netdns.PortSpec
	for _, step := range plan.Steps {
		// A recreated container takes over the ports of the one it
		// replaces: only new containers can find a port taken.
		if step.Op.Kind != OpCreateContainer || step.Op.Reason != reasonNoContainer {
			continue
		}
		s := p.Services[step.Op.Service]
		ports, err := portSpecs(p, s, "")
		if err != nil {
			return err
		}
		specs = append(specs, ports...)
	}
	if len(specs) == 0 {
		return nil
	}
	return e.net.CheckPorts(ctx, specs)
}

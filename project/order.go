package project

import (
	"slices"

	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/types"
)

// Order returns the project's services so that each comes after every
// service it depends on; among services free to go in any order, names are
// sorted, so the order is the same on every run (Docker Compose's walks
// maps and varies). A dependency cycle is an error naming every service in
// it. Dependencies that are not in the project (required: false, or left
// out by a profile) are skipped.
func Order(p *types.Project) ([]string, error) {
	if err := graph.CheckCycle(p); err != nil {
		return nil, err
	}
	order := make([]string, 0, len(p.Services))
	seen := make(map[string]bool, len(p.Services))
	var visit func(name string)
	visit = func(name string) {
		s, ok := p.Services[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		deps := make([]string, 0, len(s.DependsOn))
		for dep := range s.DependsOn {
			deps = append(deps, dep)
		}
		slices.Sort(deps)
		for _, dep := range deps {
			visit(dep)
		}
		order = append(order, name)
	}
	for _, name := range p.ServiceNames() {
		visit(name)
	}
	return order, nil
}

package project

import (
	"context"
	"sync"

	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/types"
)

// Order returns the project's services so that each comes after every
// service it depends on (compose-go's graph decides; ties keep no particular
// order). A dependency cycle is an error naming every service in it.
func Order(ctx context.Context, p *types.Project) ([]string, error) {
	if err := graph.CheckCycle(p); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	order := make([]string, 0, len(p.Services))
	err := graph.InDependencyOrder(ctx, p, func(_ context.Context, name string, _ types.ServiceConfig) error {
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		return nil
	}, graph.WithMaxConcurrency(1))
	return order, err
}

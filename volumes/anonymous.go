package volumes

import (
	"context"
	"fmt"
	"maps"
)

// CreateAnonymous makes an anonymous volume for container at target: a
// random 64-hex name, Docker's com.docker.volume.anonymous label, no
// com.docker.compose.volume label. It is removed with its container by
// ReleaseContainer unless kept. labels (a service's volume.labels) are
// added to those.
func (s *Store) CreateAnonymous(ctx context.Context, project, container, target string, extra map[string]string) (Volume, error) {
	if err := validateContainerID(container); err != nil {
		return Volume{}, err
	}
	labels := maps.Clone(extra)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelAnonymous] = ""
	if project != "" {
		labels[LabelProject] = project
		labels[LabelVersion] = s.Version
	}
	return s.create(ctx, CreateOptions{Labels: labels}, container, target)
}

// Adopt hands the anonymous volume that container from owns at target to
// container to, as Docker Compose keeps a service's anonymous volumes across
// a recreate. found is false when from has none there.
func (s *Store) Adopt(ctx context.Context, from, to, target string) (v Volume, found bool, err error) {
	if err := validateContainerID(to); err != nil {
		return Volume{}, false, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return Volume{}, false, err
	}
	defer unlock()
	rec, found, err := s.anonymousAt(from, target)
	if !found || err != nil {
		return Volume{}, false, err
	}
	rec.Owner = to
	if err := writeRecord(s.path(rec.Name), rec); err != nil {
		return Volume{}, false, fmt.Errorf("adopt volume %q: %w", rec.Name, err)
	}
	return rec.Volume, true, nil
}

func (s *Store) anonymousAt(owner, target string) (record, bool, error) {
	if owner == "" {
		return record{}, false, nil
	}
	recs, err := s.records()
	if err != nil {
		return record{}, false, err
	}
	for _, rec := range recs {
		if rec.Owner == owner && rec.Target == target && rec.Anonymous() {
			return rec, true, nil
		}
	}
	return record{}, false, nil
}

package volumes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// Acquire records that container uses the volume called name, mounting
// the local driver's filesystem on the volume's mount point when this is
// its first user. The record is a file, so it survives restarts; acquiring
// twice is harmless.
func (s *Store) Acquire(ctx context.Context, name, container string) (Volume, error) {
	if err := validateContainerID(container); err != nil {
		return Volume{}, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return Volume{}, err
	}
	defer unlock()
	rec, err := s.load(name)
	if err != nil {
		return Volume{}, fmt.Errorf("use volume %q: %w", name, err)
	}
	if err := mountDriver(rec); err != nil {
		return Volume{}, fmt.Errorf("use volume %q: %w", name, err)
	}
	if err := os.WriteFile(s.path(name, "refs", container), nil, 0o600); err != nil {
		return Volume{}, fmt.Errorf("use volume %q: %w", name, errors.Join(err, s.unmountIfUnused(rec)))
	}
	return rec.Volume, nil
}

// release drops container's reference to one volume and unmounts the
// driver's filesystem when nobody uses it any more; the caller holds the
// lock.
func (s *Store) release(rec record, container string) error {
	err := os.Remove(s.path(rec.Name, "refs", container))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("release volume %q: %w", rec.Name, err)
	}
	return s.unmountIfUnused(rec)
}

func (s *Store) unmountIfUnused(rec record) error {
	users, err := s.users(rec.Name)
	if err != nil || len(users) > 0 {
		return err
	}
	if err := unmountDriver(rec); err != nil {
		return fmt.Errorf("release volume %q: %w", rec.Name, err)
	}
	return nil
}

// ReleaseVolume drops container's reference to the volume called name.
func (s *Store) ReleaseVolume(ctx context.Context, name, container string) error {
	if err := validateContainerID(container); err != nil {
		return err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := s.load(name)
	if err != nil {
		return fmt.Errorf("release volume %q: %w", name, err)
	}
	return s.release(rec, container)
}

// Users returns the IDs of the containers using the volume called name.
func (s *Store) Users(_ context.Context, name string) ([]string, error) {
	if _, err := s.load(name); err != nil {
		return nil, fmt.Errorf("volume %q: %w", name, err)
	}
	return s.users(name)
}

func (s *Store) users(name string) ([]string, error) {
	entries, err := os.ReadDir(s.path(name, "refs"))
	if err != nil {
		return nil, fmt.Errorf("volume %q users: %w", name, err)
	}
	users := make([]string, 0, len(entries))
	for _, e := range entries {
		users = append(users, e.Name())
	}
	slices.Sort(users)
	return users, nil
}

// ReleaseContainer drops every reference container holds, as the
// container is removed. Unless keepAnonymous, the anonymous volumes the
// container created and nobody else uses are removed with it, as `docker rm
// -v` does; named volumes always stay.
func (s *Store) ReleaseContainer(ctx context.Context, container string, keepAnonymous bool) error {
	if err := validateContainerID(container); err != nil {
		return err // also keeps a crafted id from naming a path outside refs/
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := s.records()
	if err != nil {
		return err
	}
	var errs []error
	for _, rec := range recs {
		errs = append(errs, s.release(rec, container))
		if !keepAnonymous && rec.Owner == container && rec.Anonymous() {
			errs = append(errs, ignoreInUse(s.removeLocked(rec.Name, func(record) bool { return true })))
		}
	}
	return errors.Join(errs...)
}

// ignoreInUse: an anonymous volume another container still uses (through
// volumes_from) stays, as with Docker.
func ignoreInUse(err error) error {
	if errors.Is(err, ErrInUse) {
		return nil
	}
	return err
}

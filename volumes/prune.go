package volumes

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
)

// PruneReport is what Prune removed and the bytes that freed.
type PruneReport struct {
	Removed   []string
	Reclaimed int64
}

// Prune removes the volumes no container uses, as `docker volume prune`:
// only anonymous ones unless all, and only those match accepts (nil
// accepts every volume).
func (s *Store) Prune(ctx context.Context, all bool, match func(Volume) bool) (PruneReport, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return PruneReport{}, err
	}
	defer unlock()
	recs, err := s.records()
	if err != nil {
		return PruneReport{}, err
	}
	var report PruneReport
	var errs []error
	for _, rec := range recs {
		if users, err := s.users(rec.Name); err != nil || len(users) > 0 {
			errs = append(errs, err)
			continue
		}
		if (!all && !rec.Anonymous()) || (match != nil && !match(rec.Volume)) {
			continue
		}
		size := diskUsage(rec.Mountpoint)
		if err := s.removeLocked(rec.Name, func(record) bool { return true }); err != nil {
			errs = append(errs, err)
			continue
		}
		report.Removed = append(report.Removed, rec.Name)
		report.Reclaimed += size
	}
	return report, errors.Join(errs...)
}

// diskUsage sums the sizes of the regular files under dir; an unreadable
// part counts as nothing (it is a report, not an accounting).
func diskUsage(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			total += info.Size()
		}
		return nil
	})
	return total
}

package volumes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lockPoll is how often a waiting caller retries the store lock.
const lockPoll = 5 * time.Millisecond

// lock takes the store's exclusive lock, shared by every berth process on
// the host (the daemon and CLI verbs such as `volume rm`), and returns its
// release. flock(2) locks belong to the open file description, so two
// goroutines of one process exclude each other too. It polls with LOCK_NB so
// that ctx can cancel the wait.
func (s *Store) lock(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(s.path(".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open volume store lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil // closing drops the lock
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("lock volume store: %w", err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("lock volume store: %w", ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

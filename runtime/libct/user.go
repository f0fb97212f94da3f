package libct

import (
	"fmt"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
)

// resolveUser turns an exec user ("uid[:gid]", "name[:group]", or "" for
// the container's own) into ids, reading the container's /etc/passwd and
// /etc/group. The paths are resolved inside the rootfs, so a symlink in the
// image cannot point at the host's files.
func resolveUser(dir string, rec *record, spec string) (*user.ExecUser, error) {
	defaults := &user.ExecUser{Uid: int(rec.UID), Gid: int(rec.GID), Home: "/"}
	if spec == "" {
		return defaults, nil
	}
	rootfs := filepath.Join(dir, rootfsDir)
	passwd, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", spec, err)
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", spec, err)
	}
	u, err := user.GetExecUserPath(spec, defaults, passwd, group)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", spec, err)
	}
	return u, nil
}

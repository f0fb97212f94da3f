package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Errors for names that the image's passwd or group file does not list;
// the errors that wrap them also wrap ErrInvalid.
var (
	ErrNoPasswdEntry = errors.New("no matching entries in passwd file")
	ErrNoGroupEntry  = errors.New("no matching entries in group file")
)

// maxID bounds uids and gids as Docker does (moby/sys/user): larger ones
// are refused even though the kernel's are 32 bits wide.
const maxID = 1<<31 - 1

// user sets the process's uid, gid and groups from the service's user
// (else the image's), resolved in the image's /etc/passwd and /etc/group
// as Docker resolves it, adds group_add, and sets HOME from passwd when the
// environment has none.
func (t *translation) user() error {
	spec := t.svc.User
	if spec == "" {
		spec = t.img.User
	}
	users, err := t.passwd()
	if err != nil {
		return err
	}
	groups, err := t.groups()
	if err != nil {
		return err
	}
	u, err := resolveUser(spec, users, groups)
	if err != nil {
		return t.invalid("user", "%w", err)
	}
	extra, err := resolveGroupAdd(t.svc.GroupAdd, groups)
	if err != nil {
		return t.invalid("group_add", "%w", err)
	}
	p := &t.cfg.Process
	p.UID, p.GID = u.uid, u.gid
	// Docker lists the primary group among the supplementary ones too.
	p.AdditionalGIDs = dedupe(slices.Concat([]uint32{u.gid}, u.sgids, extra))
	if !slices.ContainsFunc(p.Env, func(e string) bool { return envKey(e) == "HOME" }) {
		p.Env = append(p.Env, "HOME="+u.home)
	}
	return nil
}

// execUser is a user spec resolved to ids.
type execUser struct {
	uid, gid uint32
	sgids    []uint32
	home     string
}

// resolveUser resolves "user[:group]" (names or numbers) as Docker does
// (moby/sys/user GetExecUser): a name must be listed; a number need not be.
// The user's primary group and home come from its passwd entry when it
// has one (else gid 0 and "/"). Without an explicit group, the user also
// gets every group that lists it as a member. An empty user is uid 0.
func resolveUser(spec string, users []passwdEntry, groups []groupEntry) (execUser, error) {
	userArg, groupArg, _ := strings.Cut(spec, ":")
	u := execUser{home: "/"}
	entry, found := findUser(userArg, users)
	switch {
	case found:
		u.uid, u.gid, u.home = entry.uid, entry.gid, entry.home
	case userArg == "":
	default:
		id, err := parseID(userArg)
		if errors.Is(err, strconv.ErrSyntax) {
			return u, fmt.Errorf("unable to find user %s: %w", userArg, ErrNoPasswdEntry)
		}
		if err != nil {
			return u, err
		}
		u.uid = id
	}
	if groupArg != "" {
		gid, err := resolveGroup(groupArg, groups)
		u.gid = gid
		return u, err
	}
	if found {
		u.sgids = memberOf(entry.name, groups)
	}
	return u, nil
}

// findUser finds the first passwd entry for a uid (numbers are always uids)
// or a name; "" finds uid 0.
func findUser(arg string, users []passwdEntry) (passwdEntry, bool) {
	id, err := parseID(arg)
	i := slices.IndexFunc(users, func(u passwdEntry) bool {
		switch {
		case arg == "":
			return u.uid == 0
		case err == nil:
			return u.uid == id
		default:
			return u.name == arg
		}
	})
	if i < 0 {
		return passwdEntry{}, false
	}
	return users[i], true
}

// resolveGroup resolves a group name or gid: a name must be listed; a
// number need not be.
func resolveGroup(arg string, groups []groupEntry) (uint32, error) {
	id, err := parseID(arg)
	for _, g := range groups {
		if (err == nil && g.gid == id) || (err != nil && g.name == arg) {
			return g.gid, nil
		}
	}
	if errors.Is(err, strconv.ErrSyntax) {
		return 0, fmt.Errorf("unable to find group %s: %w", arg, ErrNoGroupEntry)
	}
	return id, err
}

// resolveGroupAdd resolves group_add entries, names or numbers, as Docker
// does (moby/sys/user GetAdditionalGroups): a listed group matches by name
// or by gid; an unlisted number is taken as is.
func resolveGroupAdd(names []string, groups []groupEntry) ([]uint32, error) {
	var gids []uint32
	for _, name := range names {
		i := slices.IndexFunc(groups, func(g groupEntry) bool {
			return g.name == name || strconv.FormatUint(uint64(g.gid), 10) == name
		})
		if i >= 0 {
			gids = append(gids, groups[i].gid)
			continue
		}
		id, err := parseID(name)
		if errors.Is(err, strconv.ErrSyntax) {
			return nil, fmt.Errorf("unable to find group %s: %w", name, ErrNoGroupEntry)
		}
		if err != nil {
			return nil, err
		}
		gids = append(gids, id)
	}
	return gids, nil
}

// memberOf lists the gids of the groups that name user as a member.
func memberOf(user string, groups []groupEntry) []uint32 {
	var gids []uint32
	for _, g := range groups {
		if slices.Contains(g.members, user) {
			gids = append(gids, g.gid)
		}
	}
	return gids
}

// parseID parses a uid or gid; an error wrapping strconv.ErrSyntax means
// the argument is a name, not a number.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("uids and gids must be in range 0-%d: %s", maxID, s)
		}
		return 0, err
	}
	if n < 0 || n > maxID {
		return 0, fmt.Errorf("uids and gids must be in range 0-%d: %s", maxID, s)
	}
	return uint32(n), nil
}

// dedupe drops repeated ids, keeping the first of each.
func dedupe(ids []uint32) []uint32 {
	var out []uint32
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// passwd reads the image's /etc/passwd; an image without one has no users
// (numeric uids still work, as in Docker).
func (t *translation) passwd() ([]passwdEntry, error) {
	data, err := t.imageFile("/etc/passwd")
	return parsePasswd(data), err
}

// groups reads the image's /etc/group, empty when the image has none.
func (t *translation) groups() ([]groupEntry, error) {
	data, err := t.imageFile("/etc/group")
	return parseGroup(data), err
}

// imageFile reads a file of the image, nil when the image has none.
func (t *translation) imageFile(name string) ([]byte, error) {
	data, err := t.opts.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service %q: read %s of image %q: %w", t.svc.Name, name, t.img.Ref, err)
	}
	return data, nil
}

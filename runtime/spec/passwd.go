package spec

import (
	"strconv"
	"strings"
)

// passwdEntry is one line of passwd(5):
// name:password:uid:gid:gecos:home:shell.
type passwdEntry struct {
	name     string
	uid, gid uint32
	home     string
}

// groupEntry is one line of group(5): name:password:gid:member,member.
type groupEntry struct {
	name    string
	gid     uint32
	members []string
}

// parsePasswd parses a passwd file, skipping lines that are blank,
// comments, or too malformed to carry a name and numeric ids.
func parsePasswd(data []byte) []passwdEntry {
	var users []passwdEntry
	for _, f := range fileLines(data, 7) {
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		users = append(users, passwdEntry{name: f[0], uid: uint32(uid), gid: uint32(gid), home: f[5]})
	}
	return users
}

// parseGroup parses a group file like parsePasswd.
func parseGroup(data []byte) []groupEntry {
	var groups []groupEntry
	for _, f := range fileLines(data, 4) {
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		groups = append(groups, groupEntry{name: f[0], gid: uint32(gid), members: members})
	}
	return groups
}

// fileLines splits the lines of a colon-separated file into their fields,
// padding short lines to n fields and skipping blank and comment lines.
func fileLines(data []byte, n int) [][]string {
	var lines [][]string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, ":", n)
		for len(f) < n {
			f = append(f, "")
		}
		lines = append(lines, f)
	}
	return lines
}

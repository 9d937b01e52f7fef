// Package passwd looks up users and groups in an image's own /etc/passwd and
// /etc/group. saturn parses these files itself, with size limits, rather
// than calling the C library's nss: nss would load modules named by the
// image, and the image is attacker-controlled.
package passwd

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Limits on what is read: a hostile image can make these files huge or
// make one line endless; past the limits the lookup fails, it never hangs.
const (
	MaxFileSize = 4 << 20
	MaxLineSize = 64 << 10
)

// User is one /etc/passwd entry.
type User struct {
	Name string
	UID  int
	GID  int
	Home string
}

// Group is one /etc/group entry.
type Group struct {
	Name    string
	GID     int
	Members []string
}

// eachLine calls fn with the colon-separated fields of each non-comment line,
// until fn returns true.
func eachLine(r io.Reader, fn func(fields []string) bool) error {
	lr := &io.LimitedReader{R: r, N: MaxFileSize + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 4096), MaxLineSize)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if fn(strings.Split(line, ":")) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read: %w: %w", err, errdefs.ErrInvalid)
	}
	if lr.N <= 0 {
		return fmt.Errorf("file larger than %d bytes: %w", MaxFileSize, errdefs.ErrInvalid)
	}
	return nil
}

// parseID reads a uid or gid field; negative or out-of-range ids are invalid.
func parseID(s string) (int, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// LookupUser finds the user named name in a passwd file.
func LookupUser(r io.Reader, name string) (User, error) {
	var u User
	found := false
	err := eachLine(r, func(f []string) bool {
		if len(f) < 7 || f[0] != name {
			return false
		}
		uid, ok1 := parseID(f[2])
		gid, ok2 := parseID(f[3])
		if !ok1 || !ok2 {
			return false
		}
		u, found = User{Name: f[0], UID: uid, GID: gid, Home: f[5]}, true
		return true
	})
	if err != nil {
		return User{}, err
	}
	if !found {
		return User{}, fmt.Errorf("user %q: %w", name, errdefs.ErrNotFound)
	}
	return u, nil
}

// LookupGroup finds the group named name in a group file.
func LookupGroup(r io.Reader, name string) (Group, error) {
	var g Group
	found := false
	err := eachLine(r, func(f []string) bool {
		if len(f) < 4 || f[0] != name {
			return false
		}
		gid, ok := parseID(f[2])
		if !ok {
			return false
		}
		g, found = Group{Name: f[0], GID: gid, Members: splitMembers(f[3])}, true
		return true
	})
	if err != nil {
		return Group{}, err
	}
	if !found {
		return Group{}, fmt.Errorf("group %q: %w", name, errdefs.ErrNotFound)
	}
	return g, nil
}

func splitMembers(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

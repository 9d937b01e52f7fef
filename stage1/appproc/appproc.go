// Package appproc turns an app into the process to exec: argv,
// environment, working directory and credentials. It runs on a thread whose
// root is already the app's root (see package nsthread), so every file it
// reads (/etc/passwd, /etc/group, the user's path, the working directory)
// is the image's own and nothing resolves outside it.
package appproc

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/passwd"
)

// DefaultPath is the appc default PATH.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// App is what of an appc app makes its process (package appcspec reads it
// out of the pod manifest).
type App struct {
	Exec              []string
	User              string
	Group             string
	SupplementaryGIDs []int
	WorkingDirectory  string
	// Environment is the app's own variables, NAME=value, in order.
	Environment []string
}

// Proc is what to exec for an app.
type Proc struct {
	Argv []string
	Env  []string
	Dir  string
	Cred syscall.Credential
}

// Resolve computes the app's process. name is the app's name in the pod.
func Resolve(app *App, name string) (*Proc, error) {
	p := &Proc{Argv: app.Exec, Env: Env(app, name), Dir: app.WorkingDirectory}
	if p.Dir == "" {
		p.Dir = "/"
	}
	if len(p.Argv) == 0 || !path.IsAbs(p.Argv[0]) {
		return nil, fmt.Errorf("exec %q must be an absolute path: %w", p.Argv, errdefs.ErrInvalid)
	}
	if st, err := os.Stat(p.Dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("working directory %s is not a directory in the image: %w", p.Dir, errdefs.ErrNotFound)
	}
	var err error
	if p.Cred, err = Credential(app.User, app.Group, app.SupplementaryGIDs); err != nil {
		return nil, err
	}
	return p, nil
}

// Env is the app's environment: its own variables, then the defaults appc
// and saturn promise where the app sets none.
func Env(app *App, name string) []string {
	env := make([]string, 0, len(app.Environment)+3)
	has := map[string]bool{}
	for _, v := range app.Environment {
		env = append(env, v)
		k, _, _ := strings.Cut(v, "=")
		has[k] = true
	}
	for _, d := range [][2]string{{"PATH", DefaultPath}, {"AC_APP_NAME", name}, {"container", "saturn"}} {
		if !has[d[0]] {
			env = append(env, d[0]+"="+d[1])
		}
	}
	return env
}

// Credential resolves user and group, each a number, a name in the image's
// /etc/passwd or /etc/group, or an absolute path whose owner is taken.
func Credential(user, group string, supp []int) (syscall.Credential, error) {
	var c syscall.Credential
	uid, err := lookup(user, true)
	if err != nil {
		return c, err
	}
	gid, err := lookup(group, false)
	if err != nil {
		return c, err
	}
	c.Uid, c.Gid = uint32(uid), uint32(gid)
	c.Groups = make([]uint32, 0, len(supp))
	for _, g := range supp {
		if g < 0 || g > 0xfffffffe {
			return c, fmt.Errorf("supplementary gid %d: %w", g, errdefs.ErrInvalid)
		}
		c.Groups = append(c.Groups, uint32(g))
	}
	return c, nil
}

func lookup(s string, isUser bool) (int, error) {
	kind := "group"
	if isUser {
		kind = "user"
	}
	switch {
	case s == "":
		return 0, fmt.Errorf("no %s given: %w", kind, errdefs.ErrInvalid)
	case s[0] >= '0' && s[0] <= '9':
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n == 0xffffffff {
			return 0, fmt.Errorf("%s %q: %w", kind, s, errdefs.ErrInvalid)
		}
		return int(n), nil
	case strings.HasPrefix(s, "/"):
		var st unix.Stat_t
		if err := unix.Stat(s, &st); err != nil {
			return 0, fmt.Errorf("%s from path %s: %w: %w", kind, s, err, errdefs.ErrNotFound)
		}
		if isUser {
			return int(st.Uid), nil
		}
		return int(st.Gid), nil
	}
	file := "/etc/group"
	if isUser {
		file = "/etc/passwd"
	}
	f, err := os.Open(file)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w: %w", kind, s, err, errdefs.ErrNotFound)
	}
	defer f.Close()
	if isUser {
		u, err := passwd.LookupUser(f, s)
		return u.UID, err
	}
	g, err := passwd.LookupGroup(f, s)
	return g.GID, err
}

package isolation

import (
	"reflect"
	"runtime"
	"syscall"

	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// Forkable says whether c can be applied by ConfineThread and Credential
// to a process forked from a confined thread, instead of by Apply in the
// process itself.
//
// What the child inherits from the forking thread is per thread: the
// bounding and ambient sets, the capability sets, no_new_privs and the
// seccomp filter. Rlimits and oom_score_adj belong to the whole process,
// so a Config with either needs Apply. So does any filter but the
// default: the forking thread keeps running Go code (and the child runs
// the fork's own setup calls) under the filter, and only the default
// blocklist is known to leave all of that alone.
func (c Config) Forkable() bool {
	if len(c.Rlimits) > 0 || c.OOMScoreAdj != nil {
		return false
	}
	return c.Seccomp == nil || reflect.DeepEqual(*c.Seccomp, seccomp.Default())
}

// ConfineThread confines the calling thread for a child forked from it
// (syscall.ForkExec with Credential): the bounding and ambient sets, no
// inheritable capabilities, no_new_privs and the seccomp filter, in the
// order Apply uses. The child then sets the groups, gid and uid, and its
// exec recomputes the capability sets from the bounding set, as with
// Apply. It locks the goroutine to its thread for good: the thread is
// spent, and the runtime discards it when the goroutine ends. The caller
// checked Forkable.
func (c Config) ConfineThread() error {
	runtime.LockOSThread()
	prog, err := c.filter()
	if err != nil {
		return err
	}
	effective, permitted, err := c.dropBounding()
	if err != nil {
		return err
	}
	if err := caps.SetThread(effective, permitted, 0); err != nil {
		return err
	}
	if err := c.setNoNewPrivs(); err != nil {
		return err
	}
	// The thread is still root with CAP_SYS_ADMIN: the filter loads with
	// or without no_new_privs.
	return seccomp.Load(prog)
}

// Credential is what the forked child sets before it execs.
func (c Config) Credential() *syscall.Credential {
	return &syscall.Credential{Uid: c.UID, Gid: c.GID, Groups: c.Groups}
}

// Package envfd passes a file from stage1 init to the pod init: the file
// becomes one of the child's extra fds, and an environment variable names
// its number. The pod init finds its pipes and sockets this way, not by
// fixed numbers that the next extra file would shift.
package envfd

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Pass gives cmd (not started yet) f, appended to its ExtraFiles, and
// names its fd number in cmd's environment as env. The caller closes its
// copy of f once cmd has started.
func Pass(cmd *exec.Cmd, env string, f *os.File) {
	cmd.ExtraFiles = append(cmd.ExtraFiles, f)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, env+"="+strconv.Itoa(2+len(cmd.ExtraFiles)))
}

// Take returns the fd that env names, in the child, and takes env out of
// the environment; ok is false when env is not set.
func Take(env string) (fd int, ok bool, err error) {
	v, ok := os.LookupEnv(env)
	if !ok {
		return -1, false, nil
	}
	os.Unsetenv(env)
	fd, err = strconv.Atoi(v)
	if err != nil || fd < 3 {
		return -1, true, fmt.Errorf("%s=%q: %w", env, v, errdefs.ErrInvalid)
	}
	return fd, true, nil
}

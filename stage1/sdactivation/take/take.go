// Package take takes the sockets of systemd socket activation out of
// stage1 init's environment (go-systemd's activation.Files), for package
// sdactivation to carry to the apps. It stands apart so that the pod
// init, which only carries them, links neither go-systemd's activation
// nor the TLS code that package brings: a smaller binary starts sooner.
package take

import (
	"fmt"
	"os"
	"strconv"

	"github.com/coreos/go-systemd/v22/activation"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/sdactivation"
)

// maxListen is the most sockets taken; more is an error.
const maxListen = 128

// Sockets returns the sockets passed to this process, if LISTEN_PID is its
// PID, and takes the protocol's variables out of the environment
// (go-systemd's activation.Files). The sockets are made close-on-exec:
// they reach a child only when passed on.
func Sockets() ([]sdactivation.Socket, error) {
	if v := os.Getenv(sdactivation.EnvFDs); v != "" && os.Getenv(sdactivation.EnvPID) == strconv.Itoa(os.Getpid()) {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > maxListen {
			os.Unsetenv(sdactivation.EnvPID)
			os.Unsetenv(sdactivation.EnvFDs)
			os.Unsetenv(sdactivation.EnvNames)
			return nil, fmt.Errorf("%s=%q: %w", sdactivation.EnvFDs, v, errdefs.ErrInvalid)
		}
	}
	var out []sdactivation.Socket
	for _, f := range activation.Files(true) {
		out = append(out, sdactivation.Socket{Name: f.Name(), File: f})
	}
	return out, nil
}

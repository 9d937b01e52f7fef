package podspec

import (
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/envfd"
)

// EnvFd names the environment variable that tells the pod init which fd
// it reads its Pod from.
const EnvFd = "SATURN_POD_SPEC_FD"

// maxSize bounds what Receive reads: a pod of hundreds of apps is far
// below it.
const maxSize = 16 << 20

// Attach gives cmd (the pod init, not yet started) r, the read end of the
// pipe that Send writes to. The caller closes its copy once cmd started.
func Attach(cmd *exec.Cmd, r *os.File) { envfd.Pass(cmd, EnvFd, r) }

// Send writes p to w, the write end of the pipe, and closes it.
func Send(w io.WriteCloser, p *Pod) error {
	_, err := w.Write(p.encode())
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("send the pod spec to the pod init: %w", err)
	}
	return nil
}

// Receive reads and checks the Pod that stage1 init sends, from the fd
// that EnvFd names; it closes that fd.
func Receive() (*Pod, error) {
	fd, ok, err := envfd.Take(EnvFd)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s not set by stage1 init: %w", EnvFd, errdefs.ErrInvalid)
	}
	return Read(os.NewFile(uintptr(fd), "pod spec"))
}

// Read reads a Pod from r up to its end, checks it, and closes r.
func Read(r io.ReadCloser) (*Pod, error) {
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the pod spec: %w", err)
	}
	if len(b) > maxSize {
		return nil, fmt.Errorf("pod spec over %d bytes: %w", maxSize, errdefs.ErrInvalid)
	}
	p, err := decode(b)
	if err != nil {
		return nil, err
	}
	return p, p.Validate()
}

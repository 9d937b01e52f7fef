package podinit

import (
	"sync"

	"github.com/saturnpod/saturn/stage1/notify"
	"github.com/saturnpod/saturn/stage1/podspec"
)

// appIO is what an app's main process gets besides its root: the copies
// of its output, its notify socket, and how it starts.
type appIO struct {
	// closeW closes the pod init's copies of the output pipes' write
	// ends, once the app (or its helper) has its own.
	closeW func()
	nl     *notify.Listener // nil: the app gets none
	st     *starter
}

func (p *pod) newAppIO(app *podspec.App) (*appIO, error) {
	stdio, closeW, err := p.appOutput(app.Name)
	if err != nil {
		return nil, err
	}
	io := &appIO{closeW: sync.OnceFunc(closeW)}
	if io.nl, err = p.notifyListen(app); err == nil {
		io.st, err = p.newStarter(app.Name, stdio, app.Isolation)
	}
	if err != nil {
		io.close()
		return nil, err
	}
	return io, nil
}

// close closes the write ends and the notify socket.
func (io *appIO) close() {
	io.closeW()
	if io.nl != nil {
		io.nl.Close()
	}
}

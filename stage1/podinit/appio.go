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
	aio := &appIO{closeW: sync.OnceFunc(closeW)}
	if aio.nl, err = p.notifyListen(app); err == nil {
		aio.st, err = p.newStarter(app.Name, stdio, app.Isolation)
	}
	if err != nil {
		aio.close()
		return nil, err
	}
	return aio, nil
}

// close closes the write ends and the notify socket.
func (a *appIO) close() {
	a.closeW()
	if a.nl != nil {
		a.nl.Close()
	}
}

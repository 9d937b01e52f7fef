package podinit

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/notify"
	"github.com/saturnpod/saturn/stage1/podspec"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/sdactivation"
)

// What the pod init does for systemd (Documentation/systemd.md): the apps'
// logs (package applog), their notify sockets (package notify) and the
// sockets of socket activation (package sdactivation).

// appOutput is an app's stdio: stdin as appStdio says, stdout and stderr
// through its log unless they are a terminal. closeW closes the pod init's
// copies of the pipes' write ends, once the exec helper has them.
func (p *pod) appOutput(name string) (stdio [3]uintptr, closeW func(), err error) {
	stdio = p.appStdio()
	out, closeW, err := p.logs.Start(name)
	if err != nil {
		return stdio, nil, fmt.Errorf("app log: %w", err)
	}
	stdio[1], stdio[2] = out[0], out[1]
	return stdio, closeW, nil
}

// appSockets are the socket-activation sockets for an app's main process.
func (p *pod) appSockets(name string, main bool) []sdactivation.Socket {
	if !main || len(p.sockets) == 0 {
		return nil
	}
	for _, app := range p.spec.Apps {
		if app.Name == name {
			return sdactivation.ForApp(p.sockets, app.SocketPorts)
		}
	}
	return nil
}

// takeSockets takes the sockets stage1 init passed and warns about those
// no app declares.
func (p *pod) takeSockets() error {
	socks, err := sdactivation.Inherited()
	if err != nil {
		return err
	}
	p.sockets = socks
	var ports [][]string
	for _, app := range p.spec.Apps {
		ports = append(ports, app.SocketPorts)
	}
	for _, name := range sdactivation.Unclaimed(socks, ports) {
		fmt.Fprintf(os.Stderr, "saturn: no app declares a socket-activated port for socket %q\n", name)
	}
	return nil
}

// notifyDir is the host side of an app's notify socket dir.
func notifyDir(name string) string { return filepath.Join(podstate.AppDir(name), "notify") }

// notifyListen binds the app's notify socket, if it gets one (nil if not).
func (p *pod) notifyListen(app *podspec.App) (*notify.Listener, error) {
	if !app.Notify {
		return nil, nil
	}
	return notify.Listen(notifyDir(app.Name))
}

// notifyMount adds the app's notify socket dir to its mounts. It makes the
// dir, which the root's build binds, maybe before notifyListen binds the
// socket in it.
func (p *pod) notifyMount(app *podspec.App, mounts []approot.Mount) ([]approot.Mount, error) {
	if !app.Notify {
		return mounts, nil
	}
	if err := os.MkdirAll(notifyDir(app.Name), 0o755); err != nil {
		return nil, err
	}
	return append(slices.Clip(mounts), approot.Mount{Source: filepath.Join(p.dir, notifyDir(app.Name)), Target: notify.AppDir}), nil
}

// notifySpec is spec with NOTIFY_SOCKET for an app that has a socket.
func notifySpec(spec *appexec.Spec, nl *notify.Listener) *appexec.Spec {
	if nl == nil {
		return spec
	}
	s := *spec
	s.Env = append(append([]string(nil), spec.Env...), notify.EnvSocket+"="+notify.AppSocket)
	return &s
}

// whenReady calls started once the app is up: at once, or when an app
// with a notify socket says READY=1. An app that ends first is counted
// as started by runApp.
func whenReady(nl *notify.Listener, started func()) {
	if nl == nil {
		started()
		return
	}
	go func() {
		select {
		case <-nl.Ready():
			started()
		case <-nl.Done():
		}
	}()
}

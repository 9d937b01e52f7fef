// Package podspec is the pod as the pod init runs it: for each app, its
// process, isolation, resource limits, volume mounts, event handlers,
// socket-activated ports and notify socket; the pod's empty volumes; and
// its cgroup.
//
// Stage1 init resolves it from the appc pod manifest (package appcspec,
// which says what this saves) and sends it to the pod init on a pipe, so
// the pod init links no appc code.
package podspec

import (
	"fmt"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
)

// Pod is the whole pod.
type Pod struct {
	Apps         []App
	EmptyVolumes []approot.EmptyVolume
	// Cgroup is the pod's cgroup, which stage1 init makes: it exists once
	// stage1 init says podctl.Start.
	Cgroup *cgroups.Pod
}

// App is one app of the pod.
type App struct {
	Name string
	Proc appproc.App
	// Isolation is the app's confinement but for its user and groups,
	// which the pod init resolves in the app's root (appproc.Resolve).
	Isolation isolation.Config
	Limits    cgroups.Limits
	Mounts    []approot.Mount
	// ReadOnlyRoot: --readonly-rootfs.
	ReadOnlyRoot bool
	Handlers     []Handler
	// SocketPorts names the app's ports that take socket-activated
	// sockets (package sdactivation).
	SocketPorts []string
	// Notify: the app speaks sd_notify and gets a notify socket (package
	// notify).
	Notify bool
}

// Handler is one of an app's event handlers, in the order the app lists
// them.
type Handler struct {
	Event string // pre-start or post-stop
	Exec  []string
}

// Validate checks what the pod init relies on: at least one app, each
// with a name fit for a file name in the pod dir and a command.
func (p *Pod) Validate() error {
	if len(p.Apps) == 0 {
		return fmt.Errorf("pod has no apps: %w", errdefs.ErrInvalid)
	}
	for _, a := range p.Apps {
		if a.Name == "" || a.Name == "." || a.Name == ".." || strings.ContainsAny(a.Name, "/\x00") {
			return fmt.Errorf("app name %q: %w", a.Name, errdefs.ErrInvalid)
		}
		if len(a.Proc.Exec) == 0 {
			return fmt.Errorf("app %s has no exec: %w", a.Name, errdefs.ErrInvalid)
		}
	}
	return nil
}

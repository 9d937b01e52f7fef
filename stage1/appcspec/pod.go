package appcspec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/notify"
	"github.com/saturnpod/saturn/stage1/podspec"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// Pod resolves the pod manifest in the pod dir (the working directory)
// into the pod init's podspec.Pod. insecure carries --insecure-options'
// say on capabilities and seccomp.
func Pod(insecure isolation.Insecure) (*podspec.Pod, error) {
	pm, err := ReadManifest()
	if err != nil {
		return nil, err
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	vols, err := EmptyVolumes(pm)
	if err != nil {
		return nil, err
	}
	pod := &podspec.Pod{EmptyVolumes: vols}
	for i := range pm.Apps {
		ra := &pm.Apps[i]
		app, err := resolveApp(pm, ra, dir, insecure)
		if err != nil {
			return nil, fmt.Errorf("app %s: %w", ra.Name, err)
		}
		pod.Apps = append(pod.Apps, app)
	}
	return pod, pod.Validate()
}

func resolveApp(pm *schema.PodManifest, ra *schema.RuntimeApp, dir string, insecure isolation.Insecure) (podspec.App, error) {
	name := ra.Name.String()
	app := podspec.App{Name: name, Proc: *Proc(ra.App), ReadOnlyRoot: ra.ReadOnlyRootFS, Notify: notifies(ra)}
	var err error
	if app.Isolation, err = Isolation(ra.App.Isolators, insecure); err != nil {
		return app, err
	}
	if app.Limits, err = Limits(ra.App.Isolators); err != nil {
		return app, err
	}
	emptyDir := func(vol string) string { return filepath.Join(dir, podstate.VolumeDir(vol)) }
	if app.Mounts, err = Mounts(pm, ra, emptyDir); err != nil {
		return app, err
	}
	for _, h := range ra.App.EventHandlers {
		if len(h.Exec) > 0 {
			app.Handlers = append(app.Handlers, podspec.Handler{Event: h.Name, Exec: h.Exec})
		}
	}
	for _, p := range ra.App.Ports {
		if p.SocketActivated {
			app.SocketPorts = append(app.SocketPorts, p.Name.String())
		}
	}
	return app, nil
}

// Proc is what of an appc app makes its process.
func Proc(app *types.App) *appproc.App {
	p := &appproc.App{
		Exec:              app.Exec,
		User:              app.User,
		Group:             app.Group,
		SupplementaryGIDs: app.SupplementaryGIDs,
		WorkingDirectory:  app.WorkingDirectory,
	}
	for _, v := range app.Environment {
		p.Environment = append(p.Environment, v.Name+"="+v.Value)
	}
	return p
}

// notifies tells whether the app gets a notify socket: its image says so
// with notify.Annotation=true, unless the pod manifest's annotations of
// the app say otherwise.
func notifies(ra *schema.RuntimeApp) bool {
	var im schema.ImageManifest
	b, err := os.ReadFile(filepath.Join("appsinfo", ra.Name.String(), "manifest"))
	if err != nil || json.Unmarshal(b, &im) != nil {
		return notifySupported(nil, ra.Annotations)
	}
	return notifySupported(im.Annotations, ra.Annotations)
}

func notifySupported(image, app types.Annotations) bool {
	if v, ok := app.Get(notify.Annotation); ok {
		return v == "true"
	}
	v, ok := image.Get(notify.Annotation)
	return ok && v == "true"
}

package stage0

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/store"
)

// annotationMutable tells a rkt stage1 whether apps may be added later;
// saturn pods are immutable.
const annotationMutable = "coreos.com/rkt/stage1/mutable"

// podManifest builds the pod manifest with effective apps, from the
// options or from the user's manifest file, and returns each app's image
// manifest alongside, as the store has it.
func (r *Runtime) podManifest(o PrepareOptions) (*schema.PodManifest, [][]byte, error) {
	if o.PodManifest != "" {
		return r.userPodManifest(o)
	}
	if len(o.Apps) == 0 {
		return nil, nil, fmt.Errorf("no image to run: %w", errdefs.ErrInvalid)
	}
	st, err := r.Store()
	if err != nil {
		return nil, nil, err
	}
	pm := schema.BlankPodManifest()
	if pm.Volumes, err = parseVolumes(o.Volumes); err != nil {
		return nil, nil, err
	}
	if pm.Ports, err = parsePorts(o.Ports); err != nil {
		return nil, nil, err
	}
	pm.Annotations.Set(annotationMutable, "false")
	env := envPolicy{inherit: o.InheritEnv, setEnv: o.SetEnv}
	taken := map[types.ACName]bool{}
	var ims [][]byte
	for i := range o.Apps {
		a := &o.Apps[i]
		id, err := r.imageRef(a.Image)
		if err != nil {
			return nil, nil, fmt.Errorf("image %s: %w", a.Image, err)
		}
		mb, im, err := imageManifest(st, id)
		if err != nil {
			return nil, nil, fmt.Errorf("image %s: %w", a.Image, err)
		}
		name, err := appName(a, im)
		if err != nil {
			return nil, nil, err
		}
		if a.Name == "" {
			name = uniqueName(name, taken)
		} else if taken[name] {
			return nil, nil, fmt.Errorf("two apps named %s: %w", name, errdefs.ErrInvalid)
		}
		taken[name] = true
		ra, err := runtimeApp(a, name, id, im, env, pm.Volumes)
		if err != nil {
			return nil, nil, fmt.Errorf("app %s: %w", name, err)
		}
		pm.Apps = append(pm.Apps, *ra)
		ims = append(ims, mb)
	}
	if err := checkPorts(pm); err != nil {
		return nil, nil, err
	}
	return pm, ims, nil
}

// checkPorts makes sure each --port names a port some app declares, so a
// typo fails now rather than in stage1's networking.
func checkPorts(pm *schema.PodManifest) error {
	for _, ep := range pm.Ports {
		found := false
		for _, ra := range pm.Apps {
			for _, p := range ra.App.Ports {
				found = found || p.Name == ep.Name
			}
		}
		if !found {
			return fmt.Errorf("--port %s: no app declares a port named %s: %w", ep.Name, ep.Name, errdefs.ErrInvalid)
		}
	}
	return nil
}

// runtimeApp is one pod manifest entry: the image reference and the effective app.
func runtimeApp(a *App, name types.ACName, id string, im *schema.ImageManifest, env envPolicy, vols []types.Volume) (*schema.RuntimeApp, error) {
	h, err := hashOf(id)
	if err != nil {
		return nil, err
	}
	app, err := effectiveApp(a, im, env)
	if err != nil {
		return nil, err
	}
	mounts, err := appMounts(a, app, vols)
	if err != nil {
		return nil, err
	}
	anns, err := parseAnnotations(a.Annotations)
	if err != nil {
		return nil, err
	}
	imName := im.Name
	return &schema.RuntimeApp{
		Name:           name,
		Image:          schema.RuntimeImage{Name: &imName, ID: h, Labels: im.Labels},
		App:            app,
		ReadOnlyRootFS: a.ReadOnlyRootFS,
		Mounts:         mounts,
		Annotations:    anns,
	}, nil
}

// userPodManifest reads --pod-manifest. Its apps must name images in the
// store by ID; an app without an app section gets its image's, so stage1
// always finds the effective app.
func (r *Runtime) userPodManifest(o PrepareOptions) (*schema.PodManifest, [][]byte, error) {
	if len(o.Apps) > 0 || len(o.Volumes) > 0 || len(o.Ports) > 0 {
		return nil, nil, fmt.Errorf("--pod-manifest replaces images, --volume and --port: %w", errdefs.ErrInvalid)
	}
	b, err := os.ReadFile(o.PodManifest)
	if err != nil {
		return nil, nil, fmt.Errorf("read pod manifest: %w", err)
	}
	var pm schema.PodManifest
	if err := json.Unmarshal(b, &pm); err != nil {
		return nil, nil, fmt.Errorf("pod manifest %s: %v: %w", o.PodManifest, err, errdefs.ErrInvalid)
	}
	if len(pm.Apps) == 0 {
		return nil, nil, fmt.Errorf("pod manifest %s has no apps: %w", o.PodManifest, errdefs.ErrInvalid)
	}
	st, err := r.Store()
	if err != nil {
		return nil, nil, err
	}
	var ims [][]byte
	taken := map[types.ACName]bool{}
	for i := range pm.Apps {
		ra := &pm.Apps[i]
		if taken[ra.Name] {
			return nil, nil, fmt.Errorf("pod manifest: two apps named %s: %w", ra.Name, errdefs.ErrInvalid)
		}
		if err := checkAppName(ra.Name); err != nil {
			return nil, nil, err
		}
		taken[ra.Name] = true
		if ra.Image.ID.Empty() {
			return nil, nil, fmt.Errorf("pod manifest: app %s has no image ID: %w", ra.Name, errdefs.ErrInvalid)
		}
		id, err := st.Resolve(ra.Image.ID.String())
		if err != nil {
			return nil, nil, fmt.Errorf("pod manifest: app %s: %w", ra.Name, err)
		}
		mb, im, err := imageManifest(st, id)
		if err != nil {
			return nil, nil, err
		}
		if ra.App == nil {
			if im.App == nil {
				return nil, nil, fmt.Errorf("pod manifest: app %s: neither it nor its image has an app section: %w", ra.Name, errdefs.ErrInvalid)
			}
			app := *im.App
			ra.App = &app
		}
		ims = append(ims, mb)
	}
	return &pm, ims, nil
}

// imageManifest reads an image's manifest from the store, as stored and
// parsed.
func imageManifest(st *store.Store, id string) ([]byte, *schema.ImageManifest, error) {
	mb, err := st.ManifestBytes(id)
	if err != nil {
		return nil, nil, err
	}
	im, err := store.ParseManifest(mb)
	if err != nil {
		return nil, nil, err
	}
	return mb, im, nil
}

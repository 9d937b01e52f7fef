package stage0

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// PrepareOptions describe a pod to create.
type PrepareOptions struct {
	Apps         []App
	Volumes      []string // --volume values
	Ports        []string // --port values
	SetEnv       []string // K=V for every app, over the image's environment
	InheritEnv   bool     // start every app's environment from the caller's
	PodManifest  string   // a pod manifest file to use instead of Apps, Volumes and Ports
	Stage1       Stage1
	UUIDFileSave string // write the new pod's UUID here
}

// Prepare creates a pod in the prepared state and returns its UUID.
func (r *Runtime) Prepare(o PrepareOptions) (string, error) {
	p, err := r.prepare(o)
	if err != nil {
		return "", err
	}
	defer p.Close()
	if err := p.Transition(pod.DirPrepared); err != nil {
		return "", err
	}
	return p.UUID, nil
}

// prepare builds a pod dir and returns the pod locked in prepare/.
func (r *Runtime) prepare(o PrepareOptions) (*pod.Pod, error) {
	s1, err := r.resolveStage1(o.Stage1)
	if err != nil {
		return nil, fmt.Errorf("stage1 image: %w", err)
	}
	pm, ims, err := r.podManifest(o)
	if err != nil {
		return nil, err
	}
	p, err := r.pods.Create()
	if err != nil {
		return nil, err
	}
	r.log.Debug("preparing pod", "uuid", p.UUID, "dir", p.Path())
	fail := func(err error) (*pod.Pod, error) {
		r.discard(p)
		return nil, err
	}
	if o.UUIDFileSave != "" {
		if err := writeFileAtomic(o.UUIDFileSave, []byte(p.UUID+"\n"), 0o644); err != nil {
			return fail(fmt.Errorf("--uuid-file-save: %w", err))
		}
	}
	dir := p.Path()
	if err := r.prepareStage1(dir, s1); err != nil {
		return fail(err)
	}
	for i, ra := range pm.Apps {
		if err := r.prepareApp(dir, ra, ims[i]); err != nil {
			return fail(err)
		}
	}
	b, err := json.Marshal(pm)
	if err != nil {
		return fail(fmt.Errorf("encode pod manifest: %w", err))
	}
	if err := writeFileAtomic(pod.ManifestPath(dir), b, 0o640); err != nil {
		return fail(fmt.Errorf("write pod manifest: %w", err))
	}
	return p, nil
}

// prepareStage1 renders the stage1 image once and records it in the pod.
func (r *Runtime) prepareStage1(dir, id string) error {
	st, _ := r.Store()
	treeID, _, err := st.RenderTree(id)
	if err != nil {
		return fmt.Errorf("render stage1 %s: %w", id, err)
	}
	im, err := st.Manifest(id)
	if err != nil {
		return fmt.Errorf("stage1 manifest: %w", err)
	}
	if _, ok := im.Annotations.Get(annotationRun); !ok {
		return fmt.Errorf("image %s is not a stage1: no %s annotation: %w", im.Name, annotationRun, errdefs.ErrInvalid)
	}
	for _, d := range []string{pod.Stage1RootfsPath(dir), pod.Stage1UpperPath(dir), filepath.Join(pod.OverlayPath(dir, "stage1"), "work")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create stage1 dirs: %w", err)
		}
	}
	if err := writeJSON(pod.Stage1ManifestPath(dir), im); err != nil {
		return err
	}
	return os.WriteFile(pod.Stage1TreeStoreIDPath(dir), []byte(treeID), 0o640)
}

// prepareApp renders an app's image and writes appsinfo/<app> and its
// overlay dirs.
func (r *Runtime) prepareApp(dir string, ra schema.RuntimeApp, im *schema.ImageManifest) error {
	st, _ := r.Store()
	treeID, rootfs, err := st.RenderTree(ra.Image.ID.String())
	if err != nil {
		return fmt.Errorf("render image %s: %w", ra.Image.ID, err)
	}
	info := pod.AppInfoPath(dir, ra.Name.String())
	ov := pod.OverlayPath(dir, ra.Name.String())
	for _, d := range []string{info, filepath.Join(ov, "upper"), filepath.Join(ov, "work")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create app dirs: %w", err)
		}
	}
	if err := writeJSON(filepath.Join(info, "manifest"), im); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(info, "treeStoreID"), []byte(treeID), 0o640); err != nil {
		return fmt.Errorf("write app info: %w", err)
	}
	if err := os.WriteFile(filepath.Join(info, "lowerdir"), []byte(rootfs), 0o640); err != nil {
		return fmt.Errorf("write app info: %w", err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, b, 0o640); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// imageRef resolves an --image argument: an existing file is an ACI to
// import, anything else a reference in the store.
func (r *Runtime) imageRef(ref string) (string, error) {
	if fi, err := os.Stat(ref); err == nil && fi.Mode().IsRegular() {
		return r.importCached(ref)
	}
	st, err := r.Store()
	if err != nil {
		return "", err
	}
	return st.Resolve(ref)
}

// hashOf parses a store ID into an appc hash.
func hashOf(id string) (types.Hash, error) {
	h, err := types.NewHash(id)
	if err != nil {
		return types.Hash{}, fmt.Errorf("image ID %s: %v: %w", id, err, errdefs.ErrInvalid)
	}
	return *h, nil
}

// discard removes a locked pod that failed before it ran, and unlocks it.
// A prepare that fails cleanly leaves nothing; only one that is killed
// leaves an aborted prepare, for gc.
func (r *Runtime) discard(p *pod.Pod) {
	if err := p.Transition(pod.DirGarbage); err == nil {
		if err := p.Remove(); err != nil {
			r.log.Warn("failed pod not removed, gc will", "uuid", p.UUID, "err", err)
		}
	}
	p.Close()
}

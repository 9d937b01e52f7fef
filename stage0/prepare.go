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
	p, _, err := r.prepare(o)
	if err != nil {
		return "", err
	}
	defer p.Close()
	if err := publish(p, pod.DirPrepared); err != nil {
		return "", err
	}
	return p.UUID, nil
}

// prepare builds a pod dir and returns the pod locked in prepare/, and its
// stage1. Nothing is synced yet: the caller's move out of prepare/ is.
func (r *Runtime) prepare(o PrepareOptions) (*pod.Pod, *stage1Info, error) {
	s1ID, err := r.resolveStage1(o.Stage1)
	if err != nil {
		return nil, nil, fmt.Errorf("stage1 image: %w", err)
	}
	pm, manifests, err := r.podManifest(o)
	if err != nil {
		return nil, nil, err
	}
	p, err := r.pods.Create()
	if err != nil {
		return nil, nil, err
	}
	r.log.Debug("preparing pod", "uuid", p.UUID, "dir", p.Path())
	fail := func(err error) (*pod.Pod, *stage1Info, error) {
		r.discard(p)
		return nil, nil, err
	}
	if o.UUIDFileSave != "" {
		if err := writeFileAtomic(o.UUIDFileSave, []byte(p.UUID+"\n"), 0o644); err != nil {
			return fail(fmt.Errorf("--uuid-file-save: %w", err))
		}
	}
	dir := p.Path()
	s1, err := r.prepareStage1(dir, s1ID)
	if err != nil {
		return fail(err)
	}
	for i, ra := range pm.Apps {
		if err := r.prepareApp(dir, ra, manifests[i]); err != nil {
			return fail(err)
		}
	}
	b, err := json.Marshal(pm)
	if err != nil {
		return fail(fmt.Errorf("encode pod manifest: %w", err))
	}
	// In place, with one write: until it is done, readers find an empty
	// file, which package pod reads as no manifest yet. (A temp file and a
	// rename cost one more journaled operation on every pod start.)
	if err := writeNewFile(pod.ManifestPath(dir), b, 0o640); err != nil {
		return fail(fmt.Errorf("write pod manifest: %w", err))
	}
	return p, s1, nil
}

// publish moves a prepared pod into prepared/ and makes the pod manifest
// and the move durable with one journal commit: the manifest's data is
// synced after the rename, so the commit that carries the data carries
// the rename too. (Syncing the manifest before the move, then the move,
// waits for two commits.) A prepared pod must still be complete, with its
// manifest, after a crash: run-prepared may run it days later.
func publish(p *pod.Pod, to string) error {
	if err := p.Move(to); err != nil {
		return err
	}
	if err := syncFile(pod.ManifestPath(p.Path())); err != nil {
		return fmt.Errorf("sync pod manifest: %w", err)
	}
	return p.SyncState()
}

// prepareStage1 renders the stage1 image once and records it in the pod.
func (r *Runtime) prepareStage1(dir, id string) (*stage1Info, error) {
	st, err := r.Store()
	if err != nil {
		return nil, err
	}
	treeID, tree, err := st.RenderTree(id)
	if err != nil {
		return nil, fmt.Errorf("render stage1 %s: %w", id, err)
	}
	mb, err := st.ManifestBytes(id)
	if err != nil {
		return nil, fmt.Errorf("stage1 manifest: %w", err)
	}
	s1, err := parseStage1(mb, tree)
	if err != nil {
		return nil, err
	}
	if _, ok := s1.annotations[annotationRun]; !ok {
		return nil, fmt.Errorf("image %s is not a stage1: no %s annotation: %w", s1.name, annotationRun, errdefs.ErrInvalid)
	}
	dirs := []string{filepath.Dir(pod.Stage1RootfsPath(dir)), pod.Stage1RootfsPath(dir)}
	if !s1.readOnlyRoot() {
		ov := pod.OverlayPath(dir, "stage1")
		dirs = append(dirs, filepath.Dir(ov), ov, pod.Stage1UpperPath(dir), filepath.Join(ov, "work"))
	}
	if err := mkdirs(dirs...); err != nil {
		return nil, fmt.Errorf("create stage1 dirs: %w", err)
	}
	// The manifest as the store has it, like rkt: no re-encoding.
	if err := writeNewFile(pod.Stage1ManifestPath(dir), mb, 0o640); err != nil {
		return nil, fmt.Errorf("write stage1 manifest: %w", err)
	}
	if err := writeNewFile(pod.Stage1TreeStoreIDPath(dir), []byte(treeID), 0o640); err != nil {
		return nil, fmt.Errorf("write stage1 tree ID: %w", err)
	}
	return s1, nil
}

// prepareApp renders an app's image and writes appsinfo/<app> (with the
// image manifest as the store has it) and its overlay dirs.
func (r *Runtime) prepareApp(dir string, ra schema.RuntimeApp, manifest []byte) error {
	st, err := r.Store()
	if err != nil {
		return err
	}
	treeID, rootfs, err := st.RenderTree(ra.Image.ID.String())
	if err != nil {
		return fmt.Errorf("render image %s: %w", ra.Image.ID, err)
	}
	info := pod.AppInfoPath(dir, ra.Name.String())
	ov := pod.OverlayPath(dir, ra.Name.String())
	if err := mkdirs(filepath.Dir(info), info, filepath.Dir(ov), ov, filepath.Join(ov, "upper"), filepath.Join(ov, "work")); err != nil {
		return fmt.Errorf("create app dirs: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest", manifest}, {"treeStoreID", []byte(treeID)}, {"lowerdir", []byte(rootfs)}} {
		if err := writeNewFile(filepath.Join(info, f.name), f.data, 0o640); err != nil {
			return fmt.Errorf("write app info: %w", err)
		}
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

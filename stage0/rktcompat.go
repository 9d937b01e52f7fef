package stage0

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saturnpod/saturn/stage0/pod"
)

// annotationAppRoots, set to "stage1" in a stage1 image manifest, says the
// stage1 mounts each app's root itself from appsinfo/<app>/lowerdir (as
// saturn's stage1 does). Without it stage0 does what rkt's stage0 did for
// a stage1 written to rkt's interface: it mounts each app's root at
// opt/stage2/<app>/rootfs in the stage1 root, beside the app's manifest.
const annotationAppRoots = "saturn.io/stage1/app-roots"

// annotationRootfs, set to "read-only" in a stage1 image manifest, says
// the stage1 never writes its root (saturn's own stage1s). stage0 then
// binds the stage1 tree read-only at stage1/rootfs for run too, as for
// enter, gc and stop, instead of an overlay: no overlay dirs to create,
// no work dir for the kernel to set up, no superblock to tear down, on
// every pod start. Such a stage1 finds stage0's DNS files in stage1/etc/
// of the pod dir and writes the apps' exit codes in stage1/status/.
const annotationRootfs = "saturn.io/stage1/rootfs"

// readOnlyRoot tells whether the stage1 asks for a read-only root.
func (s *stage1Info) readOnlyRoot() bool { return s.annotations[annotationRootfs] == "read-only" }

// etcDir is where stage0 writes the DNS files stage1 reads (rkt-resolv.conf,
// rkt-hosts): the etc/ of stage1's root, through its overlay's upper dir,
// or stage1/etc/ for a read-only root.
func (s *stage1Info) etcDir(podDir string) string {
	if s.readOnlyRoot() {
		return pod.Stage1EtcPath(podDir)
	}
	return filepath.Join(pod.Stage1UpperPath(podDir), "etc")
}

// appRoot is one app root stage0 mounts for a rkt stage1.
type appRoot struct {
	name  string
	lower string // the app's rendered tree
}

// rktAppRoots lists the app roots to mount for stage1; none when it
// mounts them itself.
func rktAppRoots(pd *pod.Pod, s1 *stage1Info) ([]appRoot, error) {
	if s1.annotations[annotationAppRoots] == "stage1" {
		return nil, nil
	}
	apps, err := pd.Apps()
	if err != nil {
		return nil, err
	}
	var roots []appRoot
	for _, a := range apps {
		b, err := os.ReadFile(filepath.Join(pod.AppInfoPath(pd.Path(), a.Name), "lowerdir"))
		if err != nil {
			return nil, fmt.Errorf("app %s: %w", a.Name, err)
		}
		roots = append(roots, appRoot{name: a.Name, lower: strings.TrimSpace(string(b))})
	}
	return roots, nil
}

// mountAppRoots mounts each app root at opt/stage2/<app>/rootfs of the
// mounted stage1 root: an overlay of the app's tree with upper and work
// dirs of its own under overlay/.rkt-stage2 (a name no app can have), so
// they never meet the dirs a saturn stage1 uses.
func (m stage1Mount) mountAppRoots() error {
	root := pod.Stage1RootfsPath(m.podDir)
	for _, a := range m.apps {
		rkt := filepath.Join(m.podDir, "overlay", ".rkt-stage2")
		ov := filepath.Join(rkt, a.name)
		upper, work := filepath.Join(ov, "upper"), filepath.Join(ov, "work")
		opt := filepath.Join(root, "opt")
		dir := filepath.Join(opt, "stage2", a.name)
		if err := mkdirs(rkt, ov, upper, work, opt, filepath.Dir(dir), dir, filepath.Join(dir, "rootfs")); err != nil {
			return fmt.Errorf("app %s root: %w", a.name, err)
		}
		mf, err := os.ReadFile(filepath.Join(pod.AppInfoPath(m.podDir, a.name), "manifest"))
		if err != nil {
			return fmt.Errorf("app %s manifest: %w", a.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "manifest"), mf, 0o644); err != nil {
			return fmt.Errorf("app %s manifest: %w", a.name, err)
		}
		opts, err := overlayOpts(a.lower, upper, work)
		if err != nil {
			return err
		}
		if err := mountOverlay(filepath.Join(dir, "rootfs"), opts); err != nil {
			return fmt.Errorf("mount app %s root: %w", a.name, err)
		}
	}
	return nil
}

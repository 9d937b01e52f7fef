package pod

import "path/filepath"

// Paths inside a pod directory, as fixed by the stage1 interface contract.
// stage1 implementations in this tree import them too, so the two sides
// cannot drift apart.

// ManifestPath is the appc pod manifest with the effective apps.
func ManifestPath(podDir string) string { return filepath.Join(podDir, "pod") }

// Stage1ManifestPath is the stage1 image manifest.
func Stage1ManifestPath(podDir string) string {
	return filepath.Join(podDir, "stage1", "manifest")
}

// Stage1RootfsPath is where stage0 mounts the stage1 root before an entrypoint runs.
func Stage1RootfsPath(podDir string) string {
	return filepath.Join(podDir, "stage1", "rootfs")
}

// Stage1TreeStoreIDPath holds the tree ID of the rendered stage1 image.
func Stage1TreeStoreIDPath(podDir string) string {
	return filepath.Join(podDir, "stage1TreeStoreID")
}

// AppInfoPath is the directory of one app's manifest, treeStoreID and lowerdir.
func AppInfoPath(podDir, app string) string {
	return filepath.Join(podDir, "appsinfo", app)
}

// OverlayPath is the overlay upper/work parent of an app, or of stage1 for name "stage1".
func OverlayPath(podDir, name string) string {
	return filepath.Join(podDir, "overlay", name)
}

// Stage1UpperPath is the upper dir of the stage1 root overlay. What stage1
// writes into its root lands here, and stays readable after the pod's mount
// namespace is gone.
func Stage1UpperPath(podDir string) string {
	return filepath.Join(OverlayPath(podDir, "stage1"), "upper")
}

// PIDPath and PPIDPath are written by stage1 once the pod is up.
func PIDPath(podDir string) string { return filepath.Join(podDir, "pid") }

// PPIDPath is written instead of pid by a stage1 that prefers it.
func PPIDPath(podDir string) string { return filepath.Join(podDir, "ppid") }

// Stage1EtcPath holds the DNS files stage0 writes for a stage1 with a
// read-only root (rkt-resolv.conf, rkt-hosts; see stage0's annotationRootfs).
func Stage1EtcPath(podDir string) string { return filepath.Join(podDir, "stage1", "etc") }

// Stage1StatusPath is where a stage1 with a read-only root writes the apps'
// exit codes.
func Stage1StatusPath(podDir string) string { return filepath.Join(podDir, "stage1", "status") }

// StatusDirs are where stage1 leaves app exit codes, most reliable first:
// stage1/status (a stage1 with a read-only root), the stage1 overlay's
// upper dir (readable from the host namespace), then the stage1 rootfs
// itself (for a stage1 that was run without the overlay).
func StatusDirs(podDir string) []string {
	return []string{
		Stage1StatusPath(podDir),
		filepath.Join(Stage1UpperPath(podDir), "rkt", "status"),
		filepath.Join(Stage1RootfsPath(podDir), "rkt", "status"),
	}
}

// NetInfoPath is where a networking stage1 records the pod's networks (rkt's
// net-info.json: a JSON array of objects with at least netName and ip).
func NetInfoPath(podDir string) string { return filepath.Join(podDir, "net-info.json") }

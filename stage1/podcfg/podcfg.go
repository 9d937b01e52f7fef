// Package podcfg is what every stage1 entrypoint knows about the pod: where
// the pod manifest stage0 wrote is (apps already merged with their
// overrides; package appcspec reads it) and the run flags of the stage1
// interface.
package podcfg

// ManifestFile is the pod manifest, relative to the pod dir (package
// appcspec reads it).
const ManifestFile = "pod"

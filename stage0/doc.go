// Package stage0 is the library behind saturn's pod commands: it prepares
// pod directories from images in the store, execs the stage1 entrypoints
// that run, enter, stop and clean up pods, and reports pod status. The
// saturn CLI is a thin layer over it; a Go program can embed it instead.
//
// The contract with stage1 is Documentation/devel/stage1-interface.md; the
// pod directory and its state machine are package stage0/pod.
package stage0

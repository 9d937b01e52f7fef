// Package caps names Linux capabilities, computes an app's capability set
// from its appc isolators (os/linux/capabilities-retain-set and
// os/linux/capabilities-remove-set) and applies a set to the calling thread.
//
// Capabilities are per thread: every function that changes them acts on the
// calling OS thread only, so callers lock the goroutine to its thread
// (runtime.LockOSThread) and exec from that same goroutine. The isolation
// package does this for the stage1.
package caps

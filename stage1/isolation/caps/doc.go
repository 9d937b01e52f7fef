// Package caps names Linux capabilities, holds capability sets (package
// appcspec computes an app's from its os/linux/capabilities-retain-set or
// os/linux/capabilities-remove-set isolator) and applies a set to the
// calling thread.
//
// Capabilities are per thread: every function that changes them acts on the
// calling OS thread only, so callers lock the goroutine to its thread
// (runtime.LockOSThread) and exec from that same goroutine. The isolation
// package does this for the stage1.
package caps

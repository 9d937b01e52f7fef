// Package pod owns the pod directory: where pods live under <data>/pods, the
// files stage0 and stage1 exchange inside one (see
// Documentation/devel/stage1-interface.md), and the state machine.
//
// A pod's state is never stored. It is derived from the state directory the
// pod dir sits in and from whether some process holds the pod dir's flock.
// A transition is a rename(2) of the pod dir to another state directory,
// done only while holding that flock, then an fsync of the new parent (the
// journal commits a rename as one update), so a crash leaves the pod in the
// old or the new state, never in between. The move from embryo/ to
// prepare/ is not synced: after a crash both are garbage to gc.
package pod

// Package isolation confines the process that becomes an app (or that enter
// runs in an app): user and groups, capabilities, no_new_privs, seccomp,
// rlimits and oom_score_adj, applied in the one order that works, right
// before exec.
//
// The pieces live in subpackages: caps (capability sets) and seccomp
// (filters). This package applies a Config, which package appcspec builds
// from the app's appc isolators.
//
// enter reproduces an app's confinement by applying the Config that the pod
// init recorded for the app (package appexec): what it applies is then
// exactly what the app got, and never more. ReadState reads the same facts
// back from /proc, for tests and for enter to check itself against the app.
package isolation

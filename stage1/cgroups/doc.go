// Package cgroups gives a pod its control groups: one cgroup for the pod,
// created under the cgroup stage1 was started in (so a systemd unit with
// Delegate=yes keeps the pod inside itself), with a leaf for stage1's own
// processes and one per app:
//
//	<current>/saturn-<uuid>/_stage1   stage1 init and the pod init
//	<current>/saturn-<uuid>/<app>     each app, with its limits
//
// "_stage1" cannot clash with an app: appc app names have no underscore.
// Leaves keep cgroup v2's rule that only leaves hold processes once
// controllers are enabled, and v1 follows the same layout so enter and gc
// need not care which one they face.
//
// On cgroup v1 (and hybrid systems, whose controllers live on v1) the pod
// gets a cgroup in each hierarchy it uses: cpu, cpuacct, memory, pids and
// the name=systemd one when mounted (cpuset only where a host mounts it
// together with one of those). On unified systems it gets one
// cgroup in the cgroup2 tree with the cpu, memory and pids controllers
// enabled for its children.
//
// Limits: resource/memory's limit is the app cgroup's memory limit (and
// memory+swap limit: no swapping past it); resource/cpu's limit a CFS quota
// over a 100 ms period; os/linux/cpu-shares its cpu.shares (cpu.weight on
// cgroup2). An app over its memory limit is killed by the kernel's OOM
// killer: its exit status, as `saturn status` shows it and as the pod's exit
// code when it is the first app to fail, is 137 (128 + SIGKILL), and the
// pod init, which asks OOMKilled when an app dies of SIGKILL, says on
// stderr that the OOM killer sent it.
//
// A Pod value is plain data: stage1 init saves it (JSON) in the pod
// directory before creating anything, so enter can join an app's cgroup and
// gc can kill stragglers and remove the cgroups after a crash.
package cgroups

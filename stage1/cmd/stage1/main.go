// Command stage1 is the default stage1's main static binary. Its name
// (argv[0]) picks the part it plays: the entrypoints the stage1 manifest
// names (/init, /enter, /gc, /stop are links to it) and the app exec
// helper enter re-execs it as. The pod init is a binary of its own beside
// it (stage1/cmd/podinit), which holds the exec helper too.
//
// The processes of a running pod:
//
//	saturn run (stage0) ── exec ──▶ stage1 init (package run): same PID; pod lock,
//	  │                             pod cgroup, network, signals, exit code
//	  └ clone(NEWNS|NEWPID|NEWUTS|NEWIPC) from a thread in the pod's network
//	    namespace, exec saturn-pod-init ──▶ pod init (package podinit), PID 1
//	      ├ per app, on a thread of its own: new mount namespace, overlay root,
//	      │ /proc /sys /dev volumes hosts resolv.conf, pivot_root (package approot)
//	      └ per app, a thread that joins the app's mount namespace and cgroup and
//	        takes its capabilities, no_new_privs and seccomp filter ──▶ fork, set
//	        the app's user ──▶ exec app; or, when the confinement needs a process
//	        of its own, an exec helper (package appexec) that does the same ──▶ exec app
//
// stage1 init starts the pod init before it makes the pod cgroup, and the
// pod init builds the roots meanwhile; the apps start once stage1 init
// says so (podctl.Start).
//
// enter starts the same exec helper inside the app's namespaces (package
// enter); stop signals stage1 init, which tells the pod init over a control
// channel no app can reach (packages stop, podctl); gc removes the cgroup
// and anything else a crash left (package gc). What the entrypoints share
// lives in the pod dir, named by package podstate.
package main

import (
	"os"

	"github.com/saturnpod/saturn/internal/multicall"
	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/enter"
	"github.com/saturnpod/saturn/stage1/gc"
	"github.com/saturnpod/saturn/stage1/run"
	"github.com/saturnpod/saturn/stage1/stop"
)

func main() {
	os.Exit(multicall.Run("saturn stage1", "init, enter, gc or stop", multicall.Mains{
		"init":       run.Main,
		"run":        run.Main,
		appexec.Name: appexec.Main,
		"enter":      enter.Main,
		"stop":       stop.Main,
		"gc":         gc.Main,
	}, os.Args, os.Stderr))
}

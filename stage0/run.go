package stage0

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// EnvLockFD names the environment variable that tells stage1 which fd is
// the locked pod dir.
const EnvLockFD = "RKT_LOCK_FD"

// Run prepares a pod and execs its stage1 run entrypoint in place, so this
// process (its PID, its systemd unit) becomes the pod. It returns only on
// error; the pod's exit code is then the process's.
func (r *Runtime) Run(p PrepareOptions, o RunOptions) error {
	if err := checkRunOptions(o); err != nil {
		return err
	}
	if o.Interactive && p.PodManifest == "" && len(p.Apps) != 1 {
		return errInteractive()
	}
	pd, s1, err := r.prepare(p)
	if err != nil {
		return err
	}
	defer pd.Close()
	if err := checkInteractive(pd, o); err != nil {
		r.discard(pd)
		return err
	}
	// Straight from prepare/ to run/ under the same lock: no moment at
	// which a run-prepared could take the pod.
	if err := pd.Move(pod.DirRun); err != nil {
		return err
	}
	// The move to run/ is durable before stage1 runs, as every transition
	// is; its fsync overlaps the mounts: execRun waits for it right before
	// the exec. The pod manifest is not synced, like the rest of the pod
	// dir: after a host crash a pod that ran is garbage that gc removes
	// whatever it finds inside, and a second sync would cost a disk cache
	// flush on every start.
	synced := make(chan error, 1)
	go func() { synced <- pd.SyncState() }()
	return r.execRun(pd, s1, o, func() error { return <-synced })
}

// RunPrepared runs a prepared pod, like Run. Of two racing callers one
// wins; the other gets ErrWrongState (or ErrBusy while the winner moves it).
func (r *Runtime) RunPrepared(ref string, o RunOptions) error {
	if err := checkRunOptions(o); err != nil {
		return err
	}
	pd, err := r.pods.Get(ref)
	if err != nil {
		return err
	}
	if pd.StateDir() != pod.DirPrepared {
		st, _ := pd.State()
		return fmt.Errorf("pod %s is %s, not prepared: %w", pd.UUID, st, errdefs.ErrWrongState)
	}
	if err := checkInteractive(pd, o); err != nil {
		return err
	}
	if err := pd.Lock(); err != nil {
		if st, serr := pd.State(); serr == nil && st != pod.Prepared {
			return fmt.Errorf("pod %s is %s, not prepared: %w", pd.UUID, st, errdefs.ErrWrongState)
		}
		return err
	}
	defer pd.Close()
	if pd.StateDir() != pod.DirPrepared {
		st, _ := pd.State()
		return fmt.Errorf("pod %s is %s, not prepared: %w", pd.UUID, stateAfterUnlock(pd.StateDir(), st), errdefs.ErrWrongState)
	}
	if err := pd.Transition(pod.DirRun); err != nil {
		return err
	}
	s1, err := r.readStage1(pd.Path())
	if err != nil {
		return err
	}
	return r.execRun(pd, s1, o, nil)
}

// stateAfterUnlock names the state a pod we hold locked will be in for
// everyone else: our own lock must not make an exited pod look running.
func stateAfterUnlock(dir string, locked pod.State) pod.State {
	switch dir {
	case pod.DirRun:
		return pod.Exited
	case pod.DirPrepare:
		return pod.AbortedPrepare
	case pod.DirExitedGarbage:
		return pod.ExitedGarbage
	case pod.DirGarbage:
		return pod.Garbage
	}
	return locked
}

// errInteractive: an interactive pod hands the terminal to its one app.
func errInteractive() error {
	return fmt.Errorf("--interactive needs a pod of exactly one app: %w", errdefs.ErrInvalid)
}

func checkInteractive(pd *pod.Pod, o RunOptions) error {
	if !o.Interactive {
		return nil
	}
	if apps, err := pd.Apps(); err != nil || len(apps) != 1 {
		return errInteractive()
	}
	return nil
}

func checkRunOptions(o RunOptions) error {
	return checkDNSOptions(o)
}

// execRun execs stage1's run entrypoint for a locked pod in run/, once
// ready (if set) returns nil.
func (r *Runtime) execRun(pd *pod.Pod, s1 *stage1Info, o RunOptions, ready func() error) error {
	dir := pd.Path()
	entry, err := s1.entrypoint(annotationRun)
	if err != nil {
		return err
	}
	if err := writeResolvConf(s1.etcDir(dir), o); err != nil {
		return err
	}
	if err := writeHosts(s1.etcDir(dir), o); err != nil {
		return err
	}
	lockFD := int(pd.LockFile().Fd())
	// The one fd stage1 inherits: every other fd Go opened is close-on-exec.
	if _, err := unix.FcntlInt(uintptr(lockFD), unix.F_SETFD, 0); err != nil {
		return fmt.Errorf("pass pod lock to stage1: %w", err)
	}
	env := []string{EnvLockFD + "=" + strconv.Itoa(lockFD)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, EnvLockFD+"=") {
			env = append(env, kv)
		}
	}
	args := r.runArgs(o, s1.version, pd.UUID)
	r.log.Debug("exec stage1 run", "entrypoint", entry, "args", args)
	apps, err := rktAppRoots(pd, s1)
	if err != nil {
		return err
	}
	err = execEntrypoint(stage1Mount{podDir: dir, tree: s1.tree, writable: !s1.readOnlyRoot(), apps: apps, ready: ready}, entry, args, env, lockFD)
	runtime.KeepAlive(pd) // the lock fd must stay open up to the exec
	return err
}

// writeResolvConf writes --dns settings where stage1 finds them with
// --dns-conf-mode=resolv=stage0: rkt-resolv.conf in etc (stage1Info.etcDir).
func writeResolvConf(etc string, o RunOptions) error {
	if !strings.HasPrefix(dnsConfMode(o), "resolv=stage0") {
		return nil
	}
	var b strings.Builder
	b.WriteString("# Generated by saturn run\n")
	for _, ns := range o.DNS {
		fmt.Fprintf(&b, "nameserver %s\n", ns)
	}
	if len(o.DNSSearch) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(o.DNSSearch, " "))
	}
	if len(o.DNSOptions) > 0 {
		fmt.Fprintf(&b, "options %s\n", strings.Join(o.DNSOptions, " "))
	}
	return writeStage1Etc(etc, "rkt-resolv.conf", "resolv.conf", b.String())
}

// Package run is stage1 init, the run entrypoint. stage0 execs it, so it
// keeps stage0's PID (under systemd, the unit's main process) for the pod's
// whole life: it holds the pod lock, makes the pod cgroup and network,
// starts the pod init in the pod's new namespaces, relays SIGTERM, SIGINT
// (stop) and SIGUSR1 (stop --force) to it over the pod's control channel
// (package podctl: the pod init takes no signal), and exits with its exit
// code, the pod's.
package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/memtrim"
	"github.com/saturnpod/saturn/stage1/network"
	"github.com/saturnpod/saturn/stage1/podcfg"
	"github.com/saturnpod/saturn/stage1/podctl"
	"github.com/saturnpod/saturn/stage1/podinit"
	"github.com/saturnpod/saturn/stage1/podspec"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// Main runs stage1 init and returns the pod's exit code.
func Main(args []string) int {
	code, err := run(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "saturn stage1:", err)
		return 254
	}
	return code
}

func run(args []string) (int, error) {
	// The pod init dies with the thread that started it (Pdeathsig): keep
	// that thread, the main one, for the whole run.
	runtime.LockOSThread()
	flags, err := podcfg.ParseRun(args)
	if err != nil {
		return 0, err
	}
	// A pod network namespace of its own (--net=none) takes 0.7 ms of
	// kernel work on a thread of its own, which the pod init's start
	// waits for: it goes first, as the first goroutine runs soonest.
	nw, err := network.ForRun(flags)
	if err != nil {
		return 0, err
	}
	go warmPidfdCheck()
	stops, stopsCaught := catchStops()
	log := flags.Logger("init")
	start := time.Now()
	// Before anything copies the environment: NOTIFY_SOCKET, LISTEN_FDS.
	sd, err := newSystemd(flags.UUID, log)
	if err != nil {
		return 0, err
	}
	// The pod lock (RKT_LOCK_FD) stays open in this process, but no child
	// may inherit it, nor anything else stage0 left open.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return 0, fmt.Errorf("close_range: %w", err)
	}
	if err := os.MkdirAll(podstate.StateDir, 0o700); err != nil {
		return 0, err
	}
	sys, err := cgroups.Discover()
	if err != nil {
		return 0, err
	}
	cg, err := sys.NewPod("saturn-" + flags.UUID)
	if err != nil {
		return 0, err
	}
	// The pod init starts as early as it can, so that its start-up
	// overlaps the rest of the setup, the pod cgroup's making above all:
	// on cgroup v1 first, as nobody moves into that cgroup; on cgroup2 once
	// stage1 init has moved in, so that the pod init starts there too (see
	// createCgroup).
	var pi *podInit
	if !cg.Unified {
		if pi, err = startPodInit(args, flags, nw, sd, cg, stops); err != nil {
			return 0, err
		}
		defer pi.close()
	}
	// stop finds stage1 init by the PID that setupPod records: from then
	// on a stop signal must reach the pod init.
	<-stopsCaught
	sd.noteStops()
	err = setupPod(cg)
	if err == nil && pi == nil {
		if pi, err = startPodInit(args, flags, nw, sd, cg, stops); err == nil {
			defer pi.close()
		}
	}
	if err == nil {
		// A pod manifest that stage1 init cannot read fails the pod
		// before any app starts.
		_, err = pi.spec()
	}
	if err == nil {
		err = podctl.Send(pi.ctl, podctl.Start)
	}
	if err != nil {
		if pi != nil {
			pi.kill()
		}
		return 0, errors.Join(err, nw.Teardown(), removeCgroup(cg))
	}
	log.Debug("pod cgroup made", "dirs", cg.Dirs, "elapsed", time.Since(start))
	code, cgroupGone, err := pi.wait(sd, cg, log)
	log.Debug("pod init exited", "code", code, "elapsed", time.Since(start))
	if err := nw.Teardown(); err != nil {
		log.Warn("pod network left to gc", "err", err)
	}
	if !cgroupGone { // else removed as the pod init exited
		if err := removeCgroup(cg); err != nil {
			log.Debug("pod cgroup left to gc", "err", err)
		}
	}
	log.Debug("pod cgroup removed", "elapsed", time.Since(start))
	return sd.exitCode(code), err
}

// setupPod records stage1 init's PID, for stop, and the pod cgroup, for
// enter and gc, then makes the cgroup: recorded first, gc removes what a
// crash left.
func setupPod(cg *cgroups.Pod) error {
	// stop signals this process, never the pod init (package podctl).
	if err := podstate.WriteInt(podctl.InitPidFile, os.Getpid()); err != nil {
		return err
	}
	b, err := json.Marshal(cg)
	if err != nil {
		return err
	}
	if err := podstate.WriteAtomic(podstate.CgroupFile, b); err != nil {
		return err
	}
	return createCgroup(cg)
}

// createCgroup creates the pod cgroup.
//
// On cgroup v1 nobody is moved into it: moving a process waits for an RCU
// grace period when none ran lately (about 10 ms, the largest cost of a pod
// start), so stage1 init and the pod init stay in the cgroup stage1 started
// in, and each app (or its exec helper) moves only its exec'ing thread into
// its app's cgroup, which costs no such wait (package appexec). On cgroup2,
// stage1 init moves itself into the stage1 leaf: its own cgroup may not
// keep processes once it has a child with controllers.
func createCgroup(cg *cgroups.Pod) error {
	self := 0
	if cg.Unified {
		self = os.Getpid()
	}
	return cg.Create(self)
}

// removeCgroup removes the pod cgroup once the pod's processes are gone
// with its PID namespace. On cgroup2 stage1 init first moves itself back
// to the cgroup it started in (the pod cgroup's parent). gc repeats this
// after a crash.
// TODO(cgroups): a Pod.Leave(pid) in package cgroups would own this write.
func removeCgroup(cg *cgroups.Pod) error {
	if cg.Unified {
		pid := []byte(strconv.Itoa(os.Getpid()))
		if err := os.WriteFile(filepath.Join(filepath.Dir(cg.Dirs[""]), "cgroup.procs"), pid, 0); err != nil {
			return err
		}
	}
	return cg.Remove()
}

// warmPidfdCheck runs, off the path to the pod init's start, the check
// that package os makes once per process before it starts a child: that
// pidfds work, down to forking a child that exits at once (os.checkPidfd).
// os.FindProcess makes the same check; the pod init's start then finds it
// done, or waits for it rather than making it again.
func warmPidfdCheck() {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Release()
	}
}

// catchStops starts catching the stop signals on a goroutine of its own,
// and returns their channel, where they wait until the relay starts
// (podInit.wait), and a channel closed once they are caught.
//
// Catching a signal the process did not catch before takes a round trip
// to the Go runtime's signal thread per signal: about 0.7 ms in all from
// stage1 init's locked main thread, on the way to the pod init's start.
// On a goroutine it overlaps that start instead. Until it is done a stop
// signal ends stage1 init, and the pod init with it (Pdeathsig), as it
// always did before the pod init started: stage1 init waits for it before
// it records its PID for stop, and so before any app starts.
func catchStops() (chan os.Signal, <-chan struct{}) {
	sigc := make(chan os.Signal, 4)
	caught := make(chan struct{})
	go func() {
		signal.Notify(sigc, unix.SIGTERM, unix.SIGINT, podctl.ForceSignal)
		close(caught)
	}()
	return sigc, caught
}

// podInit is the running pod init as stage1 init sees it.
type podInit struct {
	cmd   *exec.Cmd
	ctl   *os.File // stage1 init's end of the control channel (package podctl)
	ready *os.File // one byte once the apps have started
	sigc  chan os.Signal
	// spec is the pod spec the pod init gets (resolveSpec, sendSpec).
	spec func() (*podspec.Pod, error)
}

// startPodInit starts the pod init in the pod's new namespaces. It waits
// for podctl.Start before it starts any app.
func startPodInit(args []string, flags *podcfg.RunFlags, nw network.Network, sd *systemd, cg *cgroups.Pod, stops chan os.Signal) (*podInit, error) {
	path, err := podInitPath()
	if err != nil {
		return nil, err
	}
	ready, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer readyW.Close()
	pi := &podInit{ready: ready, sigc: stops}
	pi.cmd = &exec.Cmd{
		Path:       path,
		Args:       append([]string{podinit.Name}, args...),
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		ExtraFiles: []*os.File{readyW},
		// The pod cgroup, which exists once the pod init gets podctl.Start.
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC,
			Pdeathsig:  unix.SIGKILL,
		},
	}
	specR, specW, err := os.Pipe()
	if err != nil {
		ready.Close()
		return nil, err
	}
	defer specR.Close()
	podspec.Attach(pi.cmd, specR)
	var ctlChild *os.File
	if pi.ctl, ctlChild, err = podctl.Pair(); err != nil {
		ready.Close()
		specW.Close()
		return nil, err
	}
	defer ctlChild.Close()
	podctl.Attach(pi.cmd, ctlChild)
	sd.pass(pi.cmd)
	if err := nw.Start(pi.cmd); err != nil {
		pi.close()
		specW.Close()
		return nil, fmt.Errorf("start pod init: %w", err)
	}
	pi.spec = resolveSpec(flags)
	go sendSpec(specW, pi.spec, cg)
	return pi, nil
}

// podInitPath is the pod init's binary: beside stage1 init's own, in the
// stage1 root.
func podInitPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the pod init: %w", err)
	}
	return filepath.Join(filepath.Dir(exe), podinit.Name), nil
}

// kill ends a pod init that will not be told to start.
func (pi *podInit) kill() {
	pi.cmd.Process.Kill()
	pi.cmd.Wait()
}

func (pi *podInit) close() {
	pi.ready.Close()
	pi.ctl.Close()
	signal.Stop(pi.sigc)
}

// wait relays stop requests to the pod init until it exits, and returns
// its exit code, and whether the pod cgroup is gone: removed while the pod
// init exited (see podinit.Ended).
func (pi *podInit) wait(sd *systemd, cg *cgroups.Pod, log *slog.Logger) (code int, cgroupGone bool, err error) {
	defer sd.stopped()
	pid := pi.cmd.Process.Pid
	if err := podstate.WriteInt(podstate.PodInitPidFile, pid); err != nil {
		log.Debug("record pod init pid", "err", err)
	}
	gone := make(chan bool, 1)
	go func() { gone <- pi.follow(sd, cg, pid, log) }()
	go podctl.Relay(pi.sigc, pi.ctl)
	err = pi.cmd.Wait()
	// The pod init's end of the ready pipe is closed now: follow returns.
	cgroupGone = <-gone
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), cgroupGone, nil
		}
		return ee.ExitCode(), cgroupGone, nil
	}
	return 0, cgroupGone, err
}

// follow reads what the pod init says on the ready pipe until it closes.
// The pod is up once its apps have started: then enter can join. Once
// they have ended, the pod cgroup (on v1, where the pod init is not in
// it) is removed at once, while the pod init exits; follow says whether
// it is gone.
func (pi *podInit) follow(sd *systemd, cg *cgroups.Pod, pid int, log *slog.Logger) bool {
	var b [1]byte
	if n, _ := pi.ready.Read(b[:]); n == 1 && b[0] == podinit.Started {
		podstate.WriteInt(podstate.PidFile, pid)
		sd.up(pid) // READY=1, machined
	}
	memtrim.TrimLater() // the code only setup ran: stage1 init now waits
	if n, _ := pi.ready.Read(b[:]); n != 1 || b[0] != podinit.Ended || cg.Unified {
		return false
	}
	if err := cg.RemoveNow(); err != nil {
		log.Debug("pod cgroup still busy as the pod init exits", "err", err)
		return false
	}
	return true
}

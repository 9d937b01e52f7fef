// Package podinit is the pod init: PID 1 of the pod's PID namespace,
// started by stage1 init in the pod's new namespaces. It builds each app's
// root and starts the app, reaps every process of the pod, records each
// app's exit code, stops the other apps when one fails (or when asked), and
// exits with the pod's exit code once every app has ended.
//
// stage1 init starts it first and sets up the pod's cgroup (and CNI
// networks) meanwhile: the pod init builds the roots (and starts the exec
// helpers of the apps that need one) at once, and lets the apps join their
// cgroups and exec only once stage1 init says podctl.Start. A pod start is
// a chain of process starts; this way their start-ups overlap the setup
// instead of waiting for it.
package podinit

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/applog"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/memtrim"
	"github.com/saturnpod/saturn/stage1/network/inpod"
	"github.com/saturnpod/saturn/stage1/podcfg"
	"github.com/saturnpod/saturn/stage1/podctl"
	"github.com/saturnpod/saturn/stage1/podspec"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/reaper"
	"github.com/saturnpod/saturn/stage1/sdactivation"
)

// Name is the pod init's argv[0], what `ps` and the apps' /proc/1/cmdline
// show, and the name of its binary in the stage1 root, beside stage1
// init's (stage1/cmd/podinit).
const Name = "saturn-pod-init"

// ForceSignal, sent to stage1 init, asks to kill the apps at once (stop
// --force); SIGTERM and SIGINT ask for a graceful stop. The pod init
// itself takes no signal: stage1 init relays these (package podctl).
const ForceSignal = podctl.ForceSignal

// Grace is how long apps get between SIGTERM and SIGKILL.
const Grace = 10 * time.Second

// readyFd is the pipe on which the pod init tells stage1 init how far
// the pod is, one byte each: Started, then Ended.
const readyFd = 3

const (
	// Started: every app has started; enter can join the pod.
	Started byte = 1
	// Ended: every app has ended and the rest of the pod was killed. On
	// cgroup v1 no process of the pod init's is in the pod cgroup, so
	// stage1 init removes it while the pod init exits.
	Ended byte = 2
)

type pod struct {
	flags  *podcfg.RunFlags
	log    *slog.Logger
	began  time.Time
	spec   *podspec.Pod
	dir    string // absolute pod dir
	reaper *reaper.Reaper
	// started is closed once stage1 init said podctl.Start: the pod
	// cgroup exists then, and the apps may join their cgroups.
	started chan struct{}
	// shielded is closed once no signal from an app can end the pod
	// init (podctl.Shield): the apps and their handlers wait for it.
	shielded chan struct{}
	cgroup   *cgroups.Pod
	devNull  *os.File
	logs     applog.Set            // the apps' output copies
	sockets  []sdactivation.Socket // from systemd socket activation

	mu       sync.Mutex
	running  map[string]int // app → pidfd of its main process
	stopping bool           // SIGTERM sent; apps starting now get it too
	killing  bool           // SIGKILL sent
	noHooks  bool           // stop --force: skip post-stop handlers
	left     int            // apps whose runApp has not returned
	lastNS   []int          // the last app's mount namespace (closeNS)
}

// Main runs the pod init with the run entrypoint's arguments.
func Main(args []string) int {
	code, err := run(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "saturn pod init:", err)
		return 254
	}
	return code
}

func run(args []string) (int, error) {
	// The pod's apps come from stage1 init, which reads them out of the
	// pod manifest while this process starts (package appcspec).
	spec, err := podspec.Receive()
	if err != nil {
		return 0, err
	}
	// The apps share this PID namespace: keep them out of /proc/1's
	// memory, fds and exe.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	// Apps are forked from this process: none may inherit an fd it was
	// not given (stage1 init's pipes and sockets are found by number).
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return 0, fmt.Errorf("close_range: %w", err)
	}
	p := &pod{reaper: reaper.New(), running: map[string]int{}, began: time.Now(),
		started: make(chan struct{}), shielded: make(chan struct{})}
	ctlFile, err := podctl.Open()
	if err != nil {
		return 0, err
	}
	ctl := podctl.Commands(ctlFile)
	if err := p.setup(args, spec); err != nil {
		return 0, err
	}
	results := make(chan int)
	p.left = len(p.spec.Apps)
	var started sync.WaitGroup
	for i := range p.spec.Apps {
		started.Add(1)
		go func() { results <- p.runApp(&p.spec.Apps[i], started.Done) }()
	}
	// An app (root, with CAP_KILL) can signal PID 1: no signal stops the
	// pod; stop commands come from stage1 init (package podctl). Shield
	// takes a round trip to the Go runtime's signal thread per signal
	// (about 0.4 ms in all): it runs beside the roots' building, and no
	// app or handler starts before it is done (p.shielded).
	go func() { podctl.Shield(); close(p.shielded) }()
	// The apps' roots are built while stage1 init sets up the pod's
	// network and cgroup; they join their cgroups, and start, once it
	// says Start.
	if err := inpod.Ready(); err != nil {
		return 0, err
	}
	if c := <-ctl; c != podctl.Start {
		return 0, fmt.Errorf("stage1 init sent %q before starting the pod: %w", c, errdefs.ErrInvalid)
	}
	close(p.started)
	p.log.Debug("pod started", "elapsed", time.Since(p.began))
	ready := os.NewFile(readyFd, "ready")
	defer ready.Close()
	saidStarted := make(chan struct{})
	go func() {
		started.Wait()
		p.log.Debug("apps started", "elapsed", time.Since(p.began))
		ready.Write([]byte{Started})
		close(saidStarted)
		memtrim.TrimLater() // the code only setup ran: the pod init now waits
	}()
	code := 0
	for left := len(p.spec.Apps); left > 0; {
		select {
		case c := <-results:
			left--
			if c != 0 && code == 0 {
				code = c // the first failure is the pod's exit code; stop the rest
				p.stop(unix.SIGTERM, false)
			}
		case c := <-ctl:
			switch c {
			case podctl.Kill:
				p.stop(unix.SIGKILL, true)
			case podctl.Stop:
				p.stop(unix.SIGTERM, false)
			}
		}
	}
	// Every app ended: end what is left of the pod, so that its output
	// copies see the end of their pipes, and let them finish.
	if os.Getpid() == 1 { // kill(-1) anywhere else would reach beyond the pod
		unix.Kill(-1, unix.SIGKILL)
	}
	<-saidStarted // every app has called started: it comes at once
	ready.Write([]byte{Ended})
	p.closeLastNS()
	if !p.logs.Wait(Grace) {
		p.log.Warn("app output copies still blocked writing to saturn's output; giving up on them")
	}
	p.log.Debug("pod init exiting", "code", code, "elapsed", time.Since(p.began))
	return code, nil
}

// setup prepares what every app shares: mount propagation, hostname,
// network, status dir, empty volumes, the pod cgroup.
func (p *pod) setup(args []string, spec *podspec.Pod) error {
	var err error
	p.spec = spec
	if p.flags, err = podcfg.ParseRun(args); err != nil {
		return err
	}
	p.log = p.flags.Logger("pod-init")
	// Nothing mounted in the pod may propagate to the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts rslave: %w", err)
	}
	if err := unix.Sethostname([]byte(p.flags.Hostname)); err != nil {
		return fmt.Errorf("hostname: %w", err)
	}
	if p.dir, err = os.Getwd(); err != nil {
		return err
	}
	if p.flags.Interactive && len(p.spec.Apps) != 1 {
		return fmt.Errorf("--interactive needs a pod of exactly one app, not %d", len(p.spec.Apps))
	}
	if p.devNull, err = os.Open(os.DevNull); err != nil {
		return err
	}
	p.cgroup = spec.Cgroup
	if err := os.MkdirAll(podstate.StatusDir, 0o755); err != nil {
		return err
	}
	if err := p.takeSockets(); err != nil {
		return err
	}
	return approot.MakeEmptyVolumes(p.spec.EmptyVolumes)
}

// stop signals every running app; a graceful stop turns into SIGKILL after
// the grace period.
func (p *pod) stop(sig unix.Signal, noHooks bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noHooks = p.noHooks || noHooks
	if sig == unix.SIGKILL {
		p.killing = true
	} else if !p.stopping {
		time.AfterFunc(Grace, func() { p.stop(unix.SIGKILL, false) })
	}
	p.stopping = true
	for _, fd := range p.running {
		unix.PidfdSendSignal(fd, sig, nil, 0)
	}
}

// setRunning registers an app's main process for stop, and signals it at
// once if the pod is already stopping.
func (p *pod) setRunning(app string, pidfd int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[app] = pidfd
	switch {
	case p.killing:
		unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
	case p.stopping:
		unix.PidfdSendSignal(pidfd, unix.SIGTERM, nil, 0)
	}
}

func (p *pod) clearRunning(app string) (noHooks bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, app)
	return p.noHooks
}

package podinit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/ahead"
	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/nsthread"
	"github.com/saturnpod/saturn/stage1/podspec"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/reaper"
)

// runApp runs one app from setup to its post-stop handlers, records its
// exit code and returns it. started is called once the app runs (or failed
// to start).
func (p *pod) runApp(app *podspec.App, started func()) int {
	name := app.Name
	once := sync.OnceFunc(started)
	defer once()
	code, err := p.appLife(app, once)
	p.mu.Lock()
	p.left-- // see closeNS
	p.mu.Unlock()
	if err != nil {
		fmt.Fprintf(os.Stderr, "saturn: app %s: %v\n", name, err)
	}
	return code
}

func (p *pod) appLife(app *podspec.App, started func()) (int, error) {
	name := app.Name
	// The root is built (on a thread of its own, while the cgroups are
	// made) beside the making of the app's output copies, notify socket
	// and starter; a helper's start-up overlaps the build too.
	root := ahead.Run(func() (prepared, error) { return p.prepare(app, p.cgroupsOnStart(app)) })
	aio, err := p.newAppIO(app)
	r, rootErr := root()
	if rootErr == nil {
		defer p.closeNS(r.mntns)
	}
	if aio != nil {
		defer aio.close()
	}
	if err == nil {
		err = rootErr
	}
	if err != nil {
		if aio != nil {
			aio.st.abort()
		}
		return p.record(name, 254), err
	}
	mntns, spec, st, nl := r.mntns, r.spec, aio.st, aio.nl
	p.log.Debug("app root ready", "app", name, "elapsed", time.Since(p.began))
	<-p.shielded // before any process of the app's runs
	if err := p.hooks(app, spec, mntns, "pre-start"); err != nil {
		st.abort()
		return p.record(name, 254), err
	}
	spec.NewCgroupNS = true
	h, err := st.start(notifySpec(spec, nl), mntns)
	aio.closeW()
	if err != nil {
		return p.record(name, 254), err
	}
	// Written once the app runs, off its way to its exec: enter, which
	// reads it, joins only a pod whose apps have all started.
	if err := recordExec(spec); err != nil {
		fmt.Fprintf(os.Stderr, "saturn: app %s: enter will not find it: %v\n", name, err)
	}
	if pid, err := hostPid(h.pidfd); err == nil {
		// enter finds the app by this host PID.
		podstate.WriteInt(podstate.AppPidFile(name), pid)
	}
	p.setRunning(name, h.pidfd)
	whenReady(nl, started)
	p.log.Debug("app started", "app", name, "helper", st.helper != nil, "elapsed", time.Since(p.began))
	code := reaper.ExitCode(<-h.done)
	if p.cgroup != nil && code == 128+int(unix.SIGKILL) && oomKilled(p.cgroup, name) {
		// The status stays 137 (SIGKILL); this says who sent it.
		fmt.Fprintf(os.Stderr, "saturn: app %s: killed by the OOM killer: over its memory limit\n", name)
	}
	p.log.Debug("app exited", "app", name, "code", code, "elapsed", time.Since(p.began))
	podstate.ClearInt(podstate.AppPidFile(name))
	noHooks := p.clearRunning(name)
	unix.Close(h.pidfd)
	p.record(name, code)
	if !noHooks {
		if err := p.hooks(app, spec, mntns, "post-stop"); err != nil {
			fmt.Fprintf(os.Stderr, "saturn: app %s: %v\n", name, err)
		}
	}
	return code, nil
}

// record writes the app's exit code where stage0 reads it.
func (p *pod) record(name string, code int) int {
	if err := podstate.WriteInt(podstate.StatusFile(name), code); err != nil {
		fmt.Fprintf(os.Stderr, "saturn: app %s: record exit status: %v\n", name, err)
	}
	return code
}

// prepared is an app's root, built: its mount namespace, and how the app
// (and its handlers, and enter) exec.
type prepared struct {
	mntns int
	spec  *appexec.Spec
}

// prepare builds the app's root in a new mount namespace (on a thread of
// its own) and computes how to exec the app.
func (p *pod) prepare(app *podspec.App, podReady func() ([]approot.CgroupDir, error)) (prepared, error) {
	name := app.Name
	rs, err := p.rootSpec(app)
	if err != nil {
		return prepared{}, err
	}
	rs.PodReady = podReady
	if err := os.MkdirAll(podstate.AppDir(name), 0o700); err != nil {
		return prepared{}, err
	}
	mntns := -1
	var proc *appproc.Proc
	err = nsthread.Run(func() error {
		if mntns, err = approot.Setup(rs); err != nil {
			return err
		}
		// The thread's root is the app's now: users, groups and the
		// working dir are looked up in the image.
		proc, err = appproc.Resolve(&app.Proc, name)
		return err
	})
	if err == nil {
		// The root is ready, and so is the app's cgroup (the build
		// waited for it), which the spec names.
		_, err = podReady()
	}
	if err != nil {
		if mntns >= 0 {
			unix.Close(mntns)
		}
		return prepared{}, err
	}
	return prepared{mntns: mntns, spec: p.execSpec(name, app.Isolation, proc)}, nil
}

// cgroupsOnStart makes the app's cgroup, on a goroutine of its own, once
// stage1 init has set the pod up (podctl.Start); the function returned
// waits for it (approot.Spec.PodReady).
func (p *pod) cgroupsOnStart(app *podspec.App) func() ([]approot.CgroupDir, error) {
	return ahead.Run(func() ([]approot.CgroupDir, error) {
		<-p.started
		return p.appCgroup(app)
	})
}

// appCgroup makes the app's cgroup with its limits and lists its dirs.
func (p *pod) appCgroup(app *podspec.App) ([]approot.CgroupDir, error) {
	if p.cgroup == nil {
		return nil, nil
	}
	name := app.Name
	if err := p.cgroup.CreateApp(name, app.Limits); err != nil {
		return nil, err
	}
	var dirs []approot.CgroupDir
	for ctrls, dir := range p.cgroup.Dirs {
		dirs = append(dirs, approot.CgroupDir{Name: ctrls, Dir: filepath.Join(dir, name)})
	}
	return dirs, nil
}

func (p *pod) rootSpec(app *podspec.App) (*approot.Spec, error) {
	name := app.Name
	lower, err := os.ReadFile(filepath.Join("appsinfo", name, "lowerdir"))
	if err != nil {
		return nil, fmt.Errorf("app tree: %w", err)
	}
	mounts, err := p.notifyMount(app, app.Mounts)
	if err != nil {
		return nil, err
	}
	// The root is mounted on the directory that holds its upper and work
	// dirs: in the app's own mount namespace, where nothing else needs
	// them by path, and without one more directory to make per app.
	ov := filepath.Join(p.dir, "overlay", name)
	return &approot.Spec{
		Root:     ov,
		Lower:    strings.TrimSpace(string(lower)),
		Upper:    filepath.Join(ov, "upper"),
		Work:     filepath.Join(ov, "work"),
		Hostname: p.flags.Hostname,
		DNS:      p.flags.DNS,
		DNSDir:   filepath.Join(p.dir, podstate.EtcDir),
		Console:  p.flags.Interactive && isTerminal(0),
		Mounts:   mounts,
		// --readonly-rootfs and --insecure-options=paths.
		ReadOnlyRoot:  app.ReadOnlyRoot,
		UnmaskedPaths: p.flags.DisablePaths,
	}, nil
}

// execSpec is how the app (and its handlers, and enter) exec.
func (p *pod) execSpec(name string, iso isolation.Config, proc *appproc.Proc) *appexec.Spec {
	iso.UID, iso.GID, iso.Groups = proc.Cred.Uid, proc.Cred.Gid, proc.Cred.Groups
	return &appexec.Spec{Argv: proc.Argv, Env: proc.Env, Dir: proc.Dir, Isolation: iso, App: name, Cgroup: p.cgroup}
}

// recordExec saves spec for enter, which execs as the app does.
func recordExec(spec *appexec.Spec) error {
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	return podstate.WriteAtomic(podstate.AppExecFile(spec.App), b)
}

// hooks runs the app's event handlers of one kind, in order, in the app's
// root and confinement; a failing pre-start handler fails the app.
func (p *pod) hooks(app *podspec.App, spec *appexec.Spec, mntns int, kind string) error {
	for _, h := range app.Handlers {
		if h.Event != kind {
			continue
		}
		hs := *spec
		hs.Argv, hs.NewCgroupNS = h.Exec, false
		// Handlers never read the caller's stdin.
		hp, err := p.spawn([3]uintptr{p.devNull.Fd(), 1, 2}, false, spec.App)
		if err == nil {
			err = hp.exec(&hs, mntns)
		}
		if err != nil {
			return fmt.Errorf("%s handler: %w", kind, err)
		}
		if code := reaper.ExitCode(<-hp.done); code != 0 {
			return fmt.Errorf("%s handler %q exited %d", kind, h.Exec, code)
		}
	}
	return nil
}

// appStdio is the caller's stdin for an interactive app, else /dev/null.
func (p *pod) appStdio() [3]uintptr {
	if p.flags.Interactive {
		return [3]uintptr{0, 1, 2}
	}
	return [3]uintptr{p.devNull.Fd(), 1, 2}
}

// hostPid reads the host PID of a pidfd's process from fdinfo, through
// the host's /proc that the pod init's mount namespace still has.
func hostPid(pidfd int) (int, error) {
	f, err := os.Open("/proc/self/fdinfo/" + strconv.Itoa(pidfd))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Pid:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no Pid in fdinfo of pidfd %d", pidfd)
}

func oomKilled(cg *cgroups.Pod, app string) bool {
	oom, _ := cg.OOMKilled(app)
	return oom
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// closeNS closes an app's mount namespace once the app and its handlers
// are done with it. The last close unmounts all of the app's root (about
// 0.2 ms): for the pod's last app, that waits until stage1 init has heard
// that the pod ended (closeLastNS), so that its removal of the pod cgroup
// overlaps this work rather than follows it.
func (p *pod) closeNS(fd int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.left > 1 {
		unix.Close(fd)
		return
	}
	p.lastNS = append(p.lastNS, fd)
}

// closeLastNS closes what closeNS kept, once the pod has ended.
func (p *pod) closeLastNS() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, fd := range p.lastNS {
		unix.Close(fd)
	}
	p.lastNS = nil
}

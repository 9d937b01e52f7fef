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

	"github.com/appc/spec/schema"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/nsthread"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/reaper"
)

// runApp runs one app from setup to its post-stop handlers, records its
// exit code and returns it. started is called once the app runs (or failed
// to start).
func (p *pod) runApp(ra *schema.RuntimeApp, started func()) int {
	name := ra.Name.String()
	once := sync.OnceFunc(started)
	defer once()
	code, err := p.appLife(ra, name, once)
	p.mu.Lock()
	p.left-- // see closeNS
	p.mu.Unlock()
	if err != nil {
		fmt.Fprintf(os.Stderr, "saturn: app %s: %v\n", name, err)
	}
	return code
}

func (p *pod) appLife(ra *schema.RuntimeApp, name string, started func()) (int, error) {
	iso, err := isolation.FromIsolators(ra.App.Isolators, isolation.Insecure{
		Capabilities: p.flags.DisableCaps, Seccomp: p.flags.DisableSeccomp,
	})
	if err != nil {
		return p.record(name, 254), err
	}
	stdio, closeW, err := p.appOutput(name)
	if err != nil {
		return p.record(name, 254), err
	}
	// The pod init's copies of the output pipes' write ends go once the
	// app (or its helper) has its own.
	closeW = sync.OnceFunc(closeW)
	defer closeW()
	nl, err := p.notifyListen(ra, name)
	if err != nil {
		return p.record(name, 254), err
	}
	if nl != nil {
		defer nl.Close()
	}
	// A helper's start-up overlaps the building of the root, which
	// overlaps the making of the cgroups.
	st, err := p.newStarter(name, stdio, iso)
	if err != nil {
		return p.record(name, 254), err
	}
	mntns, spec, err := p.prepare(ra, name, iso, p.cgroupsOnStart(ra, name))
	if err != nil {
		st.abort()
		return p.record(name, 254), err
	}
	defer p.closeNS(mntns)
	p.log.Debug("app root ready", "app", name, "elapsed", time.Since(p.began))
	<-p.shielded // before any process of the app's runs
	if err := p.hooks(ra, spec, mntns, "pre-start"); err != nil {
		st.abort()
		return p.record(name, 254), err
	}
	spec.NewCgroupNS = true
	h, err := st.start(notifySpec(spec, nl), mntns)
	closeW()
	if err != nil {
		return p.record(name, 254), err
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
		if err := p.hooks(ra, spec, mntns, "post-stop"); err != nil {
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

// prepare builds the app's root in a new mount namespace (on a thread of
// its own) and computes how to exec the app. It returns the namespace.
func (p *pod) prepare(ra *schema.RuntimeApp, name string, iso isolation.Config, podReady func() ([]approot.CgroupDir, error)) (int, *appexec.Spec, error) {
	rs, err := p.rootSpec(ra, name)
	if err != nil {
		return -1, nil, err
	}
	rs.PodReady = podReady
	if err := os.MkdirAll(podstate.AppDir(name), 0o700); err != nil {
		return -1, nil, err
	}
	mntns := -1
	var proc *appproc.Proc
	err = nsthread.Run(func() error {
		if mntns, err = approot.Setup(rs); err != nil {
			return err
		}
		// The thread's root is the app's now: users, groups and the
		// working dir are looked up in the image.
		proc, err = appproc.Resolve(ra.App, name)
		return err
	})
	if err != nil {
		if mntns >= 0 {
			unix.Close(mntns)
		}
		return -1, nil, err
	}
	// The root is ready, and so is the app's cgroup (the build waited for
	// it), which the spec names.
	if _, err := podReady(); err != nil {
		unix.Close(mntns)
		return -1, nil, err
	}
	spec, err := p.execSpec(name, iso, proc)
	if err != nil {
		unix.Close(mntns)
		return -1, nil, err
	}
	return mntns, spec, nil
}

// cgroupsOnStart makes the app's cgroup, on a goroutine of its own, once
// stage1 init has set the pod up (podctl.Start); the function returned
// waits for it (approot.Spec.PodReady).
func (p *pod) cgroupsOnStart(ra *schema.RuntimeApp, name string) func() ([]approot.CgroupDir, error) {
	return ahead(func() ([]approot.CgroupDir, error) {
		<-p.started
		return p.appCgroup(ra, name)
	})
}

// appCgroup makes the app's cgroup with its limits and lists its dirs.
func (p *pod) appCgroup(ra *schema.RuntimeApp, name string) ([]approot.CgroupDir, error) {
	if p.cgroup == nil {
		return nil, nil
	}
	limits, err := cgroups.LimitsFromIsolators(ra.App.Isolators)
	if err != nil {
		return nil, err
	}
	if err := p.cgroup.CreateApp(name, limits); err != nil {
		return nil, err
	}
	var dirs []approot.CgroupDir
	for ctrls, dir := range p.cgroup.Dirs {
		dirs = append(dirs, approot.CgroupDir{Name: ctrls, Dir: filepath.Join(dir, name)})
	}
	return dirs, nil
}

func (p *pod) rootSpec(ra *schema.RuntimeApp, name string) (*approot.Spec, error) {
	lower, err := os.ReadFile(filepath.Join("appsinfo", name, "lowerdir"))
	if err != nil {
		return nil, fmt.Errorf("app tree: %w", err)
	}
	mounts, err := approot.Mounts(p.pm, ra, func(vol string) string { return filepath.Join(p.dir, podstate.VolumeDir(vol)) })
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
		Mounts:   p.notifyMount(ra, name, mounts),
		// --readonly-rootfs and --insecure-options=paths.
		ReadOnlyRoot:  ra.ReadOnlyRootFS,
		UnmaskedPaths: p.flags.DisablePaths,
	}, nil
}

// execSpec is how the app (and its handlers, and enter) exec, saved for enter.
func (p *pod) execSpec(name string, iso isolation.Config, proc *appproc.Proc) (*appexec.Spec, error) {
	iso.UID, iso.GID, iso.Groups = proc.Cred.Uid, proc.Cred.Gid, proc.Cred.Groups
	spec := &appexec.Spec{Argv: proc.Argv, Env: proc.Env, Dir: proc.Dir, Isolation: iso, App: name, Cgroup: p.cgroup}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	return spec, podstate.WriteAtomic(podstate.AppExecFile(name), b)
}

// hooks runs the app's event handlers of one kind, in order, in the app's
// root and confinement; a failing pre-start handler fails the app.
func (p *pod) hooks(ra *schema.RuntimeApp, spec *appexec.Spec, mntns int, kind string) error {
	for _, h := range ra.App.EventHandlers {
		if h.Name != kind || len(h.Exec) == 0 {
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

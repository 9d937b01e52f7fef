package podspec

import (
	"maps"
	"math"
	"slices"

	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// magic starts every encoded Pod; its last byte is the format's version.
// stage1 init and the pod init come from one stage1 image, so they always
// agree; the check catches anything else on the pipe.
const magic = "saturn-podspec\x01"

// Every type's fields, in order. TestCodecCoversEveryField fails when a
// field is added to any of these types and not here.

func (p *Pod) encode() []byte {
	w := &writer{buf: []byte(magic)}
	w.uint(uint64(len(p.Apps)))
	for i := range p.Apps {
		putApp(w, &p.Apps[i])
	}
	w.uint(uint64(len(p.EmptyVolumes)))
	for _, v := range p.EmptyVolumes {
		w.string(v.Name)
		w.uint(uint64(v.Mode))
		w.int(int64(v.UID))
		w.int(int64(v.GID))
	}
	putCgroup(w, p.Cgroup)
	return w.buf
}

func decode(b []byte) (*Pod, error) {
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		r := &reader{}
		r.fail("header")
		return nil, r.err
	}
	r := &reader{buf: b[len(magic):]}
	p := &Pod{}
	if n := r.count(); n > 0 {
		p.Apps = make([]App, n)
		for i := range p.Apps {
			getApp(r, &p.Apps[i])
		}
	}
	if n := r.count(); n > 0 {
		p.EmptyVolumes = make([]approot.EmptyVolume, n)
		for i := range p.EmptyVolumes {
			v := &p.EmptyVolumes[i]
			v.Name, v.Mode = r.string(), r.uint32()
			v.UID, v.GID = int(r.int()), int(r.int())
		}
	}
	p.Cgroup = getCgroup(r)
	if r.err == nil && len(r.buf) > 0 {
		r.fail("trailing data")
	}
	return p, r.err
}

func putApp(w *writer, a *App) {
	w.string(a.Name)
	putProc(w, &a.Proc)
	putIsolation(w, &a.Isolation)
	w.int(a.Limits.MemoryBytes)
	w.int(a.Limits.CPUMillis)
	w.uint(a.Limits.CPUShares)
	w.uint(uint64(len(a.Mounts)))
	for _, m := range a.Mounts {
		w.string(m.Source)
		w.string(m.Target)
		w.bool(m.ReadOnly)
		w.bool(m.Recursive)
	}
	w.bool(a.ReadOnlyRoot)
	w.uint(uint64(len(a.Handlers)))
	for _, h := range a.Handlers {
		w.string(h.Event)
		w.strings(h.Exec)
	}
	w.strings(a.SocketPorts)
	w.bool(a.Notify)
}

func getApp(r *reader, a *App) {
	a.Name = r.string()
	getProc(r, &a.Proc)
	getIsolation(r, &a.Isolation)
	a.Limits = cgroups.Limits{MemoryBytes: r.int(), CPUMillis: r.int(), CPUShares: r.uint()}
	if n := r.count(); n > 0 {
		a.Mounts = make([]approot.Mount, n)
		for i := range a.Mounts {
			m := &a.Mounts[i]
			m.Source, m.Target = r.string(), r.string()
			m.ReadOnly, m.Recursive = r.bool(), r.bool()
		}
	}
	a.ReadOnlyRoot = r.bool()
	if n := r.count(); n > 0 {
		a.Handlers = make([]Handler, n)
		for i := range a.Handlers {
			a.Handlers[i] = Handler{Event: r.string(), Exec: r.strings()}
		}
	}
	a.SocketPorts = r.strings()
	a.Notify = r.bool()
}

func putProc(w *writer, p *appproc.App) {
	w.strings(p.Exec)
	w.string(p.User)
	w.string(p.Group)
	w.uint(uint64(len(p.SupplementaryGIDs)))
	for _, g := range p.SupplementaryGIDs {
		w.int(int64(g))
	}
	w.string(p.WorkingDirectory)
	w.strings(p.Environment)
}

func getProc(r *reader, p *appproc.App) {
	p.Exec, p.User, p.Group = r.strings(), r.string(), r.string()
	if n := r.count(); n > 0 {
		p.SupplementaryGIDs = make([]int, n)
		for i := range p.SupplementaryGIDs {
			p.SupplementaryGIDs[i] = int(r.int())
		}
	}
	p.WorkingDirectory, p.Environment = r.string(), r.strings()
}

func putIsolation(w *writer, c *isolation.Config) {
	w.uint(uint64(c.UID))
	w.uint(uint64(c.GID))
	w.uint(uint64(len(c.Groups)))
	for _, g := range c.Groups {
		w.uint(uint64(g))
	}
	w.uint(uint64(c.Bounding))
	w.bool(c.NoNewPrivs)
	w.bool(c.Seccomp != nil)
	if c.Seccomp != nil {
		w.string(string(c.Seccomp.Mode))
		w.strings(c.Seccomp.Syscalls)
		w.string(c.Seccomp.Errno)
	}
	w.bool(c.OOMScoreAdj != nil)
	if c.OOMScoreAdj != nil {
		w.int(int64(*c.OOMScoreAdj))
	}
	w.uint(uint64(len(c.Rlimits)))
	for _, l := range c.Rlimits {
		w.int(int64(l.Resource))
		w.uint(l.Cur)
		w.uint(l.Max)
	}
}

func getIsolation(r *reader, c *isolation.Config) {
	c.UID, c.GID = r.uint32(), r.uint32()
	if n := r.count(); n > 0 {
		c.Groups = make([]uint32, n)
		for i := range c.Groups {
			c.Groups[i] = r.uint32()
		}
	}
	c.Bounding = caps.Set(r.uint())
	c.NoNewPrivs = r.bool()
	if r.bool() {
		c.Seccomp = &seccomp.Spec{Mode: seccomp.Mode(r.string()), Syscalls: r.strings(), Errno: r.string()}
	}
	if r.bool() {
		adj := int(r.int())
		c.OOMScoreAdj = &adj
	}
	if n := r.count(); n > 0 {
		c.Rlimits = make([]isolation.Rlimit, n)
		for i := range c.Rlimits {
			c.Rlimits[i] = isolation.Rlimit{Resource: int(r.int()), Cur: r.uint(), Max: r.uint()}
		}
	}
}

func putCgroup(w *writer, cg *cgroups.Pod) {
	w.bool(cg != nil)
	if cg == nil {
		return
	}
	w.bool(cg.Unified)
	w.uint(uint64(len(cg.Dirs)))
	for _, ctrls := range slices.Sorted(maps.Keys(cg.Dirs)) {
		w.string(ctrls)
		w.string(cg.Dirs[ctrls])
	}
}

func getCgroup(r *reader) *cgroups.Pod {
	if !r.bool() {
		return nil
	}
	cg := &cgroups.Pod{Unified: r.bool(), Dirs: map[string]string{}}
	for n := r.count(); n > 0 && r.err == nil; n-- {
		ctrls := r.string()
		cg.Dirs[ctrls] = r.string()
	}
	return cg
}

func (r *reader) uint32() uint32 {
	v := r.uint()
	if v > math.MaxUint32 {
		r.fail("32-bit number")
		return 0
	}
	return uint32(v)
}

package pod

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/appc/spec/schema/types"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/topdir"
)

// Pods is the pod area of a data dir: <data>/pods/<state>/<uuid>.
type Pods struct {
	root string
}

// Open returns the pod area of dataDir, creating the state dirs if needed.
func Open(dataDir string) (*Pods, error) {
	ps := &Pods{root: filepath.Join(dataDir, "pods")}
	for _, d := range stateDirs() {
		// 0711: users may reach a pod dir they know the UUID of, not list them.
		if err := os.MkdirAll(filepath.Join(ps.root, d), 0o711); err != nil {
			return nil, fmt.Errorf("create pod state dir: %w", err)
		}
	}
	// Pods are made in embryo/, and removed by the dozen by gc: spread over
	// the disk, a pod start does not pay for the inodes freed before it
	// (package topdir). A filesystem without the flag just goes without.
	_ = topdir.Mark(filepath.Join(ps.root, DirEmbryo))
	return ps, nil
}

// Root is <data>/pods.
func (ps *Pods) Root() string { return ps.root }

// Create allocates a new pod and returns it locked, in the prepare state.
// The UUID is claimed by mkdir in embryo/, so two creators never share one.
func (ps *Pods) Create() (*Pod, error) {
	for range 8 {
		uuid, err := newUUID()
		if err != nil {
			return nil, err
		}
		p := &Pod{UUID: uuid, pods: ps, dir: DirEmbryo}
		if err := os.Mkdir(p.Path(), 0o750); errors.Is(err, os.ErrExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("create pod dir: %w", err)
		}
		if err := p.Lock(); err != nil {
			return nil, err
		}
		// gc may have taken an embryo it believed abandoned.
		if p.dir != DirEmbryo {
			p.Close()
			return nil, fmt.Errorf("new pod %s was taken by gc: %w", p.UUID, errdefs.ErrBusy)
		}
		// Not synced: a crash leaves the pod unlocked in embryo/ or in
		// prepare/, garbage either way. The commit of the pod's next
		// durable transition carries this move too.
		if err := p.Move(DirPrepare); err != nil {
			p.Close()
			return nil, err
		}
		return p, nil
	}
	return nil, fmt.Errorf("allocate pod UUID: %w", errdefs.ErrAlreadyExists)
}

// newUUID returns a random (version 4) UUID in appc's canonical form.
func newUUID() (string, error) {
	var u types.UUID
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("generate UUID: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String(), nil
}

// Get finds a pod by full UUID (one stat per state dir, however many pods
// exist) or by unambiguous UUID prefix (names of the state dirs only).
func (ps *Pods) Get(ref string) (*Pod, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if ref == "" {
		return nil, fmt.Errorf("empty pod UUID: %w", errdefs.ErrInvalid)
	}
	if u, err := types.NewUUID(ref); err == nil {
		full := u.String()
		if dir := ps.locate(full); dir != "" {
			return &Pod{UUID: full, pods: ps, dir: dir}, nil
		}
		return nil, fmt.Errorf("pod %s: %w", full, errdefs.ErrNotFound)
	}
	if strings.Trim(ref, "0123456789abcdef-") != "" {
		return nil, fmt.Errorf("pod %q is not a UUID or UUID prefix: %w", ref, errdefs.ErrInvalid)
	}
	var matches []*Pod
	for _, d := range stateDirs() {
		names, err := readNames(filepath.Join(ps.root, d))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if strings.HasPrefix(n, ref) {
				matches = append(matches, &Pod{UUID: n, pods: ps, dir: d})
			}
		}
	}
	switch len(matches) {
	case 0:
		return nil, fmt.Errorf("pod %s: %w", ref, errdefs.ErrNotFound)
	case 1:
		return matches[0], nil
	}
	var ids []string
	for _, m := range matches {
		ids = append(ids, m.UUID)
	}
	sort.Strings(ids)
	return nil, fmt.Errorf("pod prefix %s matches %s: %w", ref, strings.Join(ids, ", "), errdefs.ErrAmbiguous)
}

// GetFromFile reads a UUID from a file written by --uuid-file-save and finds the pod.
func (ps *Pods) GetFromFile(path string) (*Pod, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read UUID file: %w", err)
	}
	return ps.Get(string(b))
}

// locate returns the state dir that holds uuid now, or "".
func (ps *Pods) locate(uuid string) string {
	for _, d := range stateDirs() {
		if _, err := os.Lstat(filepath.Join(ps.root, d, uuid)); err == nil {
			return d
		}
	}
	return ""
}

// List returns every pod, in state-dir order then by UUID. A pod may move
// while List reads; it then shows up in one of its states, or (rarely) twice
// or not at all, which callers that act on pods resolve by locking.
func (ps *Pods) List() ([]*Pod, error) {
	var all []*Pod
	for _, d := range stateDirs() {
		names, err := readNames(filepath.Join(ps.root, d))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			all = append(all, &Pod{UUID: n, pods: ps, dir: d})
		}
	}
	return all, nil
}

// readNames lists a state dir, skipping anything that is not a UUID (a
// stray file must not turn into a pod).
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("read pods: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read pods in %s: %w", dir, err)
	}
	out := names[:0]
	for _, n := range names {
		if u, err := types.NewUUID(n); err == nil && u.String() == n {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// fsyncDir makes a rename in dir durable.
func fsyncDir(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := unix.Fsync(fd); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

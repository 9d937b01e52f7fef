package stage0

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/saturnpod/saturn/stage0/pod"
	"github.com/saturnpod/saturn/store"
)

// TreesInUse reports the store trees that some pod still references (its
// stage1 or an app's root), for the store's image gc and rm: a tree under
// a pod's overlay must not be removed while the pod dir exists.
func (r *Runtime) TreesInUse() (store.InUse, error) {
	pods, err := r.pods.List()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	add := func(path string) {
		if b, err := os.ReadFile(path); err == nil {
			used[strings.TrimSpace(string(b))] = true
		}
	}
	for _, p := range pods {
		dir := p.Path()
		add(pod.Stage1TreeStoreIDPath(dir))
		infos, _ := filepath.Glob(filepath.Join(dir, "appsinfo", "*", "treeStoreID"))
		for _, f := range infos {
			add(f)
		}
	}
	return func(treeID string) bool { return used[treeID] }, nil
}

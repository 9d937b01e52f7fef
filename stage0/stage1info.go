package stage0

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// stage1Info is what stage0 needs of a pod's stage1: the name and
// annotations of its image manifest, and its tree.
type stage1Info struct {
	name        string
	annotations map[string]string
	version     int    // the stage1 interface version it speaks
	tree        string // rendered rootfs in the tree store
}

// stage1Manifest is the part of a stage1 image manifest stage0 reads. It
// is decoded without appc's validating decoder, whose regexps cost more
// than the rest of reading it: the store validated the manifest when it
// imported the image, and the pod's copy is that manifest byte for byte.
type stage1Manifest struct {
	Name        string `json:"name"`
	Annotations []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"annotations"`
}

// parseStage1 reads a stage1 image manifest; tree is its rendered rootfs.
func parseStage1(b []byte, tree string) (*stage1Info, error) {
	var m stage1Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("stage1 manifest: %v: %w", err, errdefs.ErrInvalid)
	}
	s := &stage1Info{name: m.Name, annotations: map[string]string{}, version: 1, tree: tree}
	for _, a := range m.Annotations {
		if _, dup := s.annotations[a.Name]; !dup { // appc's Get: the first one
			s.annotations[a.Name] = a.Value
		}
	}
	// rkt: no annotation means version 1
	if v, ok := s.annotations[annotationInterfaceVersion]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("stage1 interface version %q: %w", v, errdefs.ErrInvalid)
		}
		s.version = n
	}
	return s, nil
}

// readStage1 reads a prepared pod's stage1 manifest and finds its tree.
func (r *Runtime) readStage1(podDir string) (*stage1Info, error) {
	b, err := os.ReadFile(pod.Stage1ManifestPath(podDir))
	if err != nil {
		return nil, fmt.Errorf("read stage1 manifest: %w", err)
	}
	idb, err := os.ReadFile(pod.Stage1TreeStoreIDPath(podDir))
	if err != nil {
		return nil, fmt.Errorf("read stage1 tree ID: %w", err)
	}
	st, err := r.Store()
	if err != nil {
		return nil, err
	}
	tree, err := st.TreeRootfs(strings.TrimSpace(string(idb)))
	if err != nil {
		return nil, fmt.Errorf("stage1 tree: %w", err)
	}
	return parseStage1(b, tree)
}

// entrypoint returns the path (inside the stage1 root) an annotation names.
func (s *stage1Info) entrypoint(annotation string) (string, error) {
	ep := s.annotations[annotation]
	if ep == "" {
		return "", fmt.Errorf("stage1 %s has no %s entrypoint: %w", s.name, annotation, errdefs.ErrNotFound)
	}
	return ep, nil
}

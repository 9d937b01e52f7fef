package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"
	"github.com/saturnpod/saturn/internal/errdefs"
)

// refDir is the index directory of one image name. Names are hashed so any
// valid name (long, with slashes) maps to one safe file name.
func (s *Store) refDir(name string) string {
	h := sha256.Sum256([]byte(name))
	return filepath.Join(s.dir, "refs", hex.EncodeToString(h[:]))
}

func (s *Store) addRef(name, id string) error {
	dir := s.refDir(name)
	for try := 0; ; try++ {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		f, err := os.OpenFile(filepath.Join(dir, id), os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			return f.Close()
		}
		// gc removes empty reference directories; it may have removed
		// this one between our MkdirAll and OpenFile.
		if !errors.Is(err, os.ErrNotExist) || try == 3 {
			return fmt.Errorf("import: %w", err)
		}
	}
}

// Resolve turns what a user typed into a full image ID: a full ID, an
// unambiguous prefix of one ("sha512-3f2a"), or a name with an optional
// version and labels ("example.com/app:1.0,os=linux,arch=amd64"). When
// several images carry the name and labels, the latest imported wins, as in
// appc. It fails with errdefs.ErrNotFound, or errdefs.ErrAmbiguous listing
// the IDs a prefix matches.
func (s *Store) Resolve(ref string) (string, error) {
	if strings.HasPrefix(ref, IDPrefix) {
		return s.resolveID(ref)
	}
	name, labels, err := ParseImageRef(ref)
	if err != nil {
		return "", err
	}
	return s.resolveName(name, labels)
}

func (s *Store) resolveID(prefix string) (string, error) {
	if !isIDPrefix(prefix) {
		return "", fmt.Errorf("%q is not an image ID or prefix (sha512- and lowercase hex): %w", prefix, errdefs.ErrInvalid)
	}
	if len(prefix) == idLen {
		if _, err := os.Stat(s.imageDir(prefix)); err != nil {
			return "", fmt.Errorf("image %s: %w", prefix, errdefs.ErrNotFound)
		}
		return prefix, nil
	}
	ids, err := s.imageIDs()
	if err != nil {
		return "", err
	}
	var match []string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			match = append(match, id)
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("image %s: %w", prefix, errdefs.ErrNotFound)
	case 1:
		return match[0], nil
	}
	return "", fmt.Errorf("image prefix %s matches %s: %w", prefix, strings.Join(match, ", "), errdefs.ErrAmbiguous)
}

// imageIDs lists the IDs of the images in the store, sorted.
func (s *Store) imageIDs() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "images"))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if IsID(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

func (s *Store) resolveName(name string, labels map[string]string) (string, error) {
	ents, err := os.ReadDir(s.refDir(name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("store: %w", err)
	}
	var best string
	var bestInfo info
	for _, e := range ents {
		id := e.Name()
		if !IsID(id) {
			continue
		}
		inf, err := s.readInfo(id)
		if err != nil || inf.Name != name || !labelsMatch(inf.Labels, labels) {
			continue // removed meanwhile, or a dangling reference
		}
		if best == "" || inf.ImportTime.After(bestInfo.ImportTime) ||
			(inf.ImportTime.Equal(bestInfo.ImportTime) && id > best) {
			best, bestInfo = id, inf
		}
	}
	if best == "" {
		return "", fmt.Errorf("image %s%s: %w", name, formatLabels(labels), errdefs.ErrNotFound)
	}
	return best, nil
}

func labelsMatch(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func formatLabels(l map[string]string) string {
	var parts []string
	for k, v := range l {
		parts = append(parts, ","+k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, "")
}

func (s *Store) readInfo(id string) (info, error) {
	var inf info
	b, err := os.ReadFile(filepath.Join(s.imageDir(id), "info"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return inf, fmt.Errorf("image %s: %w", id, errdefs.ErrNotFound)
		}
		return inf, fmt.Errorf("image %s: %w", id, err)
	}
	if err := json.Unmarshal(b, &inf); err != nil {
		return inf, fmt.Errorf("image %s: info: %w", id, err)
	}
	return inf, nil
}

// ParseImageRef splits "name[:version][,label=value...]" into an appc name
// and labels (the version is the "version" label).
func ParseImageRef(ref string) (string, map[string]string, error) {
	parts := strings.Split(ref, ",")
	name, version, hasVersion := strings.Cut(parts[0], ":")
	if _, err := types.NewACIdentifier(name); err != nil {
		return "", nil, fmt.Errorf("image %q: bad name: %v: %w", ref, err, errdefs.ErrInvalid)
	}
	labels := map[string]string{}
	if hasVersion {
		if version == "" {
			return "", nil, fmt.Errorf("image %q: empty version: %w", ref, errdefs.ErrInvalid)
		}
		labels["version"] = version
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return "", nil, fmt.Errorf("image %q: label %q is not name=value: %w", ref, p, errdefs.ErrInvalid)
		}
		if _, dup := labels[k]; dup {
			return "", nil, fmt.Errorf("image %q: label %q given twice: %w", ref, k, errdefs.ErrInvalid)
		}
		labels[k] = v
	}
	return name, labels, nil
}

// Manifest returns the manifest of an image (id is a full ID).
func (s *Store) Manifest(id string) (*schema.ImageManifest, error) {
	b, err := s.ManifestBytes(id)
	if err != nil {
		return nil, err
	}
	return ParseManifest(b)
}

// ManifestBytes returns the manifest of an image as stored in its ACI.
func (s *Store) ManifestBytes(id string) ([]byte, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(s.imageDir(id), "manifest"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("image %s: %w", id, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", id, err)
	}
	return b, nil
}

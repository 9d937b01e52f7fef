package store

import (
	"encoding/json"
	"fmt"
	"path"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"
	"github.com/saturnpod/saturn/internal/errdefs"
)

// ParseManifest parses and checks an image manifest from an untrusted
// image. appc's parser is not safe on hostile input, so this checks first
// what it gets wrong:
//
//   - an isolator without a value makes it dereference nil (panic);
//   - an isolator it does not know makes it fail with a bare "invalid
//     isolator". saturn refuses such images with a message naming the
//     isolator, rather than running an app without a restriction its author
//     asked for;
//   - a dependency imageID may be any string after "sha512-";
//   - pathWhitelist entries are not checked at all.
//
// A panic that still happens inside appc is turned into an error.
func ParseManifest(b []byte) (m *schema.ImageManifest, err error) {
	if err := precheckManifest(b); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("manifest: unparsable (%v): %w", r, errdefs.ErrInvalid)
		}
	}()
	m = &schema.ImageManifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", oneLine(err.Error()), errdefs.ErrInvalid)
	}
	for _, d := range m.Dependencies {
		if d.ImageID != nil && !d.ImageID.Empty() && !isIDPrefix(d.ImageID.String()) {
			return nil, fmt.Errorf("manifest: dependency %s: imageID %q is not sha512- and lowercase hex: %w", d.ImageName, d.ImageID.String(), errdefs.ErrInvalid)
		}
	}
	for _, p := range m.PathWhitelist {
		if !path.IsAbs(p) || path.Clean(p) != p {
			return nil, fmt.Errorf("manifest: pathWhitelist entry %q is not a clean absolute path: %w", p, errdefs.ErrInvalid)
		}
	}
	return m, nil
}

// rawManifest is the part of a manifest that needs checking before appc sees it.
type rawManifest struct {
	App *struct {
		Isolators []rawIsolator `json:"isolators"`
	} `json:"app"`
}

type rawIsolator struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

func precheckManifest(b []byte) error {
	var raw rawManifest
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("%s: %w", oneLine(err.Error()), errdefs.ErrInvalid)
	}
	if raw.App == nil {
		return nil
	}
	for _, iso := range raw.App.Isolators {
		if err := CheckIsolator(iso.Name, iso.Value); err != nil {
			return err
		}
	}
	return nil
}

// CheckIsolator checks one app isolator: it must have a value, and be one
// appc (hence saturn) knows, with a valid value.
func CheckIsolator(name string, value json.RawMessage) (err error) {
	if len(value) == 0 || string(value) == "null" {
		return fmt.Errorf("isolator %q has no value: %w", name, errdefs.ErrInvalid)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("isolator %q: unparsable (%v): %w", name, r, errdefs.ErrInvalid)
		}
	}()
	doc, _ := json.Marshal(rawIsolator{Name: name, Value: value})
	var iso types.Isolator
	if err := json.Unmarshal(doc, &iso); err != nil {
		return fmt.Errorf("isolator %q: %s: %w", name, oneLine(err.Error()), errdefs.ErrInvalid)
	}
	if iso.Value() == nil {
		return fmt.Errorf("isolator %q is not known to saturn: %w", name, errdefs.ErrInvalid)
	}
	return nil
}

// oneLine flattens appc's multi-line syntax errors.
func oneLine(s string) string {
	out := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '\t' || c == ' ' {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	return string(out)
}

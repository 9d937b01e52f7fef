package stage0

import (
	"errors"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestParseStage1(t *testing.T) {
	b := []byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/s1",
		"annotations":[
			{"name":"coreos.com/rkt/stage1/run","value":"/run"},
			{"name":"coreos.com/rkt/stage1/interface-version","value":"3"},
			{"name":"coreos.com/rkt/stage1/run","value":"/second"}]}`)
	s1, err := parseStage1(b, "/tree")
	if err != nil {
		t.Fatal(err)
	}
	if s1.name != "example.com/s1" || s1.version != 3 || s1.tree != "/tree" {
		t.Fatalf("parsed %+v", s1)
	}
	if ep, err := s1.entrypoint(annotationRun); err != nil || ep != "/run" {
		t.Fatalf("run entrypoint %q %v, want the first annotation", ep, err)
	}
	if _, err := s1.entrypoint(annotationEnter); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("missing entrypoint: %v", err)
	}

	s1, err = parseStage1([]byte(`{"name":"x"}`), "")
	if err != nil || s1.version != 1 {
		t.Fatalf("no version annotation means 1: %+v %v", s1, err)
	}
	for _, bad := range []string{
		`{"annotations":[{"name":"coreos.com/rkt/stage1/interface-version","value":"0"}]}`,
		`{"annotations":[{"name":"coreos.com/rkt/stage1/interface-version","value":"x"}]}`,
		`{"annotations":`,
	} {
		if _, err := parseStage1([]byte(bad), ""); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", bad, err)
		}
	}
}

package passwd

import (
	"errors"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

const passwdFile = `# comment
root:x:0:0:root:/root:/bin/sh
broken:x:notanumber:0::/:/bin/sh
neg:x:-1:0::/:/bin/sh
app:x:1000:1001:App:/home/app:/bin/sh
`

const groupFile = `root:x:0:
app:x:1001:
wheel:x:10:app,root
`

func TestLookupUser(t *testing.T) {
	u, err := LookupUser(strings.NewReader(passwdFile), "app")
	if err != nil {
		t.Fatal(err)
	}
	if u != (User{Name: "app", UID: 1000, GID: 1001, Home: "/home/app"}) {
		t.Fatalf("got %+v", u)
	}
	for _, name := range []string{"nobody", "broken", "neg", "#", ""} {
		if _, err := LookupUser(strings.NewReader(passwdFile), name); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("%q: got %v, want not found", name, err)
		}
	}
}

func TestLookupGroup(t *testing.T) {
	g, err := LookupGroup(strings.NewReader(groupFile), "wheel")
	if err != nil {
		t.Fatal(err)
	}
	if g.GID != 10 || len(g.Members) != 2 || g.Members[1] != "root" {
		t.Fatalf("got %+v", g)
	}
	if _, err := LookupGroup(strings.NewReader(groupFile), "nogroup"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("a", MaxLineSize+1) + ":x:0:0::/:/bin/sh\n"
	if _, err := LookupUser(strings.NewReader(long), "root"); !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("long line: got %v", err)
	}
	big := strings.Repeat("u:x:1:1::/:/bin/sh\n", MaxFileSize/19+10)
	if _, err := LookupUser(strings.NewReader(big), "root"); !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("big file: got %v", err)
	}
	// A match before the limit is found without reading the rest.
	if _, err := LookupUser(strings.NewReader("root:x:0:0::/:/bin/sh\n"+big), "root"); err != nil {
		t.Fatalf("early match: %v", err)
	}
}

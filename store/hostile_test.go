package store

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/ulikunitz/xz"
)

func TestImportRefusesHostileArchives(t *testing.T) {
	okMf := mf("example.com/x")
	cases := []struct {
		name  string
		ents  []ent
		error string
	}{
		{"absolute path", []ent{okMf, file("/etc/evil", "x")}, "absolute path"},
		{"dotdot", []ent{okMf, file("rootfs/../../evil", "x")}, `".."`},
		{"second manifest", []ent{okMf, okMf}, "second manifest"},
		{"outside rootfs", []ent{okMf, file("etc/passwd", "x")}, "outside manifest and rootfs/"},
		{"no manifest", []ent{dir("rootfs"), file("rootfs/a", "x")}, "no manifest"},
		{"duplicate", []ent{okMf, file("rootfs/a", "x"), file("rootfs/a", "y")}, "duplicate entry"},
		{"write through symlink", []ent{okMf, symlink("rootfs/lib", "/tmp"), file("rootfs/lib/evil", "x")}, "a symlink"},
		{"write through relative symlink", []ent{okMf, symlink("rootfs/lib", "../.."), file("rootfs/lib/evil", "x")}, "a symlink"},
		{"symlink over earlier dir", []ent{okMf, file("rootfs/a/b", "x"), symlink("rootfs/a", "/etc")}, "earlier entries are below it"},
		{"hardlink outside", []ent{okMf, {name: "rootfs/l", typ: tar.TypeLink, link: "../../../etc/shadow"}}, `".."`},
		{"hardlink absolute", []ent{okMf, {name: "rootfs/l", typ: tar.TypeLink, link: "/etc/shadow"}}, "absolute path"},
		{"hardlink to manifest", []ent{okMf, {name: "rootfs/l", typ: tar.TypeLink, link: "manifest"}}, "not an earlier file in rootfs/"},
		{"hardlink to later", []ent{okMf, {name: "rootfs/l", typ: tar.TypeLink, link: "rootfs/f"}, file("rootfs/f", "x")}, "not an earlier file"},
		{"manifest is a dir", []ent{dir("manifest")}, "not a file"},
		{"rootfs is a file", []ent{okMf, file("rootfs", "x")}, "not a directory"},
		{"unparsable manifest", []ent{file("manifest", "{")}, "manifest"},
		{"wrong kind", []ent{file("manifest", `{"acKind":"PodManifest","acVersion":"0.8.11","name":"a"}`)}, "manifest"},
		{"isolator without value", []ent{mf("example.com/x", `"app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"resource/memory"}]}`)}, "has no value"},
		{"isolator null value", []ent{mf("example.com/x", `"app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"os/linux/capabilities-retain-set","value":null}]}`)}, "has no value"},
		{"unknown isolator", []ent{mf("example.com/x", `"app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"example.com/magic","value":{}}]}`)}, "not known to saturn"},
		{"bad isolator value", []ent{mf("example.com/x", `"app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"resource/memory","value":{"limit":"lots"}}]}`)}, "resource/memory"},
		{"bad dependency id", []ent{mf("example.com/x", `"dependencies":[{"imageName":"example.com/base","imageID":"sha512-NOTHEX"}]`)}, "not sha512- and lowercase hex"},
		{"bad path whitelist", []ent{mf("example.com/x", `"pathWhitelist":["../etc"]`)}, "pathWhitelist"},
		{"unsupported type", []ent{okMf, {name: "rootfs/x", typ: 'Z'}}, "unsupported type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, data := newStore(t)
			_, err := s.Import(bytes.NewReader(mkTar(t, c.ents...)))
			wantErr(t, err, errdefs.ErrInvalid, c.error)
			assertEmpty(t, s)
			assertOnlyStore(t, data)
		})
	}
}

// assertOnlyStore checks that nothing but the store exists in the data dir.
func assertOnlyStore(t *testing.T, data string) {
	t.Helper()
	ents, _ := os.ReadDir(data)
	if len(ents) != 1 || ents[0].Name() != "cas" {
		t.Errorf("data dir holds %v, want only cas", ents)
	}
}

func TestImportRefusesBrokenStreams(t *testing.T) {
	good := mkTar(t, mf("example.com/x"), dir("rootfs"), file("rootfs/a", string(bytes.Repeat([]byte("abcdefgh"), 10000))))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	var xzb bytes.Buffer
	xw, _ := xz.NewWriter(&xzb)
	xw.Write(good)
	xw.Close()
	corrupt := bytes.Clone(gz.Bytes())
	for i := len(corrupt) / 3; i < len(corrupt)/3+16; i++ {
		corrupt[i] ^= 0x5a
	}
	badCRC := bytes.Clone(gz.Bytes())
	badCRC[len(badCRC)-6] ^= 1
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"truncated tar":  {good[:len(good)/2], "truncated tar"},
		"truncated gzip": {gz.Bytes()[:gz.Len()/2], "gzip"},
		"corrupt gzip":   {corrupt, "gzip"},
		"gzip bad crc":   {badCRC, "gzip"},
		"truncated xz":   {xzb.Bytes()[:xzb.Len()-10], "xz"},
		"bzip2 garbage":  {[]byte("BZh91AY&SYgarbage-garbage-garbage"), "bzip2"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t)
			_, err := s.Import(bytes.NewReader(c.b))
			wantErr(t, err, errdefs.ErrInvalid, c.want)
			assertEmpty(t, s)
		})
	}
	// The same content in every encoding is one image.
	s, _ := newStore(t)
	id1 := mustImport(t, s, good)
	id2 := mustImport(t, s, gz.Bytes())
	id3 := mustImport(t, s, xzb.Bytes())
	if id1 != id2 || id1 != id3 {
		t.Fatalf("ids differ: %s %s %s", id1, id2, id3)
	}
	imgs, _ := s.List()
	if len(imgs) != 1 {
		t.Fatalf("%d images, want 1", len(imgs))
	}
}

func TestImportLimits(t *testing.T) {
	s, _ := newStore(t)
	s.SetLimits(Limits{MaxImageSize: 8 << 10, MaxEntries: 10, MaxManifestSize: 200, MaxDependencies: 4})
	big := mkTar(t, mf("example.com/x"), file("rootfs/big", string(make([]byte, 20<<10))))
	_, err := s.Import(bytes.NewReader(big))
	wantErr(t, err, errdefs.ErrInvalid, "larger than the limit")
	ents := []ent{mf("example.com/x")}
	for i := range 12 {
		ents = append(ents, file(filepath.Join("rootfs", string(rune('a'+i))), ""))
	}
	_, err = s.Import(bytes.NewReader(mkTar(t, ents...)))
	wantErr(t, err, errdefs.ErrInvalid, "more than 10 entries")
	_, err = s.Import(bytes.NewReader(mkTar(t, mf("example.com/x", `"annotations":[{"name":"a","value":"`+string(bytes.Repeat([]byte("x"), 300))+`"}]`))))
	wantErr(t, err, errdefs.ErrInvalid, "manifest larger than")
	assertEmpty(t, s)
}

func TestDeviceNodesNeedRoot(t *testing.T) {
	c := newACIChecker(DefaultLimits())
	c.root = false
	_, err := c.check(&tar.Header{Name: "rootfs/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, nil)
	wantErr(t, err, errdefs.ErrInvalid, "only root")
	if _, err := c.check(&tar.Header{Name: "rootfs/fifo", Typeflag: tar.TypeFifo}, nil); err != nil {
		t.Fatalf("fifo refused: %v", err)
	}
}

// TestImportFile covers the file path: uncompressed archives are copied in
// the kernel while hashed, and must be checked exactly as streams are.
func TestImportFile(t *testing.T) {
	s, _ := newStore(t)
	tmp := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 3<<20) // > one copy chunk
	good := mkTar(t, mf("example.com/x"), dir("rootfs"), file("rootfs/big", string(big)))
	p := filepath.Join(tmp, "good.aci")
	os.WriteFile(p, good, 0o644)
	id, err := s.ImportFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if id2 := mustImport(t, s, good); id2 != id {
		t.Fatalf("file and stream imports differ: %s %s", id, id2)
	}
	blob, _ := os.ReadFile(s.blobPath(id))
	if !bytes.Equal(blob, good) {
		t.Fatal("blob differs from the file")
	}
	s2, _ := newStore(t)
	for name, b := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"escape":    mkTar(t, mf("example.com/x"), file("rootfs/../../x", "x")),
	} {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, b, 0o644)
		if _, err := s2.ImportFile(p); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	assertEmpty(t, s2)
}

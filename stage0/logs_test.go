package stage0

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const sampleLog = "2026-01-02T03:04:05.1Z stdout F one\n" +
	"2026-01-02T03:04:05.2Z stderr P err-\n" +
	"2026-01-02T03:04:05.3Z stdout P tw\n" +
	"2026-01-02T03:04:05.4Z stderr F line\n" +
	"garbage\n" +
	"2026-01-02T03:04:05.5Z stdout F o\n" +
	"2026-01-02T03:04:05.6Z stdout P tail"

func TestParseJoin(t *testing.T) {
	recs, used := parseRecords([]byte(sampleLog), "a")
	if used != len(sampleLog)-len("2026-01-02T03:04:05.6Z stdout P tail") {
		t.Errorf("used %d: the unfinished last record must wait", used)
	}
	if len(recs) != 5 {
		t.Fatalf("%d records", len(recs))
	}
	lines := joinLines(recs)
	var got []string
	for _, l := range lines {
		s := "out:"
		if l.stderr {
			s = "err:"
		}
		got = append(got, s+string(l.content))
	}
	want := []string{"out:one\n", "err:err-line\n", "out:two\n"}
	if len(got) != len(want) {
		t.Fatalf("lines %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestLogTailRotation(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, logsDir), 0o755)
	p := logPath(dir, "a")
	os.WriteFile(p, []byte("2026-01-02T03:04:05.1Z stdout F one\n"), 0o644)
	tl := &logTail{app: "a"}
	recs, err := tl.readAll(dir)
	if err != nil || len(recs) != 1 {
		t.Fatalf("readAll: %v %v", recs, err)
	}
	// More lines, then rotation, then a new file.
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("2026-01-02T03:04:05.2Z stdout F two\n")
	f.Close()
	os.Rename(p, p+".1")
	os.WriteFile(p, []byte("2026-01-02T03:04:05.3Z stdout F three\n"), 0o644)
	recs, err = tl.readNew(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	for _, r := range recs {
		got = append(got, r.content)
	}
	if !bytes.Equal(bytes.Join(got, []byte(",")), []byte("two,three")) {
		t.Errorf("readNew after rotation: %q", got)
	}
	if recs, _ := tl.readNew(dir); len(recs) != 0 {
		t.Errorf("read twice: %v", recs)
	}
}

func TestLogWriterPrefix(t *testing.T) {
	var out, errb bytes.Buffer
	w := &logWriter{o: LogsOptions{Stdout: &out, Stderr: &errb}, prefix: true}
	w.piece("a", false, []byte("par"))
	w.piece("a", false, []byte("t\n"))
	w.piece("b", true, []byte("x\n"))
	if out.String() != "a: part\n" || errb.String() != "b: x\n" {
		t.Errorf("out %q err %q", out.String(), errb.String())
	}
}

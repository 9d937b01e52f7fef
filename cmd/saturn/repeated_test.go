package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// A repeated flag keeps every value as given, commas included (as
// StringArray does, unlike StringSlice), and help shows no default.
func TestRepeated(t *testing.T) {
	var got []string
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	repeatedVar(fs, &got, "env", "environment K=V (repeatable)")
	if err := fs.Parse([]string{"--env=A=1,B=2", "--env", "C=", "--env="}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"A=1,B=2", "C=", ""}; !slices.Equal(got, want) {
		t.Errorf("values %q, want %q", got, want)
	}
	if s := fs.Lookup("env").Value.String(); s != "[A=1,B=2,C=,]" {
		t.Errorf("String() %q", s)
	}
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	if !strings.Contains(help.String(), "--env stringArray") || strings.Contains(help.String(), "default") {
		t.Errorf("help: %q", help.String())
	}
}

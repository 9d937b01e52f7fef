package main

import (
	"reflect"
	"testing"

	"github.com/saturnpod/saturn/stage0"
)

func TestParseApps(t *testing.T) {
	apps, err := parseApps([]string{
		"img1", "--exec=/x", "--environment=A=1", "--environment=B=2", "--readonly-rootfs", "--", "a", "--b", "---",
		"img2", "--name=two", "--", "c",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []stage0.App{
		{Image: "img1", Exec: "/x", Environment: []string{"A=1", "B=2"}, ReadOnlyRootFS: true, Args: []string{"a", "--b"}},
		{Image: "img2", Name: "two", Args: []string{"c"}},
	}
	if !reflect.DeepEqual(apps, want) {
		t.Fatalf("got %+v\nwant %+v", apps, want)
	}
	// No "--": the image keeps its arguments (nil); "-- ---": none at all.
	apps, err = parseApps([]string{"img1", "img2", "--", "---", "img3"})
	if err != nil || len(apps) != 3 || apps[0].Args != nil || apps[1].Args == nil || len(apps[1].Args) != 0 || apps[2].Image != "img3" {
		t.Fatalf("got %+v %v", apps, err)
	}
	for _, bad := range [][]string{{"--exec=/x"}, {"img", "--no-such-flag"}, {"img", "--readonly-rootfs=maybe"}} {
		if _, err := parseApps(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestRunFlagsInsecureOptions(t *testing.T) {
	f := runFlags{insecure: "image,seccomp,all-run"}
	o, err := f.options()
	if err != nil || !reflect.DeepEqual(o.InsecureOptions, []string{"seccomp", "capabilities", "paths", "seccomp"}) {
		t.Fatalf("%v %v", o.InsecureOptions, err)
	}
	if _, err := (&runFlags{insecure: "bogus"}).options(); err == nil {
		t.Error("unknown insecure option accepted")
	}
}

package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/saturnpod/saturn/stage0"
)

// parseApps parses `IMAGE [per-app flags] [-- ARGS... ---] [IMAGE ...]`,
// rkt's syntax: each image's flags and arguments follow it.
func parseApps(args []string) ([]stage0.App, error) {
	var apps []stage0.App
	for len(args) > 0 {
		img := args[0]
		if strings.HasPrefix(img, "-") {
			return nil, fmt.Errorf("expected an image, got %s (pod flags go before the first image)", img)
		}
		a := stage0.App{Image: img}
		fs := appFlagSet(&a)
		if err := fs.Parse(args[1:]); err != nil {
			return nil, fmt.Errorf("image %s: %w", img, err)
		}
		rest := fs.Args()
		if fs.ArgsLenAtDash() == 0 {
			end := slices.Index(rest, "---")
			if end < 0 {
				end = len(rest)
			}
			a.Args = append([]string{}, rest[:end]...)
			rest = rest[min(end+1, len(rest)):]
		}
		apps = append(apps, a)
		args = rest
	}
	return apps, nil
}

// appFlagSet holds the per-app flags, as rkt named them.
func appFlagSet(a *stage0.App) *pflag.FlagSet {
	fs := pflag.NewFlagSet("app", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false)
	for name, p := range map[string]*string{
		"exec": &a.Exec, "name": &a.Name, "user": &a.User, "group": &a.Group,
		"working-dir": &a.WorkingDir, "memory": &a.Memory, "cpu": &a.CPU,
		"caps-retain": &a.CapsRetain, "caps-remove": &a.CapsRemove, "seccomp": &a.Seccomp,
	} {
		fs.StringVar(p, name, "", "")
	}
	for name, p := range map[string]*[]string{
		"environment": &a.Environment, "mount": &a.Mounts, "annotation": &a.Annotations,
	} {
		repeatedVar(fs, p, name, "")
	}
	fs.BoolVar(&a.ReadOnlyRootFS, "readonly-rootfs", false, "")
	return fs
}

// appFlagsHelp documents the per-app flags in run and prepare's help.
const appFlagsHelp = `
Per-app flags (after their IMAGE):
      --exec=PATH                 replace the image's executable
      --name=NAME                 app name (default: from the image name)
      --user=UID, --group=GID     run as this user and group
      --working-dir=DIR           working directory
      --environment=K=V           set an environment variable (repeatable)
      --mount=volume=V,target=P   mount pod volume V at P (repeatable)
      --readonly-rootfs           mount the app's root read-only
      --memory=LIMIT, --cpu=LIMIT resource limits (e.g. 512M, 500m)
      --caps-retain=CAPS, --caps-remove=CAPS   capability sets
      --seccomp=mode=retain|remove[,errno=E],SYSCALL...
      --annotation=K=V            app annotation (repeatable)
  -- ARGS... ---                  replace the image's arguments
`

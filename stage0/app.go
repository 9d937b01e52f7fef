package stage0

import (
	"fmt"
	"os"
	"strings"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// App is one app of a pod as the user asked for it: an image plus the
// per-app overrides (rkt's per-app flags). Empty fields keep the image's.
type App struct {
	Image          string   // image ID or prefix, name[:version], or an ACI file path
	Name           string   // app name; default from the image name's last component
	Exec           string   // replaces the image's executable
	Args           []string // replace the image's arguments (when non-nil)
	User, Group    string
	WorkingDir     string
	Environment    []string // K=V, highest precedence
	Mounts         []string // volume=NAME,target=PATH
	ReadOnlyRootFS bool
	Memory         string // memory limit, e.g. 512M
	CPU            string // CPU limit, e.g. 500m
	CapsRetain     string // comma-separated capabilities
	CapsRemove     string
	Seccomp        string   // mode=retain|remove[,errno=E],syscall,...
	Annotations    []string // k=v, the runtime app's annotations
}

// envPolicy is the pod-wide part of an app's environment.
type envPolicy struct {
	inherit bool     // start from the caller's environment
	setEnv  []string // --set-env, over the image's
}

// effectiveApp merges the image's app with every override, so stage1 gets
// exactly what to run and never merges again.
func effectiveApp(a *App, im *schema.ImageManifest, env envPolicy) (*types.App, error) {
	var app types.App
	if im.App != nil {
		app = *im.App
		app.Exec = append(types.Exec(nil), im.App.Exec...)
		app.Environment = append(types.Environment(nil), im.App.Environment...)
		app.Isolators = append(types.Isolators(nil), im.App.Isolators...)
	} else if a.Exec == "" {
		return nil, fmt.Errorf("image %s has no app and no --exec: %w", im.Name, errdefs.ErrInvalid)
	}
	if a.Exec != "" {
		if len(app.Exec) == 0 {
			app.Exec = types.Exec{a.Exec}
		} else {
			app.Exec[0] = a.Exec
		}
	}
	if a.Args != nil {
		app.Exec = append(app.Exec[:1:1], a.Args...)
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&app.User, a.User}, {&app.Group, a.Group}, {&app.WorkingDirectory, a.WorkingDir},
	} {
		if f.v != "" {
			*f.dst = f.v
		}
	}
	// appc requires user and group; an image without them runs as root.
	if app.User == "" {
		app.User = "0"
	}
	if app.Group == "" {
		app.Group = "0"
	}
	imageEnv := app.Environment
	app.Environment = nil
	if env.inherit {
		if err := mergeEnv(&app.Environment, os.Environ()); err != nil {
			return nil, err
		}
	}
	for _, ev := range imageEnv {
		app.Environment.Set(ev.Name, ev.Value)
	}
	if err := mergeEnv(&app.Environment, env.setEnv); err != nil {
		return nil, err
	}
	if err := mergeEnv(&app.Environment, a.Environment); err != nil {
		return nil, err
	}
	if err := applyIsolators(a, &app.Isolators); err != nil {
		return nil, err
	}
	if len(app.Exec) == 0 || app.Exec[0] == "" {
		return nil, fmt.Errorf("image %s: app has nothing to exec: %w", im.Name, errdefs.ErrInvalid)
	}
	return &app, nil
}

// mergeEnv sets each K=V over what env has.
func mergeEnv(env *types.Environment, kvs []string) error {
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("environment %q is not K=V: %w", kv, errdefs.ErrInvalid)
		}
		env.Set(k, v)
	}
	return nil
}

// appName is the app's name: the one asked for, or the image name's last
// path component made a valid ACName.
func appName(a *App, im *schema.ImageManifest) (types.ACName, error) {
	n := a.Name
	if n == "" {
		parts := strings.Split(im.Name.String(), "/")
		s, err := types.SanitizeACName(parts[len(parts)-1])
		if err != nil {
			return "", fmt.Errorf("app name from image %s: %v: %w", im.Name, err, errdefs.ErrInvalid)
		}
		n = s
	}
	name, err := types.NewACName(n)
	if err != nil {
		return "", fmt.Errorf("app name %q: %v: %w", n, err, errdefs.ErrInvalid)
	}
	if a.Name != "" { // a derived name is made unique, and so not reserved, later
		if err := checkAppName(*name); err != nil {
			return "", err
		}
	}
	return *name, nil
}

// reservedAppName is taken by the stage1 root's overlay dirs (overlay/stage1).
const reservedAppName = "stage1"

func checkAppName(n types.ACName) error {
	if n == reservedAppName {
		return fmt.Errorf("app name %s is reserved for stage1, choose another with --name: %w", n, errdefs.ErrInvalid)
	}
	return nil
}

// uniqueName makes a default app name unique in the pod: foo, foo-2, ...
func uniqueName(n types.ACName, taken map[types.ACName]bool) types.ACName {
	if !taken[n] && n != reservedAppName {
		return n
	}
	for i := 2; ; i++ {
		c := types.ACName(fmt.Sprintf("%s-%d", n, i))
		if !taken[c] {
			return c
		}
	}
}

package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/appc/spec/schema/types"
	"github.com/saturnpod/saturn/store"
	"github.com/saturnpod/saturn/store/aci"
	"github.com/spf13/cobra"
)

func newImageBuildCmd(g *globalOptions) *cobra.Command {
	var (
		sp   aci.Spec
		deps []string
	)
	cmd := &cobra.Command{
		Use:   "build ROOTFS_DIR OUT.aci --name NAME",
		Short: "Build an ACI from a directory (deterministic: same input, same bytes)",
		Long: `Build an ACI from a directory. Entries are sorted, times fixed at the epoch,
owners and modes taken from the directory, hardlinks kept.

--exec "CMD ARGS" makes the image runnable (split like a shell would, no
expansion); --user/--group default to 0. --port is name:proto:port with
optional ,socketActivated=true and ,count=N. --mount is name:/path with
optional ,readOnly=true. --isolator is name=JSON-value, e.g.
--isolator 'resource/memory={"limit":"100M"}'. --event-handler is
pre-start="CMD ARGS" or post-stop="CMD ARGS". --dependency is an image ID
(resolved in the store, which must hold it) or NAME[:version][,label=value...].`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, d := range deps {
				dep, err := dependency(g, d)
				if err != nil {
					return err
				}
				sp.Dependencies = append(sp.Dependencies, dep)
			}
			m, err := sp.Manifest()
			if err != nil {
				return err
			}
			return aci.BuildFile(args[0], m, args[1])
		},
	}
	f := cmd.Flags()
	f.StringVar(&sp.Name, "name", "", "image name (required)")
	repeatedVar(f, &sp.Labels, "label", "label name=value (repeatable)")
	repeatedVar(f, &sp.Annotations, "annotation", "annotation name=value (repeatable)")
	f.StringVar(&sp.Exec, "exec", "", `the app's command line, "CMD ARGS"`)
	f.StringVar(&sp.User, "user", "", "user the app runs as (default 0)")
	f.StringVar(&sp.Group, "group", "", "group the app runs as (default 0)")
	repeatedVar(f, &sp.Env, "env", "environment K=V (repeatable)")
	f.StringVar(&sp.WorkingDir, "working-dir", "", "working directory of the app")
	repeatedVar(f, &sp.Ports, "port", "port name:proto:port[,socketActivated=true] (repeatable)")
	repeatedVar(f, &sp.Mounts, "mount", "mount point name:/path[,readOnly=true] (repeatable)")
	repeatedVar(f, &sp.Isolators, "isolator", "isolator name=JSON (repeatable)")
	repeatedVar(f, &sp.EventHandlers, "event-handler", `pre-start="CMD ARGS" or post-stop="CMD ARGS" (repeatable)`)
	repeatedVar(f, &sp.PathWhitelist, "path-whitelist", "absolute path kept from dependencies (repeatable)")
	repeatedVar(f, &deps, "dependency", "dependency: image ID or NAME[:version][,label=value...] (repeatable)")
	cmd.MarkFlagRequired("name")
	return cmd
}

// dependency turns a --dependency value into an appc dependency. An ID is
// looked up in the store for its name (appc requires one); a name is kept
// as given, resolved when the image is rendered.
func dependency(g *globalOptions, ref string) (types.Dependency, error) {
	if strings.HasPrefix(ref, store.IDPrefix) {
		s, id, err := resolveImage(g, ref)
		if err != nil {
			return types.Dependency{}, err
		}
		inf, err := s.Info(id)
		if err != nil {
			return types.Dependency{}, err
		}
		name, err := types.NewACIdentifier(inf.Name)
		if err != nil {
			return types.Dependency{}, err
		}
		h, err := types.NewHash(id)
		if err != nil {
			return types.Dependency{}, err
		}
		return types.Dependency{ImageName: *name, ImageID: h}, nil
	}
	n, labels, err := store.ParseImageRef(ref)
	if err != nil {
		return types.Dependency{}, err
	}
	name, err := types.NewACIdentifier(n)
	if err != nil {
		return types.Dependency{}, err
	}
	dep := types.Dependency{ImageName: *name}
	// Sorted, so that a build is deterministic.
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		v := labels[k]
		ln, err := types.NewACIdentifier(k)
		if err != nil {
			return types.Dependency{}, err
		}
		dep.Labels = append(dep.Labels, types.Label{Name: *ln, Value: v})
	}
	return dep, nil
}

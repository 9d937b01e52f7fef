package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/saturnpod/saturn/stage0"
)

// prepareFlags are the pod flags run and prepare share.
type prepareFlags struct {
	o      stage0.PrepareOptions
	stage1 stage0.Stage1
}

func (f *prepareFlags) add(fs *pflag.FlagSet) {
	repeatedVar(fs, &f.o.Volumes, "volume", "pod volume NAME,kind=host,source=PATH[,readOnly=true] or NAME,kind=empty (repeatable)")
	repeatedVar(fs, &f.o.Ports, "port", "expose app port NAME on the host: NAME:[HOSTIP:]HOSTPORT (repeatable)")
	repeatedVar(fs, &f.o.SetEnv, "set-env", "environment variable K=V for every app (repeatable)")
	fs.BoolVar(&f.o.InheritEnv, "inherit-env", false, "apps start from saturn's environment")
	fs.StringVar(&f.o.PodManifest, "pod-manifest", "", "use this pod manifest instead of images and pod flags")
	fs.StringVar(&f.o.UUIDFileSave, "uuid-file-save", "", "write the pod UUID to this file")
	fs.StringVar(&f.stage1.Path, "stage1-path", "", "stage1 image file")
	fs.StringVar(&f.stage1.Name, "stage1-name", "", "stage1 image name[:version] in the store")
	fs.StringVar(&f.stage1.Hash, "stage1-hash", "", "stage1 image ID in the store")
	fs.StringVar(&f.stage1.FromDir, "stage1-from-dir", "", "stage1 image file name in the stage1 images directory")
}

// options completes the prepare options with the images and their flags.
func (f *prepareFlags) options(args []string) (stage0.PrepareOptions, error) {
	o := f.o
	o.Stage1 = f.stage1
	apps, err := parseApps(args)
	if err != nil {
		return o, err
	}
	o.Apps = apps
	return o, nil
}

// open returns the prepare options (see options) and the stage0 runtime.
func (f *prepareFlags) open(g *globalOptions, args []string) (stage0.PrepareOptions, *stage0.Runtime, error) {
	po, err := f.options(args)
	if err != nil {
		return po, nil, err
	}
	r, err := g.stage0()
	return po, r, err
}

// runFlags are the stage1 run flags, shared by run and run-prepared.
type runFlags struct {
	o        stage0.RunOptions
	insecure string
}

func (f *runFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.o.Net, "net", "default", "pod networking: host, none, or a comma-separated list of default, default-restricted and network names, each optionally NAME:K=V;K=V (CNI args)")
	fs.StringVar(&f.o.Hostname, "hostname", "", "pod hostname (default: rkt-UUID)")
	repeatedVar(fs, &f.o.DNS, "dns", "nameserver IP for the apps (repeatable), or host (the host's resolv.conf) or none (no resolv.conf); default: the network's DNS, else the host's")
	repeatedVar(fs, &f.o.DNSSearch, "dns-search", "DNS search domain (repeatable)")
	repeatedVar(fs, &f.o.DNSOptions, "dns-opt", "resolv.conf option (repeatable)")
	repeatedVar(fs, &f.o.HostsEntries, "hosts-entry", "/etc/hosts entry IP=NAME for the apps (repeatable), or host (the host's /etc/hosts)")
	fs.StringVar(&f.o.LocalConfig, "local-config", "", "directory of local configuration: net.d/ holds CNI networks (default /etc/saturn)")
	fs.BoolVar(&f.o.Interactive, "interactive", false, "attach the terminal to the (single) app")
	fs.StringVar(&f.insecure, "insecure-options", "", "comma-separated: capabilities, paths, seccomp, all-run (image, tls, ... concern fetching)")
}

// options validates --insecure-options and returns the run options.
func (f *runFlags) options() (stage0.RunOptions, error) {
	o := f.o
	if o.LocalConfig != "" {
		// stage1 runs in the pod dir: a relative path would mean another place.
		abs, err := filepath.Abs(o.LocalConfig)
		if err != nil {
			return o, err
		}
		o.LocalConfig = abs
	}
	for _, opt := range strings.Split(f.insecure, ",") {
		switch opt = strings.TrimSpace(opt); opt {
		case "":
		case "capabilities", "paths", "seccomp":
			o.InsecureOptions = append(o.InsecureOptions, opt)
		case "all-run", "all":
			o.InsecureOptions = append(o.InsecureOptions, "capabilities", "paths", "seccomp")
		case "image", "tls", "ondisk", "http", "pubkey", "all-fetch":
		default:
			return o, fmt.Errorf("--insecure-options: unknown option %q", opt)
		}
	}
	return o, nil
}

func newRunCmd(g *globalOptions) *cobra.Command {
	var pf prepareFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [per-app flags] [-- ARGS... ---] [IMAGE ...]",
		Short: "Run a pod of one or more images; exits with the pod's exit code",
		Long:  "Run a pod. IMAGE is an image ID, a name in the store, or an ACI file.\n" + appFlagsHelp,
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := rf.options()
			if err != nil {
				return err
			}
			po, r, err := pf.open(g, args)
			if err != nil {
				return err
			}
			return r.Run(po, ro) // returns only on error: stage1 took over
		},
	}
	cmd.Flags().SetInterspersed(false)
	pf.add(cmd.Flags())
	rf.add(cmd.Flags())
	return cmd
}

func newPrepareCmd(g *globalOptions) *cobra.Command {
	var pf prepareFlags
	var quiet bool
	cmd := &cobra.Command{
		Use:   "prepare [flags] IMAGE [per-app flags] [-- ARGS... ---] [IMAGE ...]",
		Short: "Prepare a pod to run later with run-prepared; prints its UUID",
		Long:  "Prepare a pod. IMAGE is an image ID, a name in the store, or an ACI file.\n" + appFlagsHelp,
		RunE: func(cmd *cobra.Command, args []string) error {
			po, r, err := pf.open(g, args)
			if err != nil {
				return err
			}
			uuid, err := r.Prepare(po)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), uuid)
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	pf.add(cmd.Flags())
	// rkt's --quiet left only the UUID on stdout, which is all saturn prints.
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the UUID")
	return cmd
}

func newRunPreparedCmd(g *globalOptions) *cobra.Command {
	var rf runFlags
	var pa podArgs
	cmd := &cobra.Command{
		Use:   "run-prepared [flags] UUID",
		Short: "Run a prepared pod; exits with the pod's exit code",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := rf.options()
			if err != nil {
				return err
			}
			refs, r, err := pa.open(g, args)
			if err != nil {
				return err
			}
			return r.RunPrepared(refs[0], ro)
		},
	}
	rf.add(cmd.Flags())
	pa.add(cmd.Flags())
	return cmd
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/saturnpod/saturn/stage0"
)

// waitForever is --wait without a duration.
const waitForever = "forever"

func newStatusCmd(g *globalOptions) *cobra.Command {
	var uuidFile, wait, format string
	cmd := &cobra.Command{
		Use:   "status [flags] UUID",
		Short: "Print a pod's state as key=value lines (or JSON)",
		Long: "Print a pod's state. With --wait, wait until the pod exited (at most DURATION) " +
			"and exit with the pod's exit code.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := podRefs(args, uuidFile)
			if err != nil {
				return err
			}
			if format != "" && format != "json" {
				return fmt.Errorf("--format: want json")
			}
			r, err := g.stage0()
			if err != nil {
				return err
			}
			var st *stage0.Status
			if wait == "" {
				st, err = r.Status(refs[0])
			} else {
				var d time.Duration
				if wait != waitForever {
					if d, err = time.ParseDuration(wait); err != nil {
						return fmt.Errorf("--wait: %w", err)
					}
				}
				st, err = r.WaitStatus(refs[0], d)
			}
			if err != nil {
				return err
			}
			if format == "json" {
				err = writeJSON(cmd.OutOrStdout(), st)
			} else {
				printStatus(cmd.OutOrStdout(), st)
			}
			if err == nil && wait != "" && st.ExitCode() != 0 {
				return exitCodeError{code: st.ExitCode()}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&uuidFile, "uuid-file", "", "read the pod UUID from this file")
	cmd.Flags().StringVar(&wait, "wait", "", "wait until the pod exited, at most DURATION (e.g. 30s)")
	cmd.Flags().Lookup("wait").NoOptDefVal = waitForever
	cmd.Flags().StringVar(&format, "format", "", "output format: json")
	return cmd
}

// printStatus prints rkt's status lines.
func printStatus(w io.Writer, st *stage0.Status) {
	fmt.Fprintf(w, "state=%s\n", st.State)
	for _, t := range []struct {
		k string
		v *time.Time
	}{{"created", st.Created}, {"started", st.Started}, {"exited", st.Exited}} {
		if t.v != nil {
			fmt.Fprintf(w, "%s=%s\n", t.k, t.v.Format(time.RFC3339Nano))
		}
	}
	if st.PID > 0 {
		fmt.Fprintf(w, "pid=%d\n", st.PID)
	}
	if len(st.Networks) > 0 {
		fmt.Fprintf(w, "networks=%s\n", networks(st))
	}
	for _, a := range st.Apps {
		if a.ExitCode != nil {
			fmt.Fprintf(w, "app-%s=%d\n", a.Name, *a.ExitCode)
		}
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newCatManifestCmd(g *globalOptions) *cobra.Command {
	var uuidFile string
	cmd := &cobra.Command{
		Use:   "cat-manifest [flags] UUID",
		Short: "Print a pod's manifest",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := podRefs(args, uuidFile)
			if err != nil {
				return err
			}
			r, err := g.stage0()
			if err != nil {
				return err
			}
			p, err := r.Pod(refs[0])
			if err != nil {
				return err
			}
			pm, err := p.Manifest()
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), pm)
		},
	}
	cmd.Flags().StringVar(&uuidFile, "uuid-file", "", "read the pod UUID from this file")
	return cmd
}

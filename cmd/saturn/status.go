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
	var pa podArgs
	var wait, format string
	cmd := &cobra.Command{
		Use:   "status [flags] UUID",
		Short: "Print a pod's state as key=value lines (or JSON)",
		Long: "Print a pod's state. With --wait, wait until the pod exited (at most DURATION) " +
			"and exit with the pod's exit code.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "" && format != "json" {
				return fmt.Errorf("--format: want json")
			}
			refs, r, err := pa.open(g, args)
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
			if err != nil || wait == "" {
				return err
			}
			return waitResult(st)
		},
	}
	pa.add(cmd.Flags())
	cmd.Flags().StringVar(&wait, "wait", "", "wait until the pod exited, at most DURATION (e.g. 30s)")
	cmd.Flags().Lookup("wait").NoOptDefVal = waitForever
	cmd.Flags().StringVar(&format, "format", "", "output format: json")
	return cmd
}

// waitResult is status --wait's outcome: the pod's exit code, or an error
// (exit 254) when an app's exit code is unknown, rather than a false 0.
func waitResult(st *stage0.Status) error {
	if c := st.ExitCode(); c != 0 {
		return exitCodeError{code: c}
	}
	if app := st.UnrecordedApp(); app != "" {
		return fmt.Errorf("pod %s exited but app %s's exit code was not recorded (this stage1 execs apps in place)", st.UUID, app)
	}
	return nil
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

// printEach prints format (one %s) for each of ids.
func printEach(w io.Writer, format string, ids []string) {
	for _, id := range ids {
		fmt.Fprintf(w, format, id)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newCatManifestCmd(g *globalOptions) *cobra.Command {
	var pa podArgs
	cmd := &cobra.Command{
		Use:   "cat-manifest [flags] UUID",
		Short: "Print a pod's manifest",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, r, err := pa.open(g, args)
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
	pa.add(cmd.Flags())
	return cmd
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/saturnpod/saturn/stage0"
)

func newListCmd(g *globalOptions) *cobra.Command {
	var full, noLegend bool
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List pods",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "" && format != "json" {
				return fmt.Errorf("--format: want json")
			}
			r, err := g.stage0()
			if err != nil {
				return err
			}
			pods, err := r.List()
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), pods)
			}
			return printList(cmd.OutOrStdout(), pods, full, noLegend, time.Now())
		},
	}
	cmd.Flags().BoolVar(&full, "full", false, "full UUIDs, image IDs and times")
	cmd.Flags().BoolVar(&noLegend, "no-legend", false, "no header line")
	cmd.Flags().StringVar(&format, "format", "", "output format: json")
	return cmd
}

// printList prints one line per app, the pod's columns on its first app's
// line only, as rkt did.
func printList(w io.Writer, pods []*stage0.Status, full, noLegend bool, now time.Time) error {
	// tabwriter writes cell by cell: buffer, or a long list costs a
	// write(2) per cell.
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 8, 2, ' ', 0)
	if !noLegend {
		fmt.Fprintln(tw, "UUID\tAPP\tIMAGE NAME\tSTATE\tCREATED\tSTARTED\tNETWORKS")
	}
	for _, p := range pods {
		uuid := p.UUID
		if !full {
			uuid = uuid[:8]
		}
		apps := p.Apps
		if len(apps) == 0 {
			apps = []stage0.AppStatus{{Name: "-", ImageName: "-"}}
		}
		for i, a := range apps {
			img := a.ImageName
			if full && a.ImageID != "" {
				img += " " + a.ImageID
			}
			if i > 0 {
				fmt.Fprintf(tw, "\t%s\t%s\t\t\t\t\n", a.Name, img)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", uuid, a.Name, img, p.State,
				when(p.Created, full, now), when(p.Started, full, now), networks(p))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// when formats a time for people: relative, or exact with --full.
func when(t *time.Time, full bool, now time.Time) string {
	if t == nil {
		return "-"
	}
	if full {
		return t.Format(time.RFC3339Nano)
	}
	return now.Sub(*t).Round(time.Second).String() + " ago"
}

func networks(p *stage0.Status) string {
	var ns []string
	for _, n := range p.Networks {
		ns = append(ns, n.NetName+":ip4="+n.IP)
	}
	if len(ns) == 0 {
		return "-"
	}
	return strings.Join(ns, ",")
}

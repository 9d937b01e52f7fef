package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/store"
	"github.com/spf13/cobra"
)

func newImageListCmd(g *globalOptions) *cobra.Command {
	var (
		format   string
		noLegend bool
		full     bool
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the images in the store",
		Long: `List the images in the store.

--format=json prints an array of objects with the fields id, name, labels
(object), size (bytes of the uncompressed image), importTime and lastUsed
(RFC 3339).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openStore(g)
			if err != nil {
				return err
			}
			imgs, err := s.List()
			if err != nil {
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(imgs)
			case "", "table":
			default:
				return fmt.Errorf("--format %q: want json or table: %w", format, errdefs.ErrInvalid)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 2, ' ', 0)
			if !noLegend {
				fmt.Fprintln(tw, "ID\tNAME\tSIZE\tIMPORT TIME\tLAST USED")
			}
			for _, img := range imgs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", imgShortID(img.ID, full), imgName(img), imgSize(img.Size),
					imgWhen(img.ImportTime, full), imgWhen(img.LastUsed, full))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "output format: json")
	cmd.Flags().BoolVar(&noLegend, "no-legend", false, "do not print the header line")
	cmd.Flags().BoolVar(&full, "full", false, "print whole IDs and exact times")
	return cmd
}

func imgShortID(id string, full bool) string {
	if full || len(id) < 19 {
		return id
	}
	return id[:19]
}

func imgName(img store.ImageInfo) string {
	if v, ok := img.Labels["version"]; ok {
		return img.Name + ":" + v
	}
	return img.Name
}

func imgSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	f, i := float64(n)/unit, 0
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f%ciB", f, "KMGTP"[i])
}

func imgWhen(t time.Time, full bool) string {
	if full {
		return t.Local().Format(time.RFC3339)
	}
	d := time.Since(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

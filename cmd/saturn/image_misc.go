package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func newImageCatManifestCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "cat-manifest IMAGE",
		Short: "Print the manifest of an image",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, id, err := resolveImage(g, args[0])
			if err != nil {
				return err
			}
			b, err := s.ManifestBytes(id)
			if err != nil {
				return err
			}
			var out bytes.Buffer
			if json.Indent(&out, b, "", "  ") != nil {
				out.Reset()
				out.Write(b)
			}
			fmt.Fprintln(cmd.OutOrStdout(), out.String())
			return nil
		},
	}
}

func newImageExportCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "export IMAGE OUT.aci",
		Short: "Write an image to an (uncompressed) ACI file",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, id, err := resolveImage(g, args[0])
			if err != nil {
				return err
			}
			return s.Export(id, args[1])
		},
	}
}

func newImageExtractCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "extract IMAGE DIR",
		Short: "Write an image's own rootfs (without dependencies) to a new or empty DIR",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, id, err := resolveImage(g, args[0])
			if err != nil {
				return err
			}
			return s.Extract(id, args[1])
		},
	}
}

func newImageRenderCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "render IMAGE DIR",
		Short: "Write an image's rootfs with its dependencies applied to a new or empty DIR",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, id, err := resolveImage(g, args[0])
			if err != nil {
				return err
			}
			return s.Render(id, args[1])
		},
	}
}

func newImageVerifyCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify IMAGE...",
		Short: "Re-hash images and compare their rendered trees with them",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, ref := range args {
				s, id, err := resolveImage(g, ref)
				if err != nil {
					return err
				}
				rep, err := s.Verify(id)
				if err != nil {
					return err
				}
				for _, p := range rep.Problems {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", id, p)
				}
				if len(rep.Problems) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d trees)\n", id, len(rep.Trees))
				}
				bad += len(rep.Problems)
			}
			if bad > 0 {
				return fmt.Errorf("verify: %d problems found", bad)
			}
			return nil
		},
	}
}

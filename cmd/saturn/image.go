package main

import (
	"github.com/saturnpod/saturn/store"
	"github.com/spf13/cobra"
)

// addImageCommands registers `fetch` and the `image` group.
func addImageCommands(root *cobra.Command, g *globalOptions) {
	root.AddCommand(newFetchCmd(g))
	img := &cobra.Command{
		Use:   "image",
		Short: "Manage the images in the store",
	}
	img.AddCommand(newImageListCmd(g), newImageCatManifestCmd(g), newImageRmCmd(g), newImageExportCmd(g),
		newImageExtractCmd(g), newImageRenderCmd(g), newImageGCCmd(g), newImageVerifyCmd(g), newImageBuildCmd(g), newImageTreeCmd(g))
	root.AddCommand(img)
}

func openStore(g *globalOptions) (*store.Store, error) { return store.Open(g.dir) }

// resolveImage opens the store and resolves IMAGE (ID, prefix or name).
func resolveImage(g *globalOptions, ref string) (*store.Store, string, error) {
	s, err := openStore(g)
	if err != nil {
		return nil, "", err
	}
	id, err := s.Resolve(ref)
	if err != nil {
		return nil, "", err
	}
	return s, id, nil
}

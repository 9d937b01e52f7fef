package store

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// IDPrefix starts every image ID; the rest is the lowercase hex sha512 of
// the uncompressed tar.
const IDPrefix = "sha512-"

// idLen is the length of a full image ID.
const idLen = len(IDPrefix) + 2*sha512.Size

// treePrefix starts every tree ID: the tree of an image and its
// dependencies, named by the hash of their IDs in rendering order.
const treePrefix = "deps-" + IDPrefix

// IsID reports whether s is a full image ID. appc's types.Hash accepts any
// string after "sha512-", so IDs from manifests and users are checked here.
func IsID(s string) bool { return len(s) == idLen && isIDPrefix(s) }

// isIDPrefix reports whether s is "sha512-" and 1 to 128 lowercase hex digits.
func isIDPrefix(s string) bool {
	h, ok := strings.CutPrefix(s, IDPrefix)
	return ok && len(h) >= 1 && len(h) <= 2*sha512.Size && isLowerHex(h)
}

// IsTreeID reports whether s has the form of a tree ID.
func IsTreeID(s string) bool {
	h, ok := strings.CutPrefix(s, treePrefix)
	return ok && len(h) == 2*sha512.Size && isLowerHex(h)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func idOf(h hash.Hash) string { return IDPrefix + hex.EncodeToString(h.Sum(nil)) }

// treeIDOf names the tree rendered from images (upper first). The tree's
// content is a function of exactly these blobs, so this is its identity.
func treeIDOf(ids []string) string {
	h := sha512.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{'\n'})
	}
	return "deps-" + idOf(h)
}

func checkID(id string) error {
	if !IsID(id) {
		return fmt.Errorf("%q is not an image ID (sha512- and 128 lowercase hex digits): %w", id, errdefs.ErrInvalid)
	}
	return nil
}

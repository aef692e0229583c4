// Package load reads a design file with the front-end its extension names.
package load

import (
	"context"
	"fmt"
	"path/filepath"

	"patchbay/lang"
	"patchbay/lang/starlark"
)

// Options apply to every front-end.
type Options = starlark.Options

// File reads the design at path. Errors are lang.Diagnostics.
func File(ctx context.Context, path string, opts Options) (*lang.Design, error) {
	switch ext := filepath.Ext(path); ext {
	case ".star":
		return starlark.LoadFile(ctx, path, opts)
	default:
		return nil, lang.Diagnostics{{Rule: "load", Range: lang.Range{File: path},
			Summary: fmt.Sprintf("unsupported file type %q: patchbay reads Starlark (.star) designs", ext)}}
	}
}

// Package load reads a design file with the front-end its extension names.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"patchbay/lang"
	"patchbay/lang/hcl"
	"patchbay/lang/starlark"
)

// Options apply to the front-ends; each reads what concerns it.
type Options struct {
	Root      string    // project root (default: the design file's directory)
	MaxSteps  uint64    // the step budget (Starlark and HCL)
	MaxMemory uint64    // the memory budget, bytes (Starlark and HCL)
	Print     io.Writer // Starlark's print()
	Vars      []string  // HCL -var NAME=VALUE
	VarFiles  []string  // HCL -var-file FILE
	Env       []string  // the environment, for HCL's TF_VAR_name (os.Environ's form)
	// MaxResources bounds the resources a design declares (Starlark and
	// HCL); 0 means decl.MaxResources.
	MaxResources int
}

// File reads the design at path. Every error it returns is a
// *lang.SourceError — match it with errors.As: the problems as diagnostics
// with their file:line:col, and the text of the files read so far, to show
// them in context.
func File(ctx context.Context, path string, opts Options) (*lang.Design, error) {
	d, err := file(ctx, path, opts)
	if err == nil {
		return d, nil
	}
	var se *lang.SourceError
	if !errors.As(err, &se) {
		se = &lang.SourceError{Diagnostics: lang.AsDiagnostics(err, "load")}
		if d != nil {
			se.Files = d.Files
		}
	}
	return d, se
}

func file(ctx context.Context, path string, opts Options) (*lang.Design, error) {
	switch ext := filepath.Ext(path); ext {
	case ".star":
		if len(opts.Vars) > 0 || len(opts.VarFiles) > 0 {
			return nil, lang.Diagnostics{{Rule: "load", Range: lang.Range{File: path},
				Summary: "-var and -var-file set HCL variables; a Starlark design takes no variables"}}
		}
		return starlark.LoadFile(ctx, path, starlark.Options{Root: opts.Root, MaxSteps: opts.MaxSteps, MaxMemory: opts.MaxMemory, Print: opts.Print, MaxResources: opts.MaxResources})
	case ".hcl":
		return hcl.LoadFile(ctx, path, hcl.Options{Root: opts.Root, Vars: opts.Vars, VarFiles: opts.VarFiles, Env: opts.Env, MaxSteps: opts.MaxSteps, MaxMemory: opts.MaxMemory, MaxResources: opts.MaxResources})
	default:
		return nil, lang.Diagnostics{{Rule: "load", Range: lang.Range{File: path},
			Summary: fmt.Sprintf("unsupported file type %q: patchbay reads Starlark (.star) and HCL (.hcl) designs", ext)}}
	}
}

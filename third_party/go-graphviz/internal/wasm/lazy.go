package wasm

// patchbay: the module is loaded on first use instead of in package init,
// so programs that import go-graphviz but do not draw pay nothing and touch
// no file, and the compilation cache lives where the program says.

import (
	"context"
	"fmt"
	"sync"
)

var (
	// CacheDir is where compiled code is kept between runs; "" for none.
	// Set it before the first Load.
	CacheDir string

	loadOnce sync.Once
	loadErr  error
	onLoad   []func(context.Context) error
)

// OnLoad registers set-up to run once the module is loaded (what the
// packages' init functions did).
func OnLoad(f func(context.Context) error) { onLoad = append(onLoad, f) }

// Load loads the module once; every entry point calls it. A failure with
// the on-disk cache (unreadable, corrupt, full disk) is retried without it.
func Load(ctx context.Context) error {
	loadOnce.Do(func() {
		err := try(func() { load(CacheDir) })
		if err != nil && CacheDir != "" {
			err = try(func() { load("") })
		}
		if err != nil {
			loadErr = fmt.Errorf("loading Graphviz: %v", err)
			return
		}
		for _, f := range onLoad {
			if err := f(ctx); err != nil {
				loadErr = fmt.Errorf("loading Graphviz: %v", err)
				return
			}
		}
	})
	return loadErr
}

// try turns load's panics into an error.
func try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

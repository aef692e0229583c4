package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/goccy/go-graphviz"
)

// gvMu serialises every call into go-graphviz, which is not safe for
// concurrent use (one WebAssembly instance behind it).
var gvMu sync.Mutex

// gvCache points go-graphviz's compilation cache at CacheDir before its
// first use. The module is compiled on first use only (patchbay's copy of
// go-graphviz, third_party/go-graphviz), so commands that do not draw never
// touch it.
var gvCache = sync.OnceFunc(func() { graphviz.SetCacheDir(CacheDir()) })

// CacheDir is where Graphviz's compiled WebAssembly is kept between runs:
// a directory of the user's own cache (os.UserCacheDir: $XDG_CACHE_HOME or
// ~/.cache on Linux), readable and writable by the user alone, since it
// holds code that is run. "" (compile on every run, about a second) when
// there is no such directory or it cannot be made private; never the
// shared $TMPDIR, where another user could plant code or own the name.
func CacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "patchbay", "graphviz")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() {
		return ""
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return ""
		}
	}
	return dir
}

// Preload starts loading Graphviz (about a tenth of a second: reading the
// compiled module, instantiating it) in the background, for a caller that
// will draw once it has built the model: the two overlap on a second core.
// Call it after the design is evaluated, whose memory budget counts the
// heap, so that Graphviz's allocations are never the script's. A failure
// is the drawing's to report, which meets it again.
func Preload(ctx context.Context) {
	go func() {
		gvMu.Lock()
		defer gvMu.Unlock()
		gvCache()
		_ = graphviz.Load(ctx)
	}()
}

// layout runs Graphviz's dot layout on the model and writes format (svg,
// or json for our own PNG rasteriser).
func (m *Model) layout(ctx context.Context, format graphviz.Format) ([]byte, error) {
	var src bytes.Buffer
	if err := m.WriteDOT(&src); err != nil {
		return nil, err
	}
	gvMu.Lock()
	defer gvMu.Unlock()
	gvCache()
	g, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphviz: %v", err)
	}
	defer g.Close()
	graph, err := graphviz.ParseBytes(src.Bytes())
	if err != nil {
		return nil, fmt.Errorf("graphviz: %v", err)
	}
	defer graph.Close()
	var out bytes.Buffer
	if err := g.Render(ctx, graph, format, &out); err != nil {
		return nil, fmt.Errorf("graphviz: %v", err)
	}
	return out.Bytes(), nil
}

// WriteSVG lays the model out with Graphviz and writes SVG. Node and edge
// ids and tooltips (the rules of a node's findings) become SVG ids and
// <title>s.
func (m *Model) WriteSVG(ctx context.Context, w io.Writer) error {
	b, err := m.layout(ctx, graphviz.SVG)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

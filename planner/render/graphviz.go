package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/goccy/go-graphviz"
)

// gvMu serialises every call into go-graphviz, which is not safe for
// concurrent use (one WebAssembly instance behind it).
var gvMu sync.Mutex

// layout runs Graphviz's dot layout on the model and writes format (svg,
// or json for our own PNG rasteriser).
func (m *Model) layout(ctx context.Context, format graphviz.Format) ([]byte, error) {
	var src bytes.Buffer
	if err := m.WriteDOT(&src); err != nil {
		return nil, err
	}
	gvMu.Lock()
	defer gvMu.Unlock()
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

package wasm

// patchbay: go-graphviz looked each exported function up by name for every
// call into the module, and wazero makes a new call engine, with a stack of
// its own, for every lookup: parsing and laying out a 1,000-node graph made
// some 70 MB of them. The module's functions are kept and reused instead.

import (
	"context"
	"sync"

	"github.com/tetratelabs/wazero/api"
)

// functions keeps, for each exported function's name, the api.Functions
// not in a call. A call takes one or makes one: a call can reach the Go
// side, which can call into the module again, even the same function, and
// a wazero function may not be called while it is in a call.
type functions struct {
	mu   sync.Mutex
	idle map[string][]api.Function
}

// callExported calls the module's exported function name. The results are
// copied, since they may be the function's own memory, which its next call
// overwrites.
func (m *WasmModule) callExported(ctx context.Context, name string, args ...uint64) ([]uint64, error) {
	fs := &m.fns
	fs.mu.Lock()
	var f api.Function
	if l := fs.idle[name]; len(l) > 0 {
		f, fs.idle[name] = l[len(l)-1], l[:len(l)-1]
	}
	fs.mu.Unlock()
	if f == nil {
		f = m.mod.ExportedFunction(name)
	}
	ret, err := f.Call(ctx, args...)
	if err != nil {
		// A call that failed (a trap, a cancelled context) leaves its
		// function as wazero left it: not reused.
		return nil, err
	}
	if len(ret) > 0 {
		ret = append([]uint64(nil), ret...)
	}
	fs.mu.Lock()
	if fs.idle == nil {
		fs.idle = map[string][]api.Function{}
	}
	fs.idle[name] = append(fs.idle[name], f)
	fs.mu.Unlock()
	return ret, nil
}

package wasm

// patchbay: the module's linear memory grows without copying. wazero's own
// memory is a Go slice that each memory.grow extends with append, copying
// everything Graphviz has allocated so far; laying out a 1,000-node design
// grows it step by step to hundreds of megabytes, and the copies, with the
// garbage each leaves until the next collection, were a share of the time
// and most of the peak memory over dot's.

import "github.com/tetratelabs/wazero/experimental"

// sliceMemory is the portable fallback, growing as wazero's default does.
type sliceMemory struct{ buf []byte }

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if n := uint64(len(m.buf)); size > n {
		m.buf = append(m.buf, make([]byte, size-n)...)
	}
	return m.buf[:size]
}

func (m *sliceMemory) Free() { m.buf = nil }

// memoryAllocator gives the module a memory that reserves its maximum
// address space once, where the system allows, and the fallback elsewhere.
var memoryAllocator = experimental.MemoryAllocatorFunc(func(capacity, max uint64) experimental.LinearMemory {
	if m := reserve(max); m != nil {
		return m
	}
	return &sliceMemory{buf: make([]byte, 0, capacity)}
})

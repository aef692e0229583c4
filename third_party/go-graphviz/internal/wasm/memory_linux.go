package wasm

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mappedMemory is address space reserved for the module's maximum memory
// (4 GiB for Graphviz, which declares none) and never moved: growing it
// only makes more of it visible, and the kernel backs a page when it is
// first touched. MAP_NORESERVE keeps the reservation out of the commit
// charge under the kernel's default overcommit policy; where the policy
// refuses it, reserve fails and the slice fallback is used.
type mappedMemory struct{ buf []byte }

func reserve(max uint64) experimental.LinearMemory {
	if max == 0 || max > 1<<32 || uint64(int(max)) != max {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	return &mappedMemory{buf: b}
}

func (m *mappedMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.buf)) {
		return nil
	}
	return m.buf[:size:size]
}

func (m *mappedMemory) Free() {
	if m.buf != nil {
		_ = syscall.Munmap(m.buf)
		m.buf = nil
	}
}

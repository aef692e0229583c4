// Package cacheline checks, in tests, that a struct's fields sit on the
// cache lines its layout was chosen for. With thousands of links and
// sessions, each line a packet touches is a cache miss; a field added in
// the wrong place costs every packet one, and only a test like this one
// notices.
package cacheline

import "testing"

// Size is a cache line's size on the machines the layouts are for.
const Size = 64

// Field is a field's place in its struct and the line it must be on.
type Field struct {
	Name         string
	Offset, Size uintptr
	Line         uintptr
}

// At is the field name at offset, of size bytes, that must be on line.
func At(name string, offset, size, line uintptr) Field {
	return Field{Name: name, Offset: offset, Size: size, Line: line}
}

// Check reports, through t, a struct of size bytes whose size is not a
// multiple of a line (so that the allocator would not start it on one),
// or a field not wholly on its line.
func Check(t testing.TB, what string, size uintptr, fields ...Field) {
	t.Helper()
	if size%Size != 0 {
		t.Errorf("%s is %d bytes, not a multiple of %d: it would not start on a cache line", what, size, Size)
	}
	for _, f := range fields {
		if f.Offset/Size != f.Line || (f.Offset+f.Size-1)/Size != f.Line {
			t.Errorf("%s.%s at offset %d (%d bytes) is not on line %d", what, f.Name, f.Offset, f.Size, f.Line)
		}
	}
}

//go:build !linux

package wasm

import "github.com/tetratelabs/wazero/experimental"

// reserve has no mapping to offer outside Linux: the module's memory is a
// growing slice there, as in wazero.
func reserve(uint64) experimental.LinearMemory { return nil }

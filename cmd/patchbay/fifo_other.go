//go:build !unix

package main

import (
	"context"
	"os"
)

// writeFIFO writes into a named pipe. Outside Unix there is no
// non-blocking open to wait for a reader with, so the pipe is opened and
// written plainly.
func writeFIFO(_ context.Context, path string, data []byte) error {
	return writeOpened(path, os.O_WRONLY, data)
}

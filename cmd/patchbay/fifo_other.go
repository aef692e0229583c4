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
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

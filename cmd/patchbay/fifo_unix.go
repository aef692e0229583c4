//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// writeFIFO writes into a named pipe. Opening one for writing blocks until
// a reader opens it, beyond the reach of Ctrl-C; so it is opened without
// blocking, and while no reader is there (ENXIO) tried again every few
// milliseconds until one comes or the command is interrupted — as tee
// waits for a reader, but stoppable.
func writeFIFO(ctx context.Context, path string, data []byte) error {
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if errors.Is(err, syscall.ENXIO) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		// Writes block again, as to any pipe: the reader sets the pace.
		if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
			f.Close()
			return err
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return werr
	}
}

//go:build unix

package project

import "syscall"

// oNonblock opens without waiting for a FIFO's writer; a regular file reads
// the same with it.
const oNonblock = syscall.O_NONBLOCK

//go:build !unix || solaris || illumos || aix

package main

import "errors"

// mkfifo fails where the system has no named pipes in its file system,
// and the tests that need one skip.
func mkfifo(string, uint32) error { return errors.New("no named pipes on this system") }

//go:build unix && !solaris && !illumos && !aix

package main

import "syscall"

func mkfifo(path string, mode uint32) error { return syscall.Mkfifo(path, mode) }

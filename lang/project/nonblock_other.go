//go:build !unix

package project

// oNonblock: elsewhere the stat before opening is the guard.
const oNonblock = 0

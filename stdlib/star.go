package stdlib

import "embed"

// StarModules holds the Starlark modules behind load("@stdlib//NAME.star"),
// under star/.
//
//go:embed star/*.star
var StarModules embed.FS

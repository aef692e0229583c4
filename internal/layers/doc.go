// Package layers holds no code: its test keeps patchbay's packages in
// their layers, each importing only the ones its row of the table in
// layers_test.go allows — stdlib at the bottom, then lang, planner, sim,
// and the CLI on top (docs/architecture.md draws them).
package layers

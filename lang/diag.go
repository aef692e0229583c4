// Package lang is patchbay's vocabulary: the Design and its typed resources,
// references between them, source ranges and diagnostics. Both front-ends
// (Starlark and HCL) produce a Design; the planner consumes it.
package lang

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Pos is a 1-based line and column (columns count runes, as both front-ends do).
type Pos struct {
	Line int32 `json:"line"`
	Col  int32 `json:"col"`
}

// Range is where a declaration or a problem sits in a source file. The zero
// Range means "no position" (for example a finding about the design as a whole).
type Range struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end,omitzero"`
}

// IsZero reports whether r carries no position.
func (r Range) IsZero() bool { return r.File == "" && r.Start.Line == 0 }

// String is the conventional file:line:col form that editors and CI annotate.
func (r Range) String() string {
	if r.IsZero() {
		return "<design>"
	}
	if r.Start.Line == 0 {
		return r.File
	}
	if r.Start.Col == 0 {
		return fmt.Sprintf("%s:%d", r.File, r.Start.Line)
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Col)
}

// Compare orders ranges by file, then position, so reports are stable.
func (r Range) Compare(o Range) int {
	return cmp.Or(
		strings.Compare(r.File, o.File),
		cmp.Compare(r.Start.Line, o.Start.Line),
		cmp.Compare(r.Start.Col, o.Start.Col),
	)
}

// Severity of a diagnostic. The zero value is an error so that a forgotten
// severity never downgrades a problem.
type Severity int

const (
	SevError Severity = iota
	SevWarning
	SevInfo
)

func (s Severity) String() string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	case SevInfo:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = SevError
	case "warning":
		*s = SevWarning
	case "info":
		*s = SevInfo
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Related points at a second place that takes part in a problem (the other
// VPC of an overlap, the first declaration of a duplicate name).
type Related struct {
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

// Frame is one entry of a script call stack, innermost last.
type Frame struct {
	Func  string `json:"func"`
	Range Range  `json:"range"`
}

// Diagnostic is the single problem type shared by both languages and the
// planner, so that every problem prints and serialises the same way.
type Diagnostic struct {
	Severity Severity  `json:"severity"`
	Rule     string    `json:"rule"`
	Summary  string    `json:"summary"`
	Detail   string    `json:"detail,omitempty"`
	Hint     string    `json:"hint,omitempty"`
	Range    Range     `json:"range"`
	Related  []Related `json:"related,omitempty"`
	Stack    []Frame   `json:"stack,omitempty"`
}

func (d Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s: %s", d.Range, d.Severity, d.Summary)
}

// Diagnostics is a list of problems; as an error it stands for all of them.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == SevError })
}

func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Sort orders diagnostics by position, then rule and summary, for stable reports.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(a.Range.Compare(b.Range), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Summary, b.Summary))
	})
}

// MarshalJSON keeps an empty list as [] rather than null, so CI consumers
// need not special-case a clean design.
func (ds Diagnostics) MarshalJSON() ([]byte, error) {
	if ds == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Diagnostic(ds))
}

// AsDiagnostics turns any error into diagnostics: a Diagnostic or Diagnostics
// passes through; anything else becomes one error without a position.
func AsDiagnostics(err error, rule string) Diagnostics {
	if err == nil {
		return nil
	}
	var ds Diagnostics
	if errors.As(err, &ds) {
		return ds
	}
	var d Diagnostic
	if errors.As(err, &d) {
		return Diagnostics{d}
	}
	return Diagnostics{{Severity: SevError, Rule: rule, Summary: err.Error()}}
}

// SourceError is a failed load: the problems, and the text of the files read
// so far so the problems can be shown in context. It is the one error type
// at the language boundary: load.File returns nothing else, and callers
// match it with errors.As.
type SourceError struct {
	Diagnostics Diagnostics
	Files       Sources
}

func (e *SourceError) Error() string { return e.Diagnostics.Error() }

// Unwrap gives the diagnostics, so AsDiagnostics and errors.As find them.
func (e *SourceError) Unwrap() error { return e.Diagnostics }

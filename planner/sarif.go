package planner

import (
	"encoding/json"
	"io"
	"strings"

	"patchbay/lang"
)

// SARIF 2.1.0, the subset patchbay fills: one run, the rule catalog as the
// driver's rules, one result per finding with its location and related
// locations. Written by hand (not through a SARIF library) so that field
// order, and so the bytes, never change between runs.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool      sarifTool       `json:"tool"`
	Artifacts []sarifArtifact `json:"artifacts"`
	Results   []sarifResult   `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name  string      `json:"name"`
	Rules []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifText    `json:"shortDescription"`
	FullDescription      sarifText    `json:"fullDescription"`
	Help                 sarifText    `json:"help"`
	HelpURI              string       `json:"helpUri,omitempty"`
	DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
}

type sarifDefault struct {
	Level string `json:"level"`
}

type sarifArtifact struct {
	Location sarifArtifactLocation `json:"location"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        *int            `json:"ruleIndex,omitempty"`
	Level            string          `json:"level"`
	Message          sarifText       `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

func sarifLevel(s lang.Severity) string {
	switch s {
	case lang.SevError:
		return "error"
	case lang.SevWarning:
		return "warning"
	}
	return "note"
}

func sarifPhysical(r lang.Range) sarifPhysicalLocation {
	pl := sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: sarifURI(r.File)}}
	if r.Start.Line > 0 {
		reg := &sarifRegion{StartLine: int(r.Start.Line), StartColumn: int(r.Start.Col)}
		if r.End.Line > 0 {
			reg.EndLine, reg.EndColumn = int(r.End.Line), int(r.End.Col)
		}
		pl.Region = reg
	}
	return pl
}

// sarifURI turns a file name into a relative URI reference, as code
// scanning expects paths relative to the repository.
func sarifURI(file string) string {
	if file == "" {
		return "design"
	}
	return strings.ReplaceAll(file, "\\", "/")
}

// WriteSARIF writes the findings as a SARIF 2.1.0 log.
func WriteSARIF(w io.Writer, files []string, findings lang.Diagnostics) error {
	run := sarifRun{
		Tool:      sarifTool{Driver: sarifDriver{Name: "patchbay"}},
		Artifacts: []sarifArtifact{},
		Results:   []sarifResult{},
	}
	index := map[string]int{}
	for i, r := range Rules() {
		index[r.ID] = i
		sr := sarifRule{
			ID: r.ID, Name: r.ID, ShortDescription: sarifText{r.Summary}, FullDescription: sarifText{r.Explain},
			Help: sarifText{r.Explain}, DefaultConfiguration: sarifDefault{sarifLevel(r.Severity)},
		}
		if len(r.Sources) > 0 {
			sr.HelpURI = r.Sources[0].URL
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sr)
	}
	for _, f := range files {
		run.Artifacts = append(run.Artifacts, sarifArtifact{sarifArtifactLocation{sarifURI(f)}})
	}
	for _, f := range findings {
		// Script errors (syntax, argument, load …) are results too, without
		// a catalog rule to point at, so CI annotates them like findings.
		var ruleIndex *int
		if idx, ok := index[f.Rule]; ok {
			ruleIndex = &idx
		}
		msg := f.Summary
		if f.Hint != "" {
			msg += " (hint: " + f.Hint + ")"
		}
		res := sarifResult{RuleID: f.Rule, RuleIndex: ruleIndex, Level: sarifLevel(f.Severity), Message: sarifText{msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical(f.Range)}}}
		for i, rel := range f.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: &id, PhysicalLocation: sarifPhysical(rel.Range), Message: &sarifText{rel.Message}})
		}
		run.Results = append(run.Results, res)
	}
	b, err := json.MarshalIndent(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

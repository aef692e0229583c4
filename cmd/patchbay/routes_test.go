package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"patchbay/planner/plantest"
)

// TestRoutesJSONStream checks that the document written table by table is
// byte for byte what encoding it whole would give, for every table of an
// example: the stream must not be a second, drifting JSON dialect.
func TestRoutesJSONStream(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		topo := plantest.File(t, f).Topology()
		tables, err := selectTables(topo, nil)
		if err != nil {
			t.Fatal(err)
		}
		var streamed bytes.Buffer
		if err := writeRoutesJSON(&streamed, tables, topo.RoutesOf(tables)); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Schema string            `json:"schema"`
			Tables []routesTableJSON `json:"tables"`
		}
		if err := json.Unmarshal(streamed.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(doc.Tables) != len(topo.Tables) {
			t.Errorf("%s: %d tables in the document, %d in the topology", f, len(doc.Tables), len(topo.Tables))
		}
		var whole bytes.Buffer
		if err := writeJSON(&whole, doc); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed.Bytes(), whole.Bytes()) {
			t.Errorf("%s: the streamed document differs from the whole one:\n%s\nwant:\n%s", f, streamed.Bytes(), whole.Bytes())
		}
	}
}

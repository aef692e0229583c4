package sim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestLiveLabInREADME: the README's lab is what TestLivePeering runs.
func TestLiveLabInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"lab.star", "bird.conf", "gobgp.conf", "frr.conf"} {
		data, err := os.ReadFile(filepath.Join("testdata/live", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, data) {
			t.Errorf("the README's lab lacks testdata/live/%s as it is", f)
		}
	}
}

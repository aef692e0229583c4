package sim

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

// tshark finds tshark, or skips the test with why; CI sets
// PATCHBAY_REQUIRE_TSHARK=1 (and installs it) so it never skips there.
func tshark(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("PATCHBAY_REQUIRE_TSHARK") != "" {
			t.Fatal("PATCHBAY_REQUIRE_TSHARK is set but tshark is not on PATH (Debian: apt-get install tshark)")
		}
		t.Skip("tshark is not installed, so captures are not checked against Wireshark's dissectors (Debian: apt-get install tshark)")
	}
	return path
}

// filter runs a display filter over a capture and returns the packets it
// matched, one summary line each.
func filter(t *testing.T, bin, file, expr string) []string {
	t.Helper()
	cmd := exec.Command(bin, "-n", "-r", file, "-Y", expr)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no user profile
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark -Y %q: %v\n%s", expr, err, errb.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// Wireshark reads every capture: BGP on port 179 and BFD on 3784 decode,
// and nothing is malformed, flagged by an expert warning, a TCP payload
// that is not a BGP message, or a KEEPALIVE that is not 19 bytes.
func TestCapturesPassTshark(t *testing.T) {
	bin := tshark(t)
	type capRun struct {
		name string
		sc   *lang.Scenario
		file string
		plan *planner.Plan // instead of file
	}
	var runs []capRun
	for _, file := range plantest.Examples(t, "../examples") {
		for _, sc := range plantest.File(t, file).Design.Scenarios {
			runs = append(runs, capRun{filepath.Base(file) + " " + sc.Name, sc, file, nil})
		}
	}
	// A prefix flood and a maximum-prefix NOTIFICATION, too.
	runs = append(runs, capRun{"max-prefix", scenario(3*time.Minute, nil,
		advertiseAt(60*time.Second, "hq/conn1", lang.Advertise{ExtraPrefixes: 99, Prepend: 1, Communities: []string{"7224:7300"}, MED: 50})),
		"../examples/last_mile.star", nil})
	// Dual stack: IPv6 sessions over IPv6, one ceased for its 101 prefixes.
	runs = append(runs, capRun{"ipv6-max-prefix", scenario(3*time.Minute, nil), "", dualStack(t, 1, 101)})
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			p := r.plan
			if p == nil {
				p = plantest.File(t, r.file)
			}
			var wireCap, insideCap bytes.Buffer
			if _, err := run(p, r.sc, Options{Seed: 1, Pcap: &wireCap, PcapInside: &insideCap}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			wireFile, file := filepath.Join(dir, "wire.pcap"), filepath.Join(dir, "inside.pcap")
			if err := os.WriteFile(wireFile, wireCap.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, insideCap.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			// On the wire: MKA and MACsec (tshark cannot decrypt it), nothing
			// malformed or flagged.
			if got := filter(t, bin, wireFile, `_ws.malformed || _ws.expert.severity >= "Warning"`); len(got) > 0 {
				t.Errorf("on the wire, %d packets are malformed or flagged, e.g.\n%s", len(got), strings.Join(got[:min(5, len(got))], "\n"))
			}
			onWire := fields(t, bin, wireFile, "eapol || macsec", "eapol.type", "mka.version_id", "macsec.AN", "macsec.SCI.system_identifier")
			for _, want := range []string{"eapol.type=5", "mka.version_id=3"} {
				if !onWire[want] {
					t.Errorf("tshark decoded no MKA frame with %s", want)
				}
			}
			if !slices.ContainsFunc(slices.Collect(maps.Keys(onWire)), func(k string) bool { return strings.HasPrefix(k, "macsec.AN=") }) {
				t.Error("tshark decoded no MACsec frame")
			}
			// One pass for what must match nothing (tshark exits 0 whatever
			// it finds, so emptiness is the check), one for what must appear.
			bad := `_ws.malformed || _ws.expert.severity >= "Warning" || (tcp.port==179 && tcp.len>0 && !bgp.type) || (bgp.type==4 && bgp.length!=19)`
			if got := filter(t, bin, file, bad); len(got) > 0 {
				t.Errorf("%d packets are malformed, flagged or not BGP, e.g.\n%s", len(got), strings.Join(got[:min(5, len(got))], "\n"))
			}
			seen := fields(t, bin, file, "bgp || bfd", "bgp.type", "bfd.sta", "bgp.notify.major_error", "bgp.notify.minor_error_cease", "bgp.update.path_attribute.community_as", "bgp.update.path_attribute.community_value")
			for _, want := range []string{"bgp.type=1", "bgp.type=2", "bgp.type=4", "bfd.sta=0x03"} {
				if !seen[want] {
					t.Errorf("tshark decoded no packet with %s", want)
				}
			}
			if r.name == "ipv6-max-prefix" {
				// The IPv6 session over IPv6 (Hop Limit 1), its MP_REACH
				// next hop global and link-local, and the Cease/1 naming AFI 2.
				v6 := fields(t, bin, file, "bgp", "ipv6.hlim", "bgp.cap.mp.afi", "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6",
					"bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local", "bgp.notify.minor_data")
				for _, want := range []string{"ipv6.hlim=1", "bgp.cap.mp.afi=2", "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6=2001:db8:dc::2",
					"bgp.notify.minor_data=00020100000064"} {
					if !v6[want] {
						t.Errorf("tshark decoded no %s", want)
					}
				}
				if !slices.ContainsFunc(slices.Collect(maps.Keys(v6)), func(k string) bool {
					return strings.HasPrefix(k, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local=fe80::")
				}) {
					t.Error("tshark decoded no link-local next hop")
				}
				if bfd6 := filter(t, bin, file, "bfd && ipv6.hlim==255"); len(bfd6) == 0 {
					t.Error("tshark decoded no BFD over IPv6 with Hop Limit 255")
				}
			}
			if r.name == "max-prefix" {
				for _, want := range []string{"bgp.notify.major_error=6", "bgp.notify.minor_error_cease=1", "bgp.update.path_attribute.community_as=7224", "bgp.update.path_attribute.community_value=7300"} {
					if !seen[want] {
						t.Errorf("tshark decoded no %s", want)
					}
				}
			}
		})
	}
}

// fields prints fields of the packets a filter matches and returns every
// "field=value" seen (values of multi-occurrence fields split at commas).
func fields(t *testing.T, bin, file, expr string, names ...string) map[string]bool {
	t.Helper()
	args := []string{"-n", "-r", file, "-Y", expr, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, n := range names {
		args = append(args, "-e", n)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark -T fields: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		for i, col := range strings.Split(line, "\t") {
			for _, v := range strings.Split(col, ",") {
				if v != "" && i < len(names) {
					seen[names[i]+"="+v] = true
				}
			}
		}
	}
	return seen
}

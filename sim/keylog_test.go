package sim

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/macsec"
	"patchbay/sim/mka"
)

// python3Crypto finds a python3 with the cryptography package — the one on
// PATH, else Debian's, where apt-get install python3-cryptography puts it
// when PATH leads to another — or skips the test with why. CI sets
// PATCHBAY_REQUIRE_TSHARK=1 (and installs both, .ci/run) so it never skips
// there, as for tshark.
func python3Crypto(t *testing.T) string {
	t.Helper()
	var err error
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		var path string
		if path, err = exec.LookPath(name); err != nil {
			continue
		}
		if err = exec.Command(path, "-c", "import cryptography.hazmat.primitives.ciphers.aead").Run(); err == nil {
			return path
		}
	}
	if os.Getenv("PATCHBAY_REQUIRE_TSHARK") != "" {
		t.Fatalf("PATCHBAY_REQUIRE_TSHARK is set but no python3 with the cryptography package was found (%v; Debian: apt-get install python3-cryptography)", err)
	}
	t.Skipf("no python3 with the cryptography package (%v), so captures are not decrypted independently (Debian: apt-get install python3-cryptography)", err)
	return ""
}

// hundredGig is an Interconnect of four 25 Gbps channels carrying 40 Gbps
// of 64-byte packets: 19.5 million a second on each channel, so a PN passes
// 2^32 within four minutes of the warm-up and GCM-AES-256 rekeys every
// 165 s (TestPacketNumbersForceRekeysWithoutXPN).
const hundredGig = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "100Gbps", attach_to = dx, peer = g)
`

type keylogCase struct {
	name  string
	plan  func(t *testing.T) *planner.Plan
	sc    func(p *planner.Plan) *lang.Scenario
	suite macsec.CipherSuite
	// beyond32 wants an XPN PN past 2^32, recovered from the 32 bits on the
	// wire; rekeys wants a SAK past KN 1.
	beyond32, rekeys bool
}

func keylogCases() []keylogCase {
	named := func(name string) func(p *planner.Plan) *lang.Scenario {
		return func(p *planner.Plan) *lang.Scenario {
			for _, sc := range p.Design.Scenarios {
				if sc.Name == name {
					return sc
				}
			}
			return nil
		}
	}
	small := []lang.Flow{flowOf("small", "gcp_vpc.g", "vpc.v", 40*gbps, 64)}
	return []keylogCase{
		{name: "GCM-AES-256 rotation", suite: macsec.GCMAES256,
			plan: func(t *testing.T) *planner.Plan { return plantest.File(t, "testdata/macsec_gcm256.star") },
			sc:   named("rotate")},
		{name: "GCM-AES-256 rekeys", suite: macsec.GCMAES256, rekeys: true,
			plan: func(t *testing.T) *planner.Plan {
				// Simulated as written although AWS takes GCM-AES-256 on 10 Gbps
				// ports only: the point is the 32-bit PN running out.
				p := plantest.Source(t, hundredGig)
				for _, ch := range p.Interconnects[0].Channels {
					ch.MACsecCipher = macsec.GCMAES256.String()
				}
				return p
			},
			sc: func(*planner.Plan) *lang.Scenario { return scenario(6*time.Minute, small) }},
		{name: "GCM-AES-XPN-256 multicloud facility-loss", suite: macsec.GCMAESXPN256,
			plan: func(t *testing.T) *planner.Plan { return multicloud(t) },
			sc:   named("facility-loss")},
		{name: "GCM-AES-XPN-256 past 2^32", suite: macsec.GCMAESXPN256, beyond32: true,
			plan: func(t *testing.T) *planner.Plan { return plantest.Source(t, hundredGig) },
			sc: func(*planner.Plan) *lang.Scenario {
				return scenario(4*time.Minute, small, keyEvent(30*time.Second, lang.ActionRotateKey, "ic/ch2", "aws", ""))
			}},
	}
}

// Every MACsec frame a run captures validates and decrypts with the key
// log alone, checked by a short Python program that shares no code with
// the simulator and derives the XPN salt and SSCIs itself
// (testdata/macsec_verify.py).
func TestKeylogDecryptsCaptures(t *testing.T) {
	py := python3Crypto(t)
	for _, c := range keylogCases() {
		t.Run(c.name, func(t *testing.T) {
			p := c.plan(t)
			sc := c.sc(p)
			if sc == nil {
				t.Fatal("no such scenario")
			}
			var wire, keys bytes.Buffer
			kl := mka.NewKeyLog(&keys)
			if _, err := run(p, sc, Options{Seed: 1, Pcap: &wire, KeyLog: kl}); err != nil {
				t.Fatal(err)
			}
			if err := kl.Err(); err != nil {
				t.Fatal(err)
			}
			lines := keyLogLines(t, keys.Bytes())
			rekeyed := false
			for _, l := range lines {
				if l["suite"] != c.suite.String() {
					t.Fatalf("suite %s, want %s", l["suite"], c.suite)
				}
				if l["kn"] != "1" {
					rekeyed = true
				}
			}
			if c.rekeys && !rekeyed {
				t.Fatal("no SAK past KN 1: the case does not exercise a rekey")
			}
			dir := t.TempDir()
			capFile, logFile := filepath.Join(dir, "wire.pcap"), filepath.Join(dir, "keys.log")
			if err := os.WriteFile(capFile, wire.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(logFile, keys.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "testdata/macsec_verify.py", capFile, logFile)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			runErr := cmd.Run()
			var got struct {
				Frames, Verified, Failed int
				MaxPN                    uint64 `json:"max_pn"`
				Failures                 []string
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("macsec_verify.py: %v (%v)\n%s%s", err, runErr, out.String(), errb.String())
			}
			if got.Frames == 0 || got.Verified != got.Frames || got.Failed != 0 || runErr != nil {
				t.Fatalf("%d of %d MACsec frames verified, %d problems (%v):\n%s", got.Verified, got.Frames, got.Failed, runErr, strings.Join(got.Failures, "\n"))
			}
			if c.beyond32 && got.MaxPN <= 1<<32 {
				t.Fatalf("highest PN %#x: the case does not reach past 2^32", got.MaxPN)
			}
			t.Logf("%d frames verified with %d SAs; highest PN %#x", got.Frames, len(lines), got.MaxPN)
		})
	}
}

// keyLogLines parses a key log into its fields, checking the format the
// KeyLog comment documents.
func keyLogLines(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	var out []map[string]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		head, link, ok := strings.Cut(line, " link=")
		if !ok || link == "" {
			t.Fatalf("no link in %q", line)
		}
		f := map[string]string{"link": link}
		var order []string
		for _, kv := range strings.Split(head, " ") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("field %q in %q", kv, line)
			}
			f[k] = v
			order = append(order, k)
		}
		want := "t sci an kn mi suite sak"
		if strings.Contains(f["suite"], "XPN") {
			want = "t sci an kn mi suite ssci salt sak"
		}
		if got := strings.Join(order, " "); got != want {
			t.Fatalf("fields %q, want %q", got, want)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatal("empty key log")
	}
	return out
}

// The key log's XPN salt and SSCI are the standard's derivations, the same
// at both ends of a link whichever is the key server, and one line stands
// for each SA however many ends install it.
func TestKeylogXPNLinesDeriveSaltAndSSCI(t *testing.T) {
	var keys bytes.Buffer
	kl := mka.NewKeyLog(&keys)
	if _, err := run(multicloud(t), scenario(30*time.Second, nil), Options{Seed: 1, KeyLog: kl}); err != nil {
		t.Fatal(err)
	}
	lines := keyLogLines(t, keys.Bytes())
	seen := map[string]bool{}
	scis := map[string][]macsec.SCI{}
	for _, l := range lines {
		id := l["sci"] + l["an"] + l["sak"]
		if seen[id] {
			t.Fatalf("SA logged twice: %v", l)
		}
		seen[id] = true
		var sci macsec.SCI
		hex.Decode(sci[:], []byte(l["sci"]))
		scis[l["link"]] = append(scis[l["link"]], sci)
	}
	for _, l := range lines {
		var mi [12]byte
		hex.Decode(mi[:], []byte(l["mi"]))
		kn, _ := strconv.ParseUint(l["kn"], 10, 32)
		if salt := macsec.XPNSalt(mi, uint32(kn)); hex.EncodeToString(salt[:]) != l["salt"] {
			t.Errorf("%s: salt %s, want %x", l["link"], l["salt"], salt)
		}
		var sci macsec.SCI
		hex.Decode(sci[:], []byte(l["sci"]))
		if want := fmt.Sprintf("%08x", macsec.SSCI(sci, scis[l["link"]])); l["ssci"] != want {
			t.Errorf("%s: SSCI %s, want %s", l["link"], l["ssci"], want)
		}
	}
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8: two SAs for each of four channels", len(lines))
	}
}

// MKPDUs report the real Lowest Acceptable PN of the latest SAK, the high
// half in the XPN parameter set: it grows with the traffic, and past 2^32
// the high half is not 0.
func TestMKASAKUseReportsLowestAcceptablePN(t *testing.T) {
	var last, count int
	var highest uint64
	for _, m := range sakUses(t, plantest.Source(t, hundredGig), 4*time.Minute) {
		if m.XPN == nil {
			t.Fatal("an XPN suite's MKPDU without the XPN parameter set")
		}
		lpn := uint64(m.XPN.LatestLowestPNHigh)<<32 | uint64(m.SAKUse.LatestLowestPN)
		if lpn == 0 {
			t.Fatal("Lowest Acceptable PN 0")
		}
		count++
		if lpn > 1 {
			last = count
		}
		highest = max(highest, lpn)
	}
	if count == 0 || last == 0 {
		t.Fatalf("%d SAK Use sets, the last above 1 is number %d", count, last)
	}
	// 19.5 million packets a second from the 60 s warm-up on: past 2^32
	// (4.29e9) by the end of four minutes, and below what 300 s would send.
	if highest <= 1<<32 || highest > uint64(300*19_531_250) {
		t.Fatalf("highest Lowest Acceptable PN %#x, want past 2^32 and below %#x", highest, uint64(300*19_531_250))
	}
}

// After a rekey, an end reports the Lowest Acceptable PN of the new SAK,
// which counts from 1 (IEEE 802.1AE nextPN), not the old SAK's: under
// GCM-AES-256 a channel rekeys when its PN reaches 0xC0000000, and the
// first report under each later Key Number is far below that (the new SA
// has received two seconds' packets at most, some 40 million).
func TestMKASAKUseFollowsTheNewSAK(t *testing.T) {
	p := plantest.Source(t, hundredGig)
	for _, ch := range p.Interconnects[0].Channels {
		ch.MACsecCipher = macsec.GCMAES256.String()
	}
	type sender struct {
		mi [12]byte
		kn uint32
	}
	first := map[sender]uint32{}
	for _, m := range sakUses(t, p, 6*time.Minute) {
		k := sender{m.MI, m.SAKUse.LatestKN}
		if _, ok := first[k]; !ok {
			first[k] = m.SAKUse.LatestLowestPN
		}
	}
	later := 0
	for s, lpn := range first {
		if s.kn > 1 {
			later++
			if lpn > 100_000_000 {
				t.Errorf("an end's first report under KN %d: Lowest Acceptable PN %#x, want the new SAK's", s.kn, lpn)
			}
		}
	}
	if later == 0 {
		t.Fatal("no rekey in six minutes")
	}
}

// sakUses runs p for d with 40 Gbps of 64-byte packets over its
// Interconnect and returns the captured MKPDUs that carry a SAK Use set
// with a key in use, in the order sent.
func sakUses(t *testing.T, p *planner.Plan, d time.Duration) []*macsec.MKPDU {
	t.Helper()
	var wire bytes.Buffer
	sc := scenario(d, []lang.Flow{flowOf("small", "gcp_vpc.g", "vpc.v", 40*gbps, 64)})
	if _, err := run(p, sc, Options{Seed: 1, Pcap: &wire}); err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewReader(&wire)
	if err != nil {
		t.Fatal(err)
	}
	var out []*macsec.MKPDU
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			return out
		}
		if len(data) < 14 || data[12] != 0x88 || data[13] != 0x8e {
			continue
		}
		m, err := macsec.ParseMKPDU(data[14:])
		if err != nil {
			t.Fatal(err)
		}
		if m.SAKUse != nil && !m.SAKUse.Empty {
			out = append(out, m)
		}
	}
}

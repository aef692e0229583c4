package macsec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// tshark finds tshark, or skips the test saying why; CI sets
// PATCHBAY_REQUIRE_TSHARK so that a missing tshark fails there instead.
func tshark(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("PATCHBAY_REQUIRE_TSHARK") != "" {
			t.Fatal("PATCHBAY_REQUIRE_TSHARK is set but tshark is not on PATH (Debian: apt-get install tshark)")
		}
		t.Skip("tshark is not installed, so MACsec and MKA frames are not checked against Wireshark's dissectors (Debian: apt-get install tshark)")
	}
	return path
}

// runTshark runs tshark over a capture with extra arguments and returns its
// output lines.
func runTshark(t *testing.T, bin, file string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-n", "-r", file}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no user profile
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, errb.String())
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// ipv4UDP is an IPv4/UDP packet of n octets with a correct header checksum,
// so that Wireshark has nothing to say about what integrity-only MACsec
// carries in the clear.
func ipv4UDP(n int) []byte {
	p := make([]byte, n)
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:], uint16(n))
	copy(p[12:], []byte{192, 0, 2, 1, 192, 0, 2, 2})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	for sum > 0xFFFF {
		sum = sum&0xFFFF + sum>>16
	}
	binary.BigEndian.PutUint16(p[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(p[20:], 49152)
	binary.BigEndian.PutUint16(p[22:], 9)
	binary.BigEndian.PutUint16(p[24:], uint16(n-20))
	for i := 28; i < n; i++ {
		p[i] = byte(i)
	}
	return p
}

// secFrame is a MACsec frame and the fields tshark must show for it.
type secFrame struct {
	b    []byte
	want string // SC E C AN SL PN system port UDP-port, as -T fields prints them
}

func writePcap(t *testing.T, frames [][]byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "macsec.pcap")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65536, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, b := range frames {
		ci := gopacket.CaptureInfo{Timestamp: at.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(b), Length: len(b)}
		if err := w.WritePacket(ci, b); err != nil {
			t.Fatal(err)
		}
	}
	return file
}

// Wireshark decodes every MACsec frame Protect makes and every MKPDU Marshal
// makes, flags none of them, and reads back the fields that were meant.
func TestFramesPassTshark(t *testing.T) {
	bin := tshark(t)

	var sec []secFrame
	bit := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	add := func(sa *SA, f []byte, pn uint64, o Options) {
		t.Helper()
		p, err := ProtectWith(sa, f, pn, o)
		if err != nil {
			t.Fatal(err)
		}
		tag, _, err := ParseSecTAG(p[12:])
		if err != nil {
			t.Fatal(err)
		}
		sys, port := "", ""
		if tag.SC {
			mac := tag.SCI.MAC()
			sys = fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5])
			port = fmt.Sprint(tag.SCI.Port())
		}
		udp := "" // encrypted, or the vectors' counting octets
		if !o.Encrypt && bytes.Equal(f[12:15], []byte{0x08, 0x00, 0x45}) {
			udp = "9" // integrity only: the IPv4/UDP packet reads in the clear
		}
		sec = append(sec, secFrame{p, strings.Join([]string{bit(tag.SC), bit(tag.E), bit(tag.C),
			fmt.Sprintf("0x%02x", tag.AN), fmt.Sprint(tag.SL), fmt.Sprint(tag.PN), sys, port, udp}, "\t")})
	}
	for _, s := range allSuites {
		sa := testSA(s)
		for _, n := range []int{28, 46, 60, 61, 100, 1500} {
			f := append(testFrame(sa, 14)[:12:12], 0x08, 0x00)
			f = append(f, ipv4UDP(n)...)
			for _, encrypt := range []bool{false, true} {
				add(sa, f, uint64(n)<<20|1, Options{Encrypt: encrypt})
			}
		}
		f := append(testFrame(sa, 14)[:12:12], 0x08, 0x00)
		f = append(f, ipv4UDP(64)...)
		es := *sa
		es.SCI = MakeSCI([6]byte(f[6:12]), 1)
		add(&es, f, 7, Options{OmitSCI: true, EndStation: true})
		add(&es, f, 8, Options{OmitSCI: true, EndStation: true, Encrypt: true})
	}
	// The standard's encrypted vectors; the integrity-only ones carry
	// octets that are not IPv4 behind IPv4's EtherType.
	for _, v := range vectors {
		if v.secure != "" {
			add(v.sa(t), v.plain(t), v.pn(), v.opts())
		}
	}

	ick := ICK(bytes.Repeat([]byte{0x5A}, 16), []byte("ckn"))
	type mkaFrame struct {
		m    *MKPDU
		want string
	}
	hello := &MKPDU{Version: 1, Priority: 7, MACsecDesired: true, Capability: 3, SCI: MakeSCI(hostB, 1),
		MI: mi(9), MN: 1, AlgorithmAgility: DefaultAlgorithmAgility, CKN: []byte{0xAB}}
	plain := keyServerMKPDU()
	plain.SAKUse = &SAKUse{Empty: true, PlainTx: true, PlainRx: true}
	plain.DistSAK = &DistSAK{}
	gcm256 := keyServerMKPDU()
	gcm256.DistSAK = &DistSAK{AN: 3, ConfidentialityOffset: ConfidentialityO50, KN: 9, Suite: GCMAES256,
		WrappedSAK: make([]byte, 40)}
	mkas := []mkaFrame{
		// version, priority, KS, desired, capability, MN, CKN, latest AN, old AN,
		// distributed AN, offset, KN, suite, suspension, key server SSCI
		{hello, "1\t7\t0\t1\t3\t00000001\tab\t\t\t\t\t\t\t\t"},
		{keyServerMKPDU(), "1\t16\t1\t1\t2\t00000001\t6162636465\t1\t0\t1\t1\t00000001\t\t\t"},
		{xpnMKPDU(), "3\t255\t0\t1\t3\t01020304\t" + strings.Repeat("cc", 32) + "\t2\t1\t2\t2\t00000003\t" + fmt.Sprint(uint64(GCMAESXPN256)) + "\t5\t0x01"},
		{plain, "1\t16\t1\t1\t2\t00000001\t6162636465\t0\t0\t0\t0\t\t\t\t"},
		{gcm256, "1\t16\t1\t1\t2\t00000001\t6162636465\t1\t0\t3\t3\t00000009\t" + fmt.Sprint(uint64(GCMAES256)) + "\t\t"},
	}
	var frames [][]byte
	for _, f := range sec {
		frames = append(frames, f.b)
	}
	for _, m := range mkas {
		body, err := m.m.Marshal(ick, PAEGroupAddress, hostA)
		if err != nil {
			t.Fatal(err)
		}
		f := append(append(PAEGroupAddress[:], hostA[:]...), 0x88, 0x8E)
		frames = append(frames, append(f, body...))
	}
	file := writePcap(t, frames)

	if bad := runTshark(t, bin, file, "-Y", `_ws.malformed || _ws.expert.severity >= "Warning"`); len(bad) > 0 {
		t.Errorf("tshark flags %d frames:\n%s", len(bad), strings.Join(bad, "\n"))
		for _, l := range runTshark(t, bin, file, "-V", "-Y", `_ws.malformed || _ws.expert.severity >= "Warning"`) {
			t.Log(l)
		}
	}
	got := runTshark(t, bin, file, "-Y", "macsec", "-T", "fields",
		"-e", "macsec.TCI.SC", "-e", "macsec.TCI.E", "-e", "macsec.TCI.C", "-e", "macsec.AN",
		"-e", "macsec.SL", "-e", "macsec.PN", "-e", "macsec.SCI.system_identifier", "-e", "macsec.SCI.port_identifier",
		"-e", "udp.dstport")
	if len(got) != len(sec) {
		t.Errorf("tshark decodes %d of %d MACsec frames", len(got), len(sec))
	}
	for i := range min(len(got), len(sec)) {
		if got[i] != sec[i].want {
			t.Errorf("MACsec frame %d: tshark reads %q, want %q", i+1, got[i], sec[i].want)
		}
	}
	got = runTshark(t, bin, file, "-Y", "eapol.type == 5 && mka", "-T", "fields",
		"-e", "mka.version_id", "-e", "mka.ks_prio", "-e", "mka.key_server", "-e", "mka.macsec_desired",
		"-e", "mka.macsec_capability", "-e", "mka.actor_mn", "-e", "mka.cak_name",
		"-e", "mka.latest_key_an", "-e", "mka.old_key_an", "-e", "mka.distributed_an",
		"-e", "mka.confidentiality_offset", "-e", "mka.key_number", "-e", "mka.macsec_cipher_suite",
		"-e", "mka.suspension_time", "-e", "mka.key_server_ssci")
	if len(got) != len(mkas) {
		t.Errorf("tshark decodes %d of %d MKPDUs", len(got), len(mkas))
	}
	for i := range min(len(got), len(mkas)) {
		if got[i] != mkas[i].want {
			t.Errorf("MKPDU %d: tshark reads\n%q\nwant\n%q", i+1, got[i], mkas[i].want)
		}
	}
}

package mka

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"patchbay/sim/macsec"
)

// KeyLog records every MACsec secure association a run installs, one line
// per SA, with what a third party needs to validate and decrypt the run's
// capture (sim.Options.Pcap) on its own: the SCI and AN that frames of the
// SA carry in their SecTAG, the SAK, and what names it in MKPDUs. A line
// reads
//
//	t=-58.123456789 sci=0a0000000a010001 an=0 kn=1 mi=<24 hex digits> suite=GCM-AES-XPN-256 ssci=00000002 salt=<24 hex digits> sak=<hex> link=NAME
//
// t is the virtual time the SA was first installed at either end (its
// receive SA at the peer usually comes first), in seconds: the capture's
// timestamps less 2026-01-01T00:00:00Z, negative during the warm-up. mi is
// the Member Identifier of the key server that distributed the SAK and kn
// its Key Number. ssci and salt appear with the XPN suites only; the salt
// is macsec.XPNSalt(mi, kn) and the SSCI follows from the SCIs of the
// link's two ends (macsec.SSCI), so a reader can derive both rather than
// trust them.
// link, the last field, is the channel or connection and runs to the end of
// the line. Lines starting with # are comments.
type KeyLog struct {
	w   io.Writer
	err error
}

// NewKeyLog starts a key log on w with a comment line saying what the
// fields are.
func NewKeyLog(w io.Writer) *KeyLog {
	k := &KeyLog{w: w}
	k.printf("# patchbay MACsec key log: one line per SA installed; t in seconds of virtual time from 2026-01-01T00:00:00Z; sci an kn mi suite [ssci salt] sak link\n")
	return k
}

// Err is the first error writing the log; after one, nothing more is
// written. A run does not fail on it: check it after the run.
func (k *KeyLog) Err() error { return k.err }

func (k *KeyLog) printf(format string, args ...any) {
	if k.err == nil {
		_, k.err = fmt.Fprintf(k.w, format, args...)
	}
}

// logSA writes sa, an SA of CA p's current SAK being installed at this end,
// unless the other end already installed it: the transmit SA at one end and
// the receive SA at the other are the same SA.
func (e *mkaEnd) logSA(p *participant, sa *macsec.SA) {
	sl := e.sl()
	kl := sl.env.KeyLog
	if kl == nil {
		return
	}
	owner := sl.ends()[0]
	if sa.SCI == sl.ends()[1].sci() {
		owner = sl.ends()[1]
	}
	if o := owner.cold().logged; o != nil && o.AN == sa.AN && bytes.Equal(o.Key, sa.Key) {
		return
	}
	owner.cold().logged = sa
	mi := p.keyServerMI()
	kl.printf("t=%s sci=%s an=%d kn=%d mi=%s suite=%s", keyLogTime(sl.env.e.Now()), sa.SCI, sa.AN, p.kn, hex.EncodeToString(mi[:]), sa.Suite)
	if sa.Suite.XPN() {
		kl.printf(" ssci=%08x salt=%s", sa.SSCI, hex.EncodeToString(sa.Salt[:]))
	}
	kl.printf(" sak=%s link=%s\n", hex.EncodeToString(sa.Key), sl.about.name)
}

// keyLogTime prints a virtual time as signed seconds with every nanosecond,
// so that a reader compares it with pcap timestamps exactly.
func keyLogTime(t time.Duration) string {
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%09d", sign, t/time.Second, t%time.Second)
}

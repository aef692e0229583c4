package sim

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"patchbay/lang"
	"patchbay/planner/plantest"
	"patchbay/sim/bfd"
)

type bfdSeen struct {
	at time.Duration
	p  layers.BFD
}

// bfdByEnd reads every BFD control packet of a capture, by the sender's
// discriminator (one per session end).
func bfdByEnd(t *testing.T, pcap []byte) map[layers.BFDDiscriminator][]bfdSeen {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	return readBFD(t, r)
}

func readBFD(t *testing.T, r gopacket.PacketDataSource) map[layers.BFDDiscriminator][]bfdSeen {
	out := map[layers.BFDDiscriminator][]bfdSeen{}
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		udp, _ := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if udp == nil || udp.DstPort != bfd.Port {
			continue
		}
		var b layers.BFD
		if err := b.DecodeFromBytes(udp.Payload, gopacket.NilDecodeFeedback); err != nil {
			t.Fatal(err)
		}
		out[b.MyDiscriminator] = append(out[b.MyDiscriminator], bfdSeen{at: ci.Timestamp.Sub(captureEpoch), p: b})
	}
	return out
}

// RFC 5880 §6.8.3: when a session comes Up its DesiredMinTxInterval drops
// from the slow second to the configured 300 ms, and a change while Up
// MUST start a Poll Sequence; §6.8.7: the peer answers a Poll with a Final
// at once, whatever its timers. So on a quiet run each end sends exactly
// one P packet (the next packet after it went Up, the round trip of a
// channel being far below 300 ms), the peer's F packet leaves exactly one
// link latency after it (it is sent on arrival: 750 µs on the multicloud
// channels, half the catalog's 1.5 ms round trip between us-east-1 and
// us-east4), and no packet carries P after that, nor P and F
// together.
func TestBFDPollSequenceWhenComingUp(t *testing.T) {
	p := plantest.File(t, "../examples/multicloud.star")
	var pcap bytes.Buffer
	if _, err := run(p, scenario(10*time.Second, nil), Options{Seed: 1, PcapInside: &pcap}); err != nil {
		t.Fatal(err)
	}
	s := startSim(t, p, scenario(10*time.Second, nil))
	latency := s.n.Groups["aws-gcp-use1"][0].Latency
	if latency != 750*time.Microsecond {
		t.Fatalf("channel latency %v, the comment says 750µs", latency)
	}
	ends := bfdByEnd(t, pcap.Bytes())
	if len(ends) != 8 {
		t.Fatalf("%d BFD ends, want 8 (four channels, two ends each)", len(ends))
	}
	for disc, pkts := range ends {
		var polls []bfdSeen
		for _, x := range pkts {
			if x.p.Poll && x.p.Final {
				t.Fatalf("end %d: P and F together at %v", disc, x.at)
			}
			if x.p.Poll {
				polls = append(polls, x)
			}
		}
		if len(polls) != 1 {
			t.Fatalf("end %d sent %d P packets, want 1", disc, len(polls))
		}
		poll := polls[0]
		if poll.p.State != layers.BFDStateUp || poll.p.DesiredMinTxInterval != 300000 {
			t.Fatalf("end %d polled with %+v, want Up and 300 ms", disc, poll.p)
		}
		var finals []bfdSeen
		for _, x := range ends[poll.p.YourDiscriminator] {
			if x.p.Final {
				finals = append(finals, x)
			}
		}
		if len(finals) != 1 || finals[0].at-poll.at != latency {
			t.Fatalf("end %d polled at %v; its peer's finals %v, want one %v later", disc, poll.at, finals, latency)
		}
	}
}

// bfdControl is a BFD control packet (RFC 5880 §4.1) from the holder of
// disc my to the holder of your, Up, with neither P nor F, and intervals
// in microseconds.
func bfdControl(my, your uint32, mult uint8, minTx, minRx uint32) []byte {
	b := make([]byte, 24)
	b[0] = 1 << 5 // version 1, no diagnostic
	b[1] = 3 << 6 // Up
	b[2], b[3] = mult, 24
	binary.BigEndian.PutUint32(b[4:], my)
	binary.BigEndian.PutUint32(b[8:], your)
	binary.BigEndian.PutUint32(b[12:], minTx)
	binary.BigEndian.PutUint32(b[16:], minRx)
	return b
}

// The detection time runs out Detect Mult × the slower of our Required Min
// RX and the peer's Desired Min TX after the last packet (RFC 5880
// §6.8.4), whenever our own next packet is due: a peer that asks for a
// slow rate (Required Min RX 5 s) slows only what we send (§6.8.7). Here
// the peer's packets stop (its channel failed) after one that cut its
// multiplier from 50 to 3, which brings the detection time from 15 s to
// 900 ms, before our next packet, due about 5 s after the last.
func TestBFDDetectionTimeDoesNotWaitForTheNextPacket(t *testing.T) {
	sc := scenario(time.Minute, nil, at(30*time.Second, lang.ActionFail, lang.TargetChannel, "aws-gcp-use1/ch1"))
	s := startSim(t, multicloud(t), sc)
	var ends [2]*bfd.End
	for i, se := range s.bgp.Sessions() {
		if se.Link.Name == "aws-gcp-use1/ch1" {
			ends = s.bfd[i]
		}
	}
	if ends[0] == nil {
		t.Fatal("no BFD session on aws-gcp-use1/ch1")
	}
	aws, far := ends[0], ends[1]
	s.e.Run(30*time.Second + 10*time.Millisecond) // what was on the wire has arrived
	aws.Receive(bfdControl(far.Discriminator(), aws.Discriminator(), 50, 300_000, 5_000_000))
	// The AWS end's next packet leaves within 300 ms and sets the one
	// after for 3.75–5 s later; the detection time ends at 45 s.
	s.e.Run(31 * time.Second)
	last := s.e.Now()
	aws.Receive(bfdControl(far.Discriminator(), aws.Discriminator(), 3, 300_000, 5_000_000))
	s.e.Run(sc.Duration)
	s.finish()
	const awsDev = "us-east-1/fac-a/aws-r1"
	if got, want := controlAt(t, s.out, "BFD aws-gcp-use1/ch1 at "+awsDev+": Up → Down (control detection time expired"), last+900*time.Millisecond; got != want {
		t.Fatalf("the AWS end detected the peer's silence at %v, want %v (900 ms after its last packet)", got, want)
	}
}

package sim

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

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

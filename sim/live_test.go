//go:build linux

package sim

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay/planner/plantest"
	"patchbay/sim/wire"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// liveDaemon is a real router the live test peers with: it starts from
// the lab's configuration (testdata/live, the README's snippets) plus the
// test's misconfigured neighbours, and answers what it sees.
type liveDaemon interface {
	name() string
	// start runs the daemon in dir; base is the lab's configuration.
	start(t *testing.T, ctx context.Context, dir, base string)
	// established reports whether the good session (hq/conn1) is up.
	established(t *testing.T) bool
	// learned lists the prefixes the good session brought.
	learned(t *testing.T) []netip.Prefix
	// refusals is what the daemon logged or shows of each misconfigured
	// session's NOTIFICATION, by session.
	refusals(t *testing.T) map[string]string
}

// The lab's addresses: each daemon's run has its own corner of 127/8, so
// they run side by side. The README's lab is daemon 1's.
type liveAddrs struct {
	router, stranger netip.Addr
	aws              [4]netip.Addr // hq/conn1–4's AWS ends, on port livePort
}

const livePort = 11791

func labAddrs(k byte) liveAddrs {
	a := liveAddrs{router: netip.AddrFrom4([4]byte{127, 0, 0, 10*k + 1}), stranger: netip.AddrFrom4([4]byte{127, 0, 0, 10*k + 2})}
	for i := range a.aws {
		a.aws[i] = netip.AddrFrom4([4]byte{127, 0, 0, 10*k + 3 + byte(i)})
	}
	return a
}

// lab is a daemon's configuration from the README's, moved to its corner.
func (a liveAddrs) lab(base string) string {
	return strings.NewReplacer("127.0.0.11", a.router.String(), "127.0.0.13", a.aws[0].String()).Replace(base)
}

// TestLivePeering peers real BIRD, GoBGP and FRR daemons with the
// simulated AWS end of the lab's last-mile connections over 127/8, in
// real time: hq/conn1 comes up, the daemon learns the VPC's prefix and
// its own site prefix carries the simulated traffic until the scenario
// fails the connection, when the daemon's hold timer takes its session
// down; hq/conn2's daemon floods 101 prefixes and gets Cease/1;
// hq/conn3's speaks from the wrong AS (2/2), hq/conn4's offers only IPv6
// (2/7), and a neighbour from another address is refused.
func TestLivePeering(t *testing.T) {
	tools := interopTools(t)
	daemons := []liveDaemon{&birdLive{tools: tools, a: labAddrs(1)}, &gobgpLive{tools: tools, a: labAddrs(2)}}
	if frr := frrTools(t); frr != nil {
		daemons = append(daemons, &frrLive{tools: frr, a: labAddrs(3)})
	}
	// All at once, whatever -parallel says: each run is 30 s of real
	// time spent mostly waiting, on addresses of its own, and two at a
	// time (the default on two cores) kept the package waiting 30 s more.
	var wg sync.WaitGroup
	for _, d := range daemons {
		wg.Go(func() { t.Run(d.name(), func(t *testing.T) { runLive(t, d) }) })
	}
	wg.Wait()
}

func runLive(t *testing.T, d liveDaemon) {
	a := addrsOf(d)
	p := plantest.File(t, "testdata/live/lab.star")
	sc := p.Design.Scenarios[0]
	live := map[string]Live{}
	for i := range 4 {
		live[fmt.Sprintf("hq/conn%d", i+1)] = Live{Listen: netip.AddrPortFrom(a.aws[i], livePort), Peer: a.router}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sc.Duration+30*time.Second)
	defer cancel()
	var pcap bytes.Buffer
	s, err := Start(p, sc, Options{Seed: 1, Live: live, PcapInside: &pcap})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		tr  *Trace
		err error
	}
	done := make(chan result, 1)
	var timeline lockedBuilder
	go func() {
		tr, err := s.RunLive(ctx, &timeline)
		done <- result{tr, err}
	}()
	// The daemon starts once the AWS ends listen: a router that finds
	// nobody there waits its connect-retry time. The run says so in its
	// timeline; probing the address by listening on it could take it at
	// the very moment the run binds it, which then fails.
	listening := fmt.Sprintf("the AWS end listens on %s ", netip.AddrPortFrom(a.aws[0], livePort))
	ready(t, ctx, "the simulated AWS end", func() error {
		select {
		case r := <-done:
			t.Fatalf("the live run ended before it listened: %v\ntimeline:\n%s", r.err, timeline.String())
		default:
		}
		if !strings.Contains(timeline.String(), listening) {
			return fmt.Errorf("not listening yet")
		}
		return nil
	})
	dir := t.TempDir()
	base, err := os.ReadFile(filepath.Join("testdata/live", d.name()+".conf"))
	if err != nil {
		t.Fatal(err)
	}
	d.start(t, ctx, dir, string(base))
	// Up and learning well before the failure at 18 s.
	up := time.Now().Add(15 * time.Second)
	stop := func(format string, args ...any) {
		cancel()
		<-done
		t.Fatalf(format+"\ntimeline:\n%s", append(args, timeline.String())...)
	}
	for !d.established(t) {
		if time.Now().After(up) {
			stop("%s never established hq/conn1", d.name())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A router at another address is refused, whatever it would say.
	dialer := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(a.stranger, 0)), Timeout: time.Second}
	if c, err := dialer.DialContext(ctx, "tcp", netip.AddrPortFrom(a.aws[0], livePort).String()); err == nil {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 64)); err == nil {
			t.Errorf("a connection from %s read %d bytes, want it refused", a.stranger, n)
		}
		c.Close()
	}
	want := netip.MustParsePrefix("10.1.0.0/16")
	for !slices.Contains(d.learned(t), want) {
		if time.Now().After(up) {
			stop("%s learned %v over hq/conn1, want %s", d.name(), d.learned(t), want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	tr := r.tr
	if d.established(t) {
		t.Errorf("%s: hq/conn1 still established after the connection failed at 18 s and its 9 s hold time", d.name())
	}
	text := timeline.String()
	for _, w := range []string{
		"BGP hq/conn1 at us-east-1/lumen-loc-a/aws-r1: OpenConfirm → Established",
		"fail connection hq/conn1",
		"IPv4 prefixes from hq/router exceed the limit of 100: NOTIFICATION Cease/1 (maximum number of prefixes reached)",
		"BGP hq/conn3 at us-east-1/lumen-loc-b/aws-r1: OPEN from AS65099, expected AS65001: NOTIFICATION 2/2 (OPEN message error: bad peer AS) sent",
		"BGP hq/conn1 at us-east-1/lumen-loc-a/aws-r1: connection from " + a.stranger.String() + " refused: the session's peer is " + a.router.String(),
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the timeline lacks %q:\n%s", w, text)
		}
	}
	// Both ends find the capability missing; whichever does first sends
	// the NOTIFICATION.
	if !strings.Contains(text, "BGP hq/conn4 at us-east-1/lumen-loc-b/aws-r2: OPEN without IPv4 unicast, the only family the session carries: NOTIFICATION 2/7 (OPEN message error: unsupported capability) sent") &&
		!strings.Contains(text, "BGP hq/conn4 at us-east-1/lumen-loc-b/aws-r2: NOTIFICATION 2/7 (OPEN message error: unsupported capability) received") {
		t.Errorf("the timeline lacks hq/conn4's NOTIFICATION 2/7:\n%s", text)
	}
	// The site's prefix, from the real router, carried the flow.
	carried := false
	for _, e := range tr.Events {
		for _, f := range e.Flows {
			if f.Flow == "web->hq" && f.Delivered > 0 && e.T < 18*time.Second && slices.Contains(f.Over, "hq/conn1") {
				carried = true
			}
		}
	}
	if !carried {
		t.Errorf("web->hq was never delivered over hq/conn1 before the failure:\n%s", text)
	}
	// What AWS's end said, from the capture of the live sessions.
	notes := capturedNotifications(t, pcap.Bytes())
	for name, want := range map[string]string{"hq/conn2": "6/1", "hq/conn3": "2/2"} {
		if !slices.Contains(notes[name], want) {
			t.Errorf("%s: the AWS end sent NOTIFICATIONs %v, want %s", name, notes[name], want)
		}
	}
	if n := notes["hq/conn4"]; !slices.Contains(n, "2/7") && !slices.Contains(n, "2/7 received") {
		t.Errorf("hq/conn4: NOTIFICATIONs %v, want 2/7 either way", n)
	}
	for name, why := range d.refusals(t) {
		w := map[string]string{"hq/conn2": "6/1", "hq/conn3": "2/2", "hq/conn4": "2/7"}[name]
		if !strings.Contains(why, w) {
			t.Errorf("%s on %s logged %q, want NOTIFICATION %s", d.name(), name, why, w)
		}
	}
}

func addrsOf(d liveDaemon) liveAddrs {
	switch d := d.(type) {
	case *birdLive:
		return d.a
	case *gobgpLive:
		return d.a
	case *frrLive:
		return d.a
	}
	panic("unknown daemon")
}

// BIRD 2.

type birdLive struct {
	tools map[string]string
	a     liveAddrs
	ctx   context.Context
	dir   string
}

func (b *birdLive) name() string { return "bird" }

func (b *birdLive) sock() string { return filepath.Join(b.dir, "ctl") }

func (b *birdLive) start(t *testing.T, ctx context.Context, dir, base string) {
	b.ctx, b.dir = ctx, dir
	a := b.a
	var c strings.Builder
	c.WriteString(a.lab(base))
	// The misconfigured neighbours: a flood of 101 prefixes, the wrong AS,
	// and IPv6 alone over the IPv4 session; and a log to read their
	// NOTIFICATIONs in.
	c.WriteString("log stderr all;\nprotocol static flood { ipv4;")
	for i := range 101 {
		fmt.Fprintf(&c, " route 10.200.%d.0/24 unreachable;", i)
	}
	c.WriteString(" }\n")
	fmt.Fprintf(&c, "protocol bgp aws_conn2 { local %s as 65001; neighbor %s port %d as 64512; multihop; hold time 9; connect retry time 2; ipv4 { import all; export where proto = \"flood\"; }; }\n",
		a.router, a.aws[1], livePort)
	fmt.Fprintf(&c, "protocol bgp aws_conn3 { local %s as 65099; neighbor %s port %d as 64512; multihop; hold time 9; connect retry time 2; ipv4 { import all; export none; }; }\n",
		a.router, a.aws[2], livePort)
	fmt.Fprintf(&c, "protocol bgp aws_conn4 { local %s as 65001; neighbor %s port %d as 64512; multihop; hold time 9; connect retry time 2; ipv6 { import all; export none; }; }\n",
		a.router, a.aws[3], livePort)
	path := filepath.Join(dir, "bird.conf")
	if err := os.WriteFile(path, []byte(c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := command(ctx, b.tools["bird"], "-p", "-c", path); err != nil {
		t.Fatalf("BIRD rejects its configuration: %v\n%s\n%s", err, out, c.String())
	}
	runDaemon(t, ctx, dir, b.tools["bird"], "-f", "-c", path, "-s", b.sock(), "-P", filepath.Join(dir, "pid"))
	ready(t, ctx, "bird", func() error {
		_, err := command(ctx, b.tools["birdc"], "-s", b.sock(), "show", "status")
		return err
	})
}

func (b *birdLive) show(t *testing.T, args ...string) string {
	out, err := command(b.ctx, b.tools["birdc"], append([]string{"-s", b.sock()}, args...)...)
	if err != nil {
		t.Error(err)
	}
	return out
}

func (b *birdLive) established(t *testing.T) bool {
	return strings.Contains(b.show(t, "show", "protocols", "aws_conn1"), "Established")
}

func (b *birdLive) learned(t *testing.T) []netip.Prefix {
	var out []netip.Prefix
	for _, line := range strings.Split(b.show(t, "show", "route", "protocol", "aws_conn1"), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			if p, err := netip.ParsePrefix(f[0]); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func (b *birdLive) refusals(t *testing.T) map[string]string {
	data, err := os.ReadFile(filepath.Join(b.dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		for i, name := range []string{"hq/conn2", "hq/conn3", "hq/conn4"} {
			p := fmt.Sprintf("aws_conn%d: ", i+2)
			if _, ok := out[name]; ok || !strings.Contains(line, p+"Received: ") && !strings.Contains(line, p+"Error: ") {
				continue
			}
			// BIRD names the NOTIFICATION it received (or the error it
			// found first, and sent) in words.
			for words, code := range map[string]string{"Maximum number of prefixes reached": "6/1", "Bad peer AS": "2/2",
				"Unsupported capability": "2/7", "Required capability missing": "2/7"} {
				if strings.Contains(line, words) {
					out[name] = code
				}
			}
		}
	}
	if len(out) != 3 {
		t.Errorf("BIRD logged %d of the 3 NOTIFICATIONs:\n%s", len(out), data)
	}
	return out
}

// capturedNotifications lists, by session, the NOTIFICATIONs in a
// capture: "code/subcode" for the AWS end's, with " received" for the
// real router's.
func capturedNotifications(t *testing.T, capture []byte) map[string][]string {
	t.Helper()
	aws := map[netip.Addr]string{}
	for i := range 4 {
		aws[netip.AddrFrom4([4]byte{169, 254, 100, byte(4*i + 1)})] = fmt.Sprintf("hq/conn%d", i+1)
	}
	r, err := pcapgo.NewReader(bytes.NewReader(capture))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if tcp == nil || ip == nil {
			continue
		}
		msgs, _, err := wire.Split(tcp.Payload)
		if err != nil {
			continue
		}
		src, _ := netip.AddrFromSlice(ip.SrcIP.To4())
		dst, _ := netip.AddrFromSlice(ip.DstIP.To4())
		for _, m := range msgs {
			if len(m) < 21 || m[18] != 3 {
				continue
			}
			note := fmt.Sprintf("%d/%d", m[19], m[20])
			if name, ok := aws[src]; ok {
				out[name] = append(out[name], note)
			} else if name, ok := aws[dst]; ok {
				out[name] = append(out[name], note+" received")
			}
		}
	}
}

// GoBGP.

type gobgpLive struct {
	tools map[string]string
	a     liveAddrs
	ctx   context.Context
	dir   string
}

func (g *gobgpLive) name() string { return "gobgp" }

func (g *gobgpLive) gobgp(t *testing.T, args ...string) string {
	out, err := command(g.ctx, g.tools["gobgp"], append([]string{"--target", target(g.dir)}, args...)...)
	if err != nil {
		t.Error(err)
	}
	return out
}

func (g *gobgpLive) start(t *testing.T, ctx context.Context, dir, base string) {
	g.ctx, g.dir = ctx, dir
	a := g.a
	var c strings.Builder
	// The misconfigured neighbours: hq/conn2 gets the flood (and only it),
	// hq/conn3 the wrong AS, hq/conn4 IPv6 alone over the IPv4 session.
	// GoBGP applies export policy globally, so the flood's picks its
	// neighbour.
	c.WriteString(strings.Replace(a.lab(base), `export-policy-list = ["to-aws"]`, `export-policy-list = ["flood", "to-aws"]`, 1))
	fmt.Fprintf(&c, `
[[defined-sets.prefix-sets]]
  prefix-set-name = "flood"
  [[defined-sets.prefix-sets.prefix-list]]
    ip-prefix = "10.200.0.0/16"
    masklength-range = "24..24"
[[defined-sets.neighbor-sets]]
  neighbor-set-name = "conn2"
  neighbor-info-list = [%q]
[[policy-definitions]]
  name = "flood"
  [[policy-definitions.statements]]
    [policy-definitions.statements.conditions.match-prefix-set]
      prefix-set = "flood"
    [policy-definitions.statements.conditions.match-neighbor-set]
      neighbor-set = "conn2"
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
`, a.aws[1])
	for i, n := range []struct {
		localAS int
		family  string
	}{{65001, "ipv4-unicast"}, {65099, "ipv4-unicast"}, {65001, "ipv6-unicast"}} {
		fmt.Fprintf(&c, `
[[neighbors]]
  [neighbors.config]
    neighbor-address = %q
    peer-as = 64512
    local-as = %d
  [neighbors.transport.config]
    local-address = %q
    remote-port = %d
  [neighbors.timers.config]
    hold-time = 9
    connect-retry = 2
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = %q
`, a.aws[i+1], n.localAS, a.router, livePort, n.family)
	}
	conf := filepath.Join(dir, "gobgpd.toml")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runDaemon(t, ctx, dir, g.tools["gobgpd"], "-f", conf, "-t", "toml", "--pprof-disable", "--api-hosts", target(dir))
	ready(t, ctx, "gobgpd", func() error {
		_, err := command(ctx, g.tools["gobgp"], "--target", target(dir), "global")
		return err
	})
	// The README's one command, then the flood.
	g.gobgp(t, "global", "rib", "add", "192.168.0.0/16")
	for i := range 101 {
		g.gobgp(t, "global", "rib", "add", fmt.Sprintf("10.200.%d.0/24", i))
	}
}

func (g *gobgpLive) established(t *testing.T) bool {
	out := g.gobgp(t, "-j", "neighbor", g.a.aws[0].String())
	var n struct {
		State struct {
			SessionState int `json:"session_state"`
		} `json:"state"`
	}
	if err := json.Unmarshal([]byte(out), &n); err != nil {
		t.Errorf("gobgp neighbor: %v in %s", err, out)
		return false
	}
	return n.State.SessionState == 6 // ESTABLISHED in GoBGP's API
}

func (g *gobgpLive) learned(t *testing.T) []netip.Prefix {
	var rib map[string][]struct {
		Neighbor string `json:"neighbor-ip"`
	}
	out := g.gobgp(t, "-j", "global", "rib")
	if err := json.Unmarshal([]byte(out), &rib); err != nil {
		t.Errorf("gobgp global rib: %v in %.200s", err, out)
		return nil
	}
	var got []netip.Prefix
	for prefix, paths := range rib {
		for _, p := range paths {
			if pp, err := netip.ParsePrefix(prefix); err == nil && p.Neighbor == g.a.aws[0].String() {
				got = append(got, pp)
			}
		}
	}
	return got
}

var gobgpCode = regexp.MustCompile(`code (\d+)\([^)]*\) subcode (\d+)`)

// refusals: GoBGP logs a NOTIFICATION it receives on an established
// session (the flood's Cease/1) in its "Peer Down" line; those refused
// before the session came up it only shows as its state, and the
// capture checks them.
func (g *gobgpLive) refusals(t *testing.T) map[string]string {
	data, err := os.ReadFile(filepath.Join(g.dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "Peer Down") && strings.Contains(line, g.a.aws[1].String()) {
			if m := gobgpCode.FindStringSubmatch(line); m != nil {
				return map[string]string{"hq/conn2": m[1] + "/" + m[2]}
			}
		}
	}
	t.Errorf("GoBGP logged no Peer Down for hq/conn2:\n%s", data)
	return nil
}

// FRR.

// frrTools finds FRR's bgpd and vtysh, or skips FRR saying why (fails
// when PATCHBAY_REQUIRE_INTEROP asks for every daemon).
func frrTools(t *testing.T) map[string]string {
	tools := map[string]string{"bgpd": "/usr/lib/frr/bgpd"}
	vtysh, err := exec.LookPath("vtysh")
	_, errBGPd := os.Stat(tools["bgpd"])
	if err != nil || errBGPd != nil {
		msg := "FRR (/usr/lib/frr/bgpd and vtysh) is not installed, so the live test does not peer with it (Debian: apt-get install frr)"
		daemonMissing(t, msg)
		t.Log(msg)
		return nil
	}
	tools["vtysh"] = vtysh
	return tools
}

type frrLive struct {
	tools map[string]string
	a     liveAddrs
	ctx   context.Context
	dir   string
}

func (f *frrLive) name() string { return "frr" }

func (f *frrLive) vtysh(t *testing.T, cmd string) string {
	out, err := command(f.ctx, f.tools["vtysh"], "--vty_socket", f.dir, "-d", "bgpd", "-c", cmd)
	if err != nil {
		t.Error(err)
	}
	return out
}

func (f *frrLive) start(t *testing.T, ctx context.Context, dir, base string) {
	f.ctx, f.dir = ctx, dir
	a := f.a
	var c strings.Builder
	c.WriteString(a.lab(base))
	// The misconfigured neighbours: hq/conn2 gets the flood (and only it),
	// hq/conn3 the wrong AS, hq/conn4 IPv6 alone over the IPv4 session.
	c.WriteString("ip prefix-list flood seq 5 permit 10.200.0.0/16 ge 24 le 24\nroute-map flood permit 10\n match ip address prefix-list flood\n!\nrouter bgp 65001\n bgp log-neighbor-changes\n")
	for i, as := range []int{65001, 65099, 65001} {
		n := a.aws[i+1]
		fmt.Fprintf(&c, " neighbor %s remote-as 64512\n neighbor %s port %d\n neighbor %s update-source %s\n neighbor %s ebgp-multihop 2\n neighbor %s timers 3 9\n neighbor %s timers connect 2\n",
			n, n, livePort, n, a.router, n, n, n)
		if as != 65001 {
			fmt.Fprintf(&c, " neighbor %s local-as %d no-prepend replace-as\n", n, as)
		}
	}
	c.WriteString(" address-family ipv4 unicast\n")
	for i := range 101 {
		fmt.Fprintf(&c, "  network 10.200.%d.0/24\n", i)
	}
	fmt.Fprintf(&c, "  neighbor %s route-map flood out\n  neighbor %s route-map to-aws out\n  no neighbor %s activate\n exit-address-family\n", a.aws[1], a.aws[2], a.aws[3])
	fmt.Fprintf(&c, " address-family ipv6 unicast\n  neighbor %s activate\n exit-address-family\n", a.aws[3])
	conf := filepath.Join(dir, "frr.conf")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without zebra (-Z), not listening (-p 0), as whoever runs the test.
	runDaemon(t, ctx, dir, f.tools["bgpd"], "-f", conf, "-i", filepath.Join(dir, "pid"), "-Z", "-S", "-n", "-p", "0",
		"--vty_socket", dir, "--log", "file:"+filepath.Join(dir, "log"))
	ready(t, ctx, "bgpd", func() error {
		_, err := command(ctx, f.tools["vtysh"], "--vty_socket", dir, "-d", "bgpd", "-c", "show bgp summary")
		return err
	})
}

func (f *frrLive) established(t *testing.T) bool {
	out := f.vtysh(t, "show bgp neighbors "+f.a.aws[0].String()+" json")
	var n map[string]struct {
		State string `json:"bgpState"`
	}
	if err := json.Unmarshal([]byte(out), &n); err != nil {
		t.Errorf("vtysh show bgp neighbors: %v in %.200s", err, out)
		return false
	}
	return n[f.a.aws[0].String()].State == "Established"
}

func (f *frrLive) learned(t *testing.T) []netip.Prefix {
	out := f.vtysh(t, "show bgp ipv4 unicast json")
	var rib struct {
		Routes map[string][]struct {
			PeerID string `json:"peerId"`
		} `json:"routes"`
	}
	if err := json.Unmarshal([]byte(out), &rib); err != nil {
		t.Errorf("vtysh show bgp ipv4 unicast: %v in %.200s", err, out)
		return nil
	}
	var got []netip.Prefix
	for prefix, paths := range rib.Routes {
		for _, p := range paths {
			if pp, err := netip.ParsePrefix(prefix); err == nil && p.PeerID == f.a.aws[0].String() {
				got = append(got, pp)
			}
		}
	}
	return got
}

var frrNote = regexp.MustCompile(`%NOTIFICATION(?:\(in\))?: (?:received from|sent to) neighbor (\S+) (\d+)/(\d+)`)

// refusals: FRR logs every NOTIFICATION it receives or sends, with the
// neighbour and the code.
func (f *frrLive) refusals(t *testing.T) map[string]string {
	data, err := os.ReadFile(filepath.Join(f.dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range frrNote.FindAllStringSubmatch(string(data), -1) {
		for i, name := range []string{"hq/conn2", "hq/conn3", "hq/conn4"} {
			if _, ok := out[name]; !ok && m[1] == f.a.aws[i+1].String() {
				out[name] = m[2] + "/" + m[3]
			}
		}
	}
	if len(out) != 3 {
		t.Errorf("FRR logged %d of the 3 NOTIFICATIONs:\n%s", len(out), data)
	}
	return out
}

// TestLiveBFD: a live session's AWS end runs BFD with the real router
// over UDP, from a port of 49152–65535 to port 3784 (RFC 5881 §4): a
// minimal responder brings the session Up with the three-way handshake
// (RFC 5880 §6.2), then falls silent, and the AWS end declares it Down
// after its detection time.
func TestLiveBFD(t *testing.T) {
	lab, err := os.ReadFile("testdata/live/lab.star")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(lab), "macsec = False, bfd = False", "macsec = False, bfd = True", 1)
	src = src[:strings.Index(src, "scenario(")] + `scenario("bfd", duration = "8s")` + "\n"
	p := plantest.Source(t, src)
	router, aws := netip.MustParseAddr("127.0.0.41"), netip.MustParseAddr("127.0.0.43")
	s, err := Start(p, p.Design.Scenarios[0], Options{Seed: 1, Live: map[string]Live{"hq/conn1": {Listen: netip.AddrPortFrom(aws, livePort), Peer: router}}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(router, 3784)))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(router, 49999)))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var timeline strings.Builder
	done := make(chan error, 1)
	go func() { _, err := s.RunLive(ctx, &timeline); done <- err }()
	// Answer for 3 s, then say nothing more.
	stop := time.Now().Add(3 * time.Second)
	var ports []int
	buf := make([]byte, 64)
	for time.Now().Before(stop) {
		_ = in.SetReadDeadline(stop)
		n, from, err := in.ReadFromUDPAddrPort(buf)
		if err != nil {
			break
		}
		ports = append(ports, int(from.Port()))
		if n < 24 || buf[0]>>5 != 1 || buf[3] != 24 {
			t.Fatalf("not a BFD control packet: % x", buf[:n])
		}
		state := buf[1] >> 6
		reply := make([]byte, 24)
		reply[0] = 1 << 5
		reply[1] = map[byte]byte{1: 2, 2: 3, 3: 3}[state] << 6 // their Down: Init; Init or Up: Up
		reply[2], reply[3] = 3, 24
		binary.BigEndian.PutUint32(reply[4:], 77)
		copy(reply[8:12], buf[4:8])
		binary.BigEndian.PutUint32(reply[12:], 300_000)
		binary.BigEndian.PutUint32(reply[16:], 300_000)
		if _, err := out.WriteToUDPAddrPort(reply, netip.AddrPortFrom(aws, 3784)); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(ports) == 0 || slices.ContainsFunc(ports, func(p int) bool { return p < 49152 }) {
		t.Errorf("BFD from source ports %v, want some, all 49152–65535", ports)
	}
	text := timeline.String()
	up := strings.Index(text, "BFD hq/conn1 at us-east-1/lumen-loc-a/aws-r1: Down → Up")
	down := strings.Index(text, "BFD hq/conn1 at us-east-1/lumen-loc-a/aws-r1: Up → Down (control detection time expired")
	if up < 0 || down < up {
		t.Errorf("the AWS end's BFD should come Up, then go Down when the router falls silent:\n%s", text)
	}
}

// lockedBuilder holds the timeline a live run writes while the test reads
// it, as it waits for the run to listen or reports a failure.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

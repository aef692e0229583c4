package sim

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/planner/plantest"
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

// The lab's addresses: each daemon's run has its own /8 corner, so they
// run side by side.
type liveAddrs struct {
	sim, router, stranger netip.Addr
	port                  uint16 // hq/conn1's; conn2–4 take the next ports
}

func labAddrs(k byte) liveAddrs {
	return liveAddrs{sim: netip.AddrFrom4([4]byte{127, 0, 0, 10 * k}), router: netip.AddrFrom4([4]byte{127, 0, 0, 10*k + 1}),
		stranger: netip.AddrFrom4([4]byte{127, 0, 0, 10*k + 2}), port: 11791 + 10*uint16(k-1)}
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
	daemons := []liveDaemon{&birdLive{tools: tools, a: labAddrs(1)}}
	for _, d := range daemons {
		t.Run(d.name(), func(t *testing.T) {
			t.Parallel()
			runLive(t, d)
		})
	}
}

func runLive(t *testing.T, d liveDaemon) {
	a := addrsOf(d)
	p := plantest.File(t, "testdata/live/lab.star")
	sc := p.Design.Scenarios[0]
	live := map[string]Live{}
	for i := range 4 {
		live[fmt.Sprintf("hq/conn%d", i+1)] = Live{Listen: netip.AddrPortFrom(a.sim, a.port+uint16(i)), Peer: a.router}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sc.Duration+30*time.Second)
	defer cancel()
	s, err := Start(p, sc, Options{Seed: 1, Live: live})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		tr  *Trace
		err error
	}
	done := make(chan result, 1)
	var timeline strings.Builder
	go func() {
		tr, err := s.RunLive(ctx, &timeline)
		done <- result{tr, err}
	}()
	// The daemon starts once the AWS ends listen: a router that finds
	// nobody there waits its connect-retry time.
	ready(t, ctx, "the simulated AWS end", func() error {
		ln, err := net.Listen("tcp", netip.AddrPortFrom(a.sim, a.port).String())
		if err == nil {
			ln.Close()
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
	if c, err := dialer.DialContext(ctx, "tcp", netip.AddrPortFrom(a.sim, a.port).String()); err == nil {
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
		"BGP hq/conn2 at us-east-1/lumen-loc-a/aws-r2: Established → Idle (101 IPv4 prefixes from hq/router exceed the limit of 100: NOTIFICATION Cease/1",
		"BGP hq/conn3 at us-east-1/lumen-loc-b/aws-r1: OPEN from AS65099, expected AS65001: NOTIFICATION 2/2 (OPEN message error: bad peer AS) sent to " + a.router.String(),
		"BGP hq/conn1 at us-east-1/lumen-loc-a/aws-r1: connection from " + a.stranger.String() + " refused: the session's peer is " + a.router.String(),
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the timeline lacks %q:\n%s", w, text)
		}
	}
	// Both ends find the capability missing; whichever does first sends
	// the NOTIFICATION.
	if !strings.Contains(text, "BGP hq/conn4 at us-east-1/lumen-loc-b/aws-r2: OPEN without IPv4 unicast, the only family the session carries: NOTIFICATION 2/7 (OPEN message error: unsupported capability) sent to "+a.router.String()) &&
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
	for name, why := range d.refusals(t) {
		w := map[string]string{"hq/conn2": "maximum number of prefixes", "hq/conn3": "bad peer as", "hq/conn4": "capability"}[name]
		if !strings.Contains(strings.ToLower(why), w) {
			t.Errorf("%s on %s: %q, want the NOTIFICATION's %q", d.name(), name, why, w)
		}
	}
}

func addrsOf(d liveDaemon) liveAddrs {
	switch d := d.(type) {
	case *birdLive:
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
	conf := strings.NewReplacer("127.0.0.10", a.sim.String(), "127.0.0.11", a.router.String(), "11791", fmt.Sprint(a.port)).Replace(base)
	var c strings.Builder
	c.WriteString(conf)
	// The misconfigured neighbours: a flood of 101 prefixes, the wrong AS,
	// and IPv6 alone over the IPv4 session; and a log to read their
	// NOTIFICATIONs in.
	c.WriteString("log stderr all;\nprotocol static flood { ipv4;")
	for i := range 101 {
		fmt.Fprintf(&c, " route 10.200.%d.0/24 unreachable;", i)
	}
	c.WriteString(" }\n")
	fmt.Fprintf(&c, "protocol bgp aws_conn2 { local %s as 65001; neighbor %s port %d as 64512; multihop; hold time 9; connect retry time 2; ipv4 { import all; export where proto = \"flood\"; }; }\n",
		a.router, a.sim, a.port+1)
	fmt.Fprintf(&c, "protocol bgp aws_conn3 { local %s as 65099; neighbor %s port %d as 64512; multihop; hold time 9; connect retry time 2; ipv4 { import all; export none; }; }\n",
		a.router, a.sim, a.port+2)
	fmt.Fprintf(&c, "protocol bgp aws_conn4 { local %s as 65001; neighbor %s port %d as 64512; multihop; hold time 9; connect retry time 2; ipv6 { import all; export none; }; }\n",
		a.router, a.sim, a.port+3)
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
			if _, ok := out[name]; !ok && (strings.Contains(line, p+"Received: ") || strings.Contains(line, p+"Error: ")) {
				out[name] = line
			}
		}
	}
	if len(out) != 3 {
		t.Errorf("BIRD logged %d of the 3 NOTIFICATIONs:\n%s", len(out), data)
	}
	return out
}

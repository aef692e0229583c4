//go:build linux

package sim

import (
	"bufio"
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
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/network"
	"patchbay/sim/wire"
)

// Interoperability with real BGP speakers: the simulator's own BGP bytes
// replayed to a real BIRD 2 and a real GoBGP.
//
// Choices, so they need not be rediscovered:
//
//   - The bytes are the simulator's, never re-encoded: each scenario runs
//     with a clear-text capture (Options.PcapInside, so MACsec does not
//     hide the BGP), and each TCP connection is reassembled per direction
//     from the pcap by sequence number (IPv4 or IPv6 transport alike). No
//     hook in the simulator: the test reads its sessions only for their
//     names and the AWS end's prefix limit, which a daemon is given.
//   - Every connection of every example scenario that got as far as both
//     OPENs (reconnections after failures too) is replayed twice, once per
//     end: the far end's bytes to a daemon playing the AWS end, the AWS
//     end's bytes to a daemon playing the far end. Each session (IPv4, or
//     since the split into one session per family, NAME/ipv6) is its own
//     neighbour, configured for that session's family. The replayer always
//     connects, over IPv4 loopback (127.0.1.N to 127.0.0.2 or 127.0.0.3+),
//     whichever end connected in the simulation and whatever its transport
//     there: neither is part of the BGP bytes.
//   - A daemon is configured from its end's OPEN in the same capture (AS,
//     hold time, address family) with the replayed end's AS as the peer's.
//     BIRD gets that end's BGP identifier as the protocol's router id and,
//     for IPv6, that end's address as its own next hop (BIRD cannot take
//     one from an IPv4 transport: "Missing next hop address"). GoBGP has one
//     router id per daemon, 192.0.2.254, which no replayed OPEN carries.
//     Nothing in the replayed bytes is rewritten.
//   - Replay order follows the simulator's FSM: the OPEN, then, once the
//     daemon's OPEN is in, the stream in order, its first UPDATE only after
//     the daemon's KEEPALIVE (the simulated speaker announces only once
//     Established). Virtual time is not reproduced: KEEPALIVEs go out with
//     the rest at once. The stream stops before a NOTIFICATION the replayed
//     end sent: hold-timer expiries are the simulation's timing.
//   - "Installs every prefix": afterwards the daemon's RIB holds, from that
//     neighbour and as valid routes, exactly what the stream left announced
//     (announcements less withdrawals, without paths through the daemon's
//     own AS, as the simulator's loop check). BIRD resolves a multihop
//     session's next hops recursively: a static /32 or /128 over lo for
//     each next hop in the streams stands for the link the simulated
//     session is directly connected over, and an "unreachable" route would
//     not count. GoBGP does not resolve next hops without zebra.
//   - GoBGP 3.10 takes a path through the global AS for a loop even on a
//     neighbour with its own local-as, so there is one gobgpd per local AS
//     (at 127.0.0.3, .4, …); one BIRD per example holds every neighbour.
//   - Prefix limit: where the simulator's AWS end has one (last-mile
//     connections: 100 per family), the daemon playing the AWS end gets
//     the same (BIRD: receive limit N action disable; GoBGP: prefix-limit
//     max-prefixes N). Each example with such a session runs two more
//     scenarios on the first: advertise(extra_prefixes) to exactly the
//     limit and to one past it. A daemon must send NOTIFICATION Cease/1
//     on exactly the connections where the simulator's AWS end did (so the
//     limit passes and one more does not, as in the simulator), and no
//     other NOTIFICATION anywhere. Its data is logged, not compared: RFC
//     4486 makes it optional, and BIRD 2.0.12 and GoBGP 3.10 send none.
//   - "Logs no error": no <ERR>, <WARN>, <RMT>, <BUG> or <FATAL> line in
//     BIRD's log, no level=warning, error, fatal or panic in GoBGP's, but
//     for the limit's own on a neighbour where Cease/1 is expected (GoBGP
//     also logs "No matching path for withdraw" there as it tears down).
//   - Daemons run from a directory of their own (config, control socket,
//     pid, log; under os.TempDir for the 108-byte socket path limit), on a
//     fixed port per example and daemon from 17900, never as services;
//     each is killed at the test's end (and with it, by Pdeathsig) and
//     within 20 s whatever happens.
//
// Skipped when bird, birdc, gobgpd or gobgp is missing, except in CI: .ci/run
// installs them and sets PATCHBAY_REQUIRE_INTEROP=1.
func TestInterop(t *testing.T) {
	tools := interopTools(t)
	for i, file := range plantest.Examples(t, "../examples") {
		name := strings.TrimSuffix(filepath.Base(file), ".star")
		t.Run(name, func(t *testing.T) {
			reps := interopReplays(t, plantest.File(t, file))
			if len(reps) == 0 {
				t.Fatal("no BGP connection in the example's captures")
			}
			for j, d := range []daemon{&birdDaemon{tools: tools}, &gobgpDaemon{tools: tools}} {
				t.Run(d.name(), func(t *testing.T) {
					port := 17900 + 10*i + j
					runInterop(t, d, port, reps)
				})
			}
		})
	}
}

// interopTools finds the daemons and their clients, or skips saying why.
func interopTools(t *testing.T) map[string]string {
	t.Helper()
	tools := map[string]string{}
	var missing []string
	for _, n := range []string{"bird", "birdc", "gobgpd", "gobgp"} {
		p, err := exec.LookPath(n)
		if err != nil {
			// bird and birdc are in /usr/sbin, not always on a user's PATH.
			p, err = exec.LookPath(filepath.Join("/usr/sbin", n))
		}
		if err != nil {
			missing = append(missing, n)
			continue
		}
		tools[n] = p
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%s not on PATH, so the simulator's BGP is not replayed to real BIRD and GoBGP (Debian: apt-get install bird2 gobgpd)", strings.Join(missing, ", "))
		daemonMissing(t, msg)
		t.Skip(msg)
	}
	return tools
}

// daemonMissing fails the test when PATCHBAY_REQUIRE_INTEROP asks for
// every daemon, as CI does, so a broken install is not a silent skip.
func daemonMissing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("PATCHBAY_REQUIRE_INTEROP") != "" {
		t.Fatal("PATCHBAY_REQUIRE_INTEROP is set but " + msg)
	}
}

// bgpConn is one simulated TCP connection of a session: the messages
// each end sent, end 0 the AWS end (which listens on 179), end 1 the far
// end.
type bgpConn struct {
	session string
	n       int // the session's nth connection in the capture
	addr    [2]netip.Addr
	msgs    [2][][]byte
	limit   int // the AWS end's prefix limit per family, 0: none
}

// replay is one end's stream of one connection, to a daemon playing the
// other end.
type replay struct {
	name     string
	from     int      // the end whose bytes are replayed
	msgs     [][]byte // from the OPEN to before any NOTIFICATION
	localAS  uint32   // the daemon's (the other end's)
	peerAS   uint32
	id       netip.Addr
	hold     uint16
	families []wire.Family
	limit    int
	want     map[netip.Prefix]bool // what the daemon should hold after it
	cease    *wire.Notification    // the Cease/1 the simulated other end sent, if any
	self     netip.Addr            // the daemon's end's address in the simulation
	src      netip.Addr            // the replayer's address on loopback
	dst      netip.AddrPort        // the daemon's

	mu       sync.Mutex
	got      []*wire.Message // what the daemon sent
	sent     bool            // every message written
	problems []string
}

func (r *replay) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *replay) received() []*wire.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// interopReplays runs an example's scenarios (and, where a session has a
// prefix limit, two at its edge) and returns a replay per end of every
// connection captured.
func interopReplays(t *testing.T, p *planner.Plan) []*replay {
	var conns []*bgpConn
	seen := map[string]bool{}
	add := func(cs []*bgpConn) {
		for _, c := range cs {
			key := fmt.Sprint(c.msgs)
			if !seen[key] { // scenarios may share their first connections
				seen[key] = true
				conns = append(conns, c)
			}
		}
	}
	for _, sc := range p.Design.Scenarios {
		add(captureConns(t, p, sc))
	}
	// The prefix limit's edge, on the first IPv4 session that has one
	// (extra_prefixes are IPv4 /24s).
	for _, c := range slices.Clone(conns) {
		if c.limit == 0 || c.n != 1 || len(c.msgs[1]) == 0 {
			continue
		}
		if m, err := wire.Decode(c.msgs[1][0], true); err != nil || m.Open == nil || !slices.Contains(m.Open.Families, wire.Family{AFI: 1, SAFI: 1}) {
			continue
		}
		own := len(announced(c.msgs[1], 0, true))
		for _, extra := range []int{c.limit - own, c.limit - own + 1} {
			if extra < 1 || extra > 512 {
				t.Fatalf("%s: %d own prefixes leave no room to reach the limit %d with extra_prefixes", c.session, own, c.limit)
			}
			over := sessionOver(t, p, c.session)
			sc := &lang.Scenario{Meta: lang.Meta{Name: fmt.Sprintf("%d-extra", extra)}, Duration: 10 * time.Second,
				Events: []lang.Event{advertiseAt(time.Second, over, lang.Advertise{ExtraPrefixes: extra})}}
			var mine []*bgpConn
			for _, x := range captureConns(t, p, sc) {
				if x.session == c.session {
					x.session += fmt.Sprintf("+%d", extra)
					mine = append(mine, x)
				}
			}
			add(mine)
		}
		break
	}
	var out []*replay
	for _, c := range conns {
		for from := range 2 {
			to := 1 - from
			if len(c.msgs[from]) == 0 || len(c.msgs[to]) == 0 {
				continue
			}
			mine, theirs := decodeAll(t, c.msgs[from]), decodeAll(t, c.msgs[to])
			if mine[0].Open == nil || theirs[0].Open == nil {
				continue // a connection that never got to OPENs
			}
			r := &replay{
				name:     fmt.Sprintf("%s#%d %s", c.session, c.n, [2]string{"AWS end", "far end"}[from]),
				from:     from,
				localAS:  openAS(theirs[0].Open),
				peerAS:   openAS(mine[0].Open),
				id:       theirs[0].Open.ID,
				hold:     theirs[0].Open.HoldTime,
				families: theirs[0].Open.Families,
				self:     c.addr[to],
			}
			for i, m := range mine {
				if m.Notification != nil {
					break
				}
				r.msgs = append(r.msgs, c.msgs[from][i])
			}
			for _, m := range theirs {
				if n := m.Notification; n != nil && n.Code == 6 && n.Subcode == 1 {
					r.cease = n
				}
			}
			if to == 0 {
				r.limit = c.limit
			}
			r.want = announced(r.msgs, r.localAS, false)
			out = append(out, r)
		}
	}
	for i, r := range out {
		r.src = netip.AddrFrom4([4]byte{127, 0, 1 + byte(i/250), 1 + byte(i%250)})
	}
	return out
}

func sessionOver(t *testing.T, p *planner.Plan, name string) string {
	for _, s := range p.Sessions {
		if s.Name == name {
			return s.Over
		}
	}
	t.Fatalf("no session %s in the plan", name)
	return ""
}

func openAS(o *wire.Open) uint32 {
	if o.AS4 != 0 {
		return o.AS4
	}
	return uint32(o.MyAS)
}

func decodeAll(t *testing.T, msgs [][]byte) []*wire.Message {
	var out []*wire.Message
	for _, b := range msgs {
		m, err := wire.Decode(b, true)
		if err != nil {
			t.Fatalf("%v in % x", err, b)
		}
		out = append(out, m)
	}
	return out
}

// announced is what a stream leaves announced: announcements less
// withdrawals, without paths through asn (a receiver's loop check); only
// IPv4 when v4only.
func announced(msgs [][]byte, asn uint32, v4only bool) map[netip.Prefix]bool {
	out := map[netip.Prefix]bool{}
	for _, b := range msgs {
		m, err := wire.Decode(b, true)
		if err != nil || m.Update == nil {
			continue
		}
		u := m.Update
		for _, p := range slices.Concat(u.Withdrawn, u.MPUnreach) {
			delete(out, p)
		}
		for _, p := range slices.Concat(u.NLRI, u.MPReach) {
			if slices.Contains(u.ASPath, asn) || v4only && !p.Addr().Is4() {
				delete(out, p)
				continue
			}
			out[p] = true
		}
	}
	return out
}

// nextHops are the next hops a stream's UPDATEs carry.
func nextHops(msgs [][]byte) []netip.Addr {
	var out []netip.Addr
	for _, b := range msgs {
		m, err := wire.Decode(b, true)
		if err != nil || m.Update == nil {
			continue
		}
		for _, h := range []netip.Addr{m.Update.NextHop, m.Update.MPNextHop} {
			if h.IsValid() && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// captureConns runs a scenario with a clear-text capture and reassembles
// every BGP connection in it.
func captureConns(t *testing.T, p *planner.Plan, sc *lang.Scenario) []*bgpConn {
	t.Helper()
	var pcap bytes.Buffer
	s, err := Start(p, sc, Options{Seed: 1, PcapInside: &pcap})
	if err != nil {
		t.Fatal(err)
	}
	s.e.Run(sc.Duration)
	s.finish()
	if s.capIn.err != nil {
		t.Fatal(s.capIn.err)
	}
	r, err := pcapgo.NewReader(&pcap)
	if err != nil {
		t.Fatal(err)
	}
	type half struct {
		conn  *bgpConn
		end   int
		next  uint32
		buf   []byte
		broke bool
	}
	halves := map[string]*half{}
	var conns []*bgpConn
	count := map[string]int{}
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil || pkt.NetworkLayer() == nil {
			continue
		}
		srcB, dstB := pkt.NetworkLayer().NetworkFlow().Endpoints()
		src, _ := netip.AddrFromSlice(srcB.Raw())
		dst, _ := netip.AddrFromSlice(dstB.Raw())
		key := fmt.Sprintf("%s:%d>%s:%d", src, tcp.SrcPort, dst, tcp.DstPort)
		h := halves[key]
		if tcp.SYN {
			if h != nil && h.next == tcp.Seq+1 {
				continue // a retransmitted SYN
			}
			end := 1 // the far end connects to 179
			if tcp.SrcPort == 179 {
				end = 0
			}
			var c *bgpConn
			if end == 1 {
				c = &bgpConn{}
				c.addr[0], c.addr[1] = dst, src
				for _, se := range s.bgp.Sessions() {
					if se.Ends[0].Addr == dst && se.Ends[1].Addr == src {
						c.session, c.limit = se.Name, se.MaxPrefixes
					}
				}
				if c.session == "" {
					t.Fatalf("%s: no session between these addresses", key)
				}
				count[c.session]++
				c.n = count[c.session]
				conns = append(conns, c)
			} else {
				back := halves[fmt.Sprintf("%s:%d>%s:%d", dst, tcp.DstPort, src, tcp.SrcPort)]
				if back == nil {
					continue // a SYN-ACK to nothing captured
				}
				c = back.conn
			}
			halves[key] = &half{conn: c, end: end, next: tcp.Seq + 1}
			continue
		}
		if h == nil || h.broke || len(tcp.Payload) == 0 {
			continue
		}
		if tcp.Seq != h.next {
			h.broke = true // a segment MACsec dropped: the stream stops being whole here
			continue
		}
		h.next += uint32(len(tcp.Payload))
		h.buf = append(h.buf, tcp.Payload...)
		msgs, rest, err := wire.Split(h.buf)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		h.buf = rest
		for _, m := range msgs {
			h.conn.msgs[h.end] = append(h.conn.msgs[h.end], slices.Clone(m))
		}
	}
	return conns
}

// daemon is a real BGP speaker run for one example's replays.
type daemon interface {
	name() string
	// start writes the configuration into dir and runs the daemon until
	// ctx ends, listening on port; it sets each replay's dst.
	start(t *testing.T, ctx context.Context, dir string, port int, reps []*replay)
	// established says whether the session with r's replayer is up.
	established(t *testing.T, r *replay) bool
	// routes are the valid routes the daemon accepted, by replay.
	routes(t *testing.T) map[*replay]map[netip.Prefix]bool
	// problems are the log lines that report errors or warnings.
	problems(t *testing.T) []string
}

const interopDeadline = 20 * time.Second

func runInterop(t *testing.T, d daemon, port int, reps []*replay) {
	ctx, cancel := context.WithTimeout(context.Background(), interopDeadline)
	t.Cleanup(cancel)
	dir, err := os.MkdirTemp("", "pbix")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// A fresh copy of each replay's results for this daemon.
	var mine []*replay
	for _, r := range reps {
		mine = append(mine, &replay{name: r.name, from: r.from, msgs: r.msgs, localAS: r.localAS, peerAS: r.peerAS, id: r.id,
			hold: r.hold, families: r.families, limit: r.limit, want: r.want, cease: r.cease, self: r.self, src: r.src, dst: r.dst})
	}
	d.start(t, ctx, dir, port, mine)
	replayCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, r := range mine {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(replayCtx)
		}()
	}
	defer func() { stop(); wg.Wait() }()

	// Wait until every replay is sent and each daemon has what it should:
	// the routes, or a Cease/1 where one is expected.
	var routes map[*replay]map[netip.Prefix]bool
	done := func(r *replay) bool {
		r.mu.Lock()
		sent, bad := r.sent, len(r.problems) > 0
		r.mu.Unlock()
		if bad {
			return true
		}
		if r.cease != nil {
			return slices.ContainsFunc(r.received(), func(m *wire.Message) bool { return m.Notification != nil })
		}
		return sent && samePrefixes(routes[r], r.want)
	}
	waitCtx, waitCancel := context.WithTimeout(ctx, interopDeadline/2)
	defer waitCancel()
	pending := slices.Clone(mine)
	for len(pending) > 0 && waitCtx.Err() == nil {
		routes = d.routes(t)
		pending = slices.DeleteFunc(pending, done)
		if len(pending) > 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	routes = d.routes(t)
	for _, r := range mine {
		r.mu.Lock()
		problems := slices.Clone(r.problems)
		r.mu.Unlock()
		for _, p := range problems {
			t.Errorf("%s: %s", r.name, p)
		}
		var notes []wire.Notification
		established := false
		for _, m := range r.received() {
			if m.Notification != nil {
				notes = append(notes, *m.Notification)
			}
			if m.Type == wire.TypeKeepalive {
				established = true
			}
		}
		switch {
		case r.cease != nil:
			if len(notes) != 1 || notes[0].Code != 6 || notes[0].Subcode != 1 {
				t.Errorf("%s: the simulator's end sent Cease/1 (data % x) on a stream of %d prefixes, the daemon sent %v", r.name, r.cease.Data, len(r.want), notes)
			} else {
				t.Logf("%s: Cease/1 as the simulator on a stream of %d prefixes, data [% x] (the simulator's [% x])", r.name, len(r.want), notes[0].Data, r.cease.Data)
			}
		case len(notes) > 0:
			t.Errorf("%s: the daemon sent NOTIFICATION %v", r.name, notes)
		case !established || !d.established(t, r):
			t.Errorf("%s: not Established", r.name)
		default:
			got := routes[r]
			if !samePrefixes(got, r.want) {
				t.Errorf("%s: the daemon holds %d valid routes from the replay, the simulator advertised %d\n missing: %v\n extra: %v",
					r.name, len(got), len(r.want), minus(r.want, got), minus(got, r.want))
			}
		}
	}
	for _, l := range d.problems(t) {
		t.Errorf("%s logged: %s", d.name(), l)
	}
	if t.Failed() || testing.Verbose() {
		var s4, s6, v4, v6 int
		for _, r := range mine {
			if hasFamily(r, 1) {
				s4++
			}
			if hasFamily(r, 2) {
				s6++
			}
			if r.cease != nil {
				continue
			}
			for p := range r.want {
				if p.Addr().Is4() {
					v4++
				} else {
					v6++
				}
			}
		}
		t.Logf("%d replays (IPv4 unicast: %d, IPv6 unicast: %d), %d IPv4 and %d IPv6 routes to install", len(mine), s4, s6, v4, v6)
	}
}

func samePrefixes(a, b map[netip.Prefix]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for p := range a {
		if !b[p] {
			return false
		}
	}
	return true
}

func minus(a, b map[netip.Prefix]bool) []netip.Prefix {
	var out []netip.Prefix
	for p := range a {
		if !b[p] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, network.ComparePrefixes)
	return out
}

// run connects to the daemon and replays the stream as the active side,
// then reads what the daemon says until ctx ends.
func (r *replay) run(ctx context.Context) {
	dialer := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(r.src, 0)), Timeout: 2 * time.Second}
	var conn net.Conn
	var err error
	for conn == nil {
		if conn, err = dialer.DialContext(ctx, "tcp", r.dst.String()); err != nil {
			if ctx.Err() != nil {
				r.problem("cannot connect: %v", err)
				return
			}
			conn = nil
			time.Sleep(100 * time.Millisecond)
		}
	}
	defer conn.Close()
	go func() { <-ctx.Done(); conn.Close() }()
	in := make(chan *wire.Message, 4096)
	go func() {
		defer close(in)
		br := bufio.NewReader(conn)
		for {
			hdr := make([]byte, 19)
			if _, err := io.ReadFull(br, hdr); err != nil {
				return
			}
			n := int(binary.BigEndian.Uint16(hdr[16:18]))
			if n < 19 || n > 4096 {
				r.problem("the daemon sent a BGP length of %d", n)
				return
			}
			b := append(hdr, make([]byte, n-19)...)
			if _, err := io.ReadFull(br, b[19:]); err != nil {
				return
			}
			m, err := wire.Decode(b, true)
			if err != nil {
				r.problem("the daemon sent a message we cannot decode: %v", err)
				return
			}
			r.mu.Lock()
			r.got = append(r.got, m)
			r.mu.Unlock()
			select {
			case in <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	// wait reads until a message of type typ, or gives up on a
	// NOTIFICATION, a closed connection or 5 s.
	wait := func(typ int) bool {
		timeout := time.After(5 * time.Second)
		for {
			select {
			case m, ok := <-in:
				if !ok {
					if r.cease == nil {
						r.problem("the daemon closed the connection waiting for message type %d", typ)
					}
					return false
				}
				if m.Type == typ {
					return true
				}
				if m.Notification != nil {
					return false
				}
			case <-timeout:
				r.problem("no message of type %d from the daemon in 5 s", typ)
				return false
			case <-ctx.Done():
				return false
			}
		}
	}
	if _, err := conn.Write(r.msgs[0]); err != nil {
		r.problem("writing the OPEN: %v", err)
		return
	}
	if !wait(wire.TypeOpen) {
		return
	}
	established := false
	for _, b := range r.msgs[1:] {
		if b[18] == wire.TypeUpdate && !established {
			if !wait(wire.TypeKeepalive) {
				return
			}
			established = true
		}
		if _, err := conn.Write(b); err != nil {
			if r.cease == nil {
				r.problem("writing: %v", err)
			}
			return
		}
	}
	r.mu.Lock()
	r.sent = true
	r.mu.Unlock()
	for {
		select {
		case _, ok := <-in:
			if !ok {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// runDaemon starts a daemon process that ends with ctx and the test.
func runDaemon(t *testing.T, ctx context.Context, dir string, bin string, args ...string) {
	cmd := exec.CommandContext(ctx, bin, args...)
	out, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "HOME="+dir)
	// Killed with the test process, too, should it die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); out.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
}

// ready polls until f succeeds or ctx ends.
func ready(t *testing.T, ctx context.Context, what string, f func() error) {
	var err error
	for ctx.Err() == nil {
		if err = f(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready: %v", what, err)
}

func command(ctx context.Context, bin string, args ...string) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, bin, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func hasFamily(r *replay, afi int) bool {
	return slices.Contains(r.families, wire.Family{AFI: afi, SAFI: 1})
}

// BIRD 2.

type birdDaemon struct {
	tools map[string]string
	ctx   context.Context
	dir   string
	names map[*replay]string
}

func (b *birdDaemon) name() string { return "bird" }

func (b *birdDaemon) sock() string { return filepath.Join(b.dir, "ctl") }

func (b *birdDaemon) start(t *testing.T, ctx context.Context, dir string, port int, reps []*replay) {
	b.ctx, b.dir, b.names = ctx, dir, map[*replay]string{}
	addr := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	var c strings.Builder
	fmt.Fprintf(&c, "log %q all;\nrouter id 192.0.2.254;\n", filepath.Join(dir, "log"))
	// The simulator's next hops are the peer's address on the link the
	// session runs over, directly connected there; here a static route to
	// each (over the loopback, where the replayer is) makes it resolvable.
	c.WriteString("protocol device { scan time 600; }\n")
	hops := [2][]netip.Addr{}
	for _, r := range reps {
		for _, h := range nextHops(r.msgs) {
			if i := map[bool]int{true: 0, false: 1}[h.Is4()]; !slices.Contains(hops[i], h) {
				hops[i] = append(hops[i], h)
			}
		}
	}
	for i, fam := range []string{"ipv4", "ipv6"} {
		if len(hops[i]) > 0 {
			fmt.Fprintf(&c, "protocol static links%d { %s;", 4+2*i, fam)
			for _, h := range hops[i] {
				fmt.Fprintf(&c, " route %s via \"lo\";", netip.PrefixFrom(h, h.BitLen()))
			}
			c.WriteString(" }\n")
		}
	}
	for i, r := range reps {
		n := fmt.Sprintf("r%d", i+1)
		b.names[r] = n
		r.dst = netip.AddrPortFrom(addr, uint16(port))
		id := r.id
		if !id.Is4() {
			id = netip.MustParseAddr("192.0.2.254")
		}
		fmt.Fprintf(&c, "protocol bgp %s {\n  router id %s;\n  local %s port %d as %d;\n  neighbor %s as %d;\n  multihop;\n  passive on;\n  hold time %d;\n",
			n, id, addr, port, r.localAS, r.src, r.peerAS, r.hold)
		for _, f := range []struct {
			afi  int
			name string
		}{{1, "ipv4"}, {2, "ipv6"}} {
			if !hasFamily(r, f.afi) {
				continue
			}
			fmt.Fprintf(&c, "  %s { import all; export none;", f.name)
			if f.afi == 2 && r.self.Is6() {
				// Its own next hop, which BIRD cannot take from an IPv4
				// transport (it warns "Missing next hop address").
				fmt.Fprintf(&c, " next hop address %s;", r.self)
			}
			if r.limit > 0 {
				fmt.Fprintf(&c, " receive limit %d action disable;", r.limit)
			}
			c.WriteString(" };\n")
		}
		c.WriteString("}\n")
	}
	conf := filepath.Join(dir, "bird.conf")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := command(ctx, b.tools["bird"], "-p", "-c", conf); err != nil {
		t.Fatalf("BIRD rejects its configuration: %v\n%s\n%s", err, out, c.String())
	}
	runDaemon(t, ctx, dir, b.tools["bird"], "-f", "-c", conf, "-s", b.sock(), "-P", filepath.Join(dir, "pid"))
	ready(t, ctx, "bird", func() error {
		_, err := command(ctx, b.tools["birdc"], "-s", b.sock(), "show", "status")
		return err
	})
}

func (b *birdDaemon) established(t *testing.T, r *replay) bool {
	out, err := command(b.ctx, b.tools["birdc"], "-s", b.sock(), "show", "protocols", b.names[r])
	if err != nil {
		t.Error(err)
		return false
	}
	return strings.Contains(out, "Established")
}

// routes lists every protocol's routes in both tables; an unreachable
// one (an unresolved next hop) does not count.
func (b *birdDaemon) routes(t *testing.T) map[*replay]map[netip.Prefix]bool {
	byName := map[string]*replay{}
	got := map[*replay]map[netip.Prefix]bool{}
	for r, n := range b.names {
		byName[n] = r
		got[r] = map[netip.Prefix]bool{}
	}
	for _, table := range []string{"master4", "master6"} {
		out, err := command(b.ctx, b.tools["birdc"], "-s", b.sock(), "show", "route", "table", table)
		if err != nil {
			t.Error(err)
			return got
		}
		// 10.1.0.0/16          unicast [r1 10:22:23.123] * (100) [AS64512i]
		// with the prefix left out on the lines of a network's other routes.
		var cur netip.Prefix
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			if p, err := netip.ParsePrefix(f[0]); err == nil {
				cur, f = p, f[1:]
			} else if line[0] != ' ' && line[0] != '\t' {
				continue
			}
			if r := byName[strings.TrimPrefix(f[1], "[")]; r != nil && f[0] == "unicast" {
				got[r][cur] = true
			}
		}
	}
	return got
}

func (b *birdDaemon) problems(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join(b.dir, "log"))
	if err != nil {
		t.Error(err)
		return nil
	}
	expected := map[string]bool{} // protocols a Cease/1 is expected on
	for r, n := range b.names {
		if r.cease != nil {
			expected[n] = true
		}
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "<ERR>") && !strings.Contains(line, "<WARN>") && !strings.Contains(line, "<RMT>") &&
			!strings.Contains(line, "<BUG>") && !strings.Contains(line, "<FATAL>") {
			continue
		}
		// <WARN> Protocol r22 hits route receive limit (100), action: disable
		// <WARN> r22: Route limit exceeded, shutting down
		f := strings.Fields(line)
		if len(f) > 5 && (f[3] == "Protocol" && expected[f[4]] && f[5] == "hits" ||
			expected[strings.TrimSuffix(f[3], ":")] && strings.Join(f[4:7], " ") == "Route limit exceeded,") {
			continue
		}
		out = append(out, line)
	}
	return out
}

// GoBGP.

// gobgpDaemon is one gobgpd per local AS: GoBGP 3.10 drops a route whose
// AS path holds the global AS as a loop even on a neighbour with another
// local-as, so a daemon playing both ends of a session would refuse one
// end's routes.
type gobgpDaemon struct {
	tools map[string]string
	ctx   context.Context
	dirs  []string
	of    map[*replay]string // the instance's directory
}

func (g *gobgpDaemon) name() string { return "gobgp" }

func target(dir string) string { return "unix://" + filepath.Join(dir, "api") }

func (g *gobgpDaemon) start(t *testing.T, ctx context.Context, dir string, port int, reps []*replay) {
	g.ctx, g.of = ctx, map[*replay]string{}
	var ases []uint32
	for _, r := range reps {
		if !slices.Contains(ases, r.localAS) {
			ases = append(ases, r.localAS)
		}
	}
	for k, as := range ases {
		sub := filepath.Join(dir, fmt.Sprint(k))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		g.dirs = append(g.dirs, sub)
		listen := netip.AddrFrom4([4]byte{127, 0, 0, 3 + byte(k)})
		var c strings.Builder
		fmt.Fprintf(&c, "[global.config]\n  as = %d\n  router-id = \"192.0.2.254\"\n  port = %d\n  local-address-list = [%q]\n", as, port, listen.String())
		c.WriteString("[global.apply-policy.config]\n  default-export-policy = \"reject-route\"\n")
		for _, r := range reps {
			if r.localAS != as {
				continue
			}
			g.of[r] = sub
			r.dst = netip.AddrPortFrom(listen, uint16(port))
			fmt.Fprintf(&c, "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = %q\n    peer-as = %d\n", r.src.String(), r.peerAS)
			fmt.Fprintf(&c, "  [neighbors.timers.config]\n    hold-time = %d\n", r.hold)
			fmt.Fprintf(&c, "  [neighbors.transport.config]\n    passive-mode = true\n    local-address = %q\n", listen.String())
			for _, f := range []struct {
				afi  int
				name string
			}{{1, "ipv4-unicast"}, {2, "ipv6-unicast"}} {
				if !hasFamily(r, f.afi) {
					continue
				}
				fmt.Fprintf(&c, "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = %q\n", f.name)
				if r.limit > 0 {
					fmt.Fprintf(&c, "    [neighbors.afi-safis.prefix-limit.config]\n      max-prefixes = %d\n", r.limit)
				}
			}
		}
		conf := filepath.Join(sub, "gobgpd.toml")
		if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		runDaemon(t, ctx, sub, g.tools["gobgpd"], "-f", conf, "-t", "toml", "-p", "--pprof-disable", "--api-hosts", target(sub))
	}
	for _, sub := range g.dirs {
		ready(t, ctx, "gobgpd", func() error {
			_, err := command(ctx, g.tools["gobgp"], "--target", target(sub), "global")
			return err
		})
	}
}

func (g *gobgpDaemon) established(t *testing.T, r *replay) bool {
	out, err := command(g.ctx, g.tools["gobgp"], "--target", target(g.of[r]), "-j", "neighbor", r.src.String())
	if err != nil {
		t.Error(err)
		return false
	}
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

// routes are the paths in the global RIBs, by the neighbour they came from.
func (g *gobgpDaemon) routes(t *testing.T) map[*replay]map[netip.Prefix]bool {
	got := map[*replay]map[netip.Prefix]bool{}
	byAddr := map[string]*replay{}
	for r := range g.of {
		byAddr[r.src.String()] = r
		got[r] = map[netip.Prefix]bool{}
	}
	for _, sub := range g.dirs {
		for _, fam := range []string{"ipv4", "ipv6"} {
			out, err := command(g.ctx, g.tools["gobgp"], "--target", target(sub), "-j", "global", "rib", "-a", fam)
			if err != nil {
				t.Error(err)
				return got
			}
			var rib map[string][]struct {
				Neighbor string `json:"neighbor-ip"`
			}
			if err := json.Unmarshal([]byte(out), &rib); err != nil {
				t.Errorf("gobgp global rib: %v in %.200s", err, out)
				return got
			}
			for prefix, paths := range rib {
				for _, p := range paths {
					if r := byAddr[p.Neighbor]; r != nil {
						if pp, err := netip.ParsePrefix(prefix); err == nil {
							got[r][pp] = true
						}
					}
				}
			}
		}
	}
	return got
}

// problems are the warnings and errors logged, but for the prefix limit's
// on a neighbour that is to send Cease/1.
func (g *gobgpDaemon) problems(t *testing.T) []string {
	var expected []*regexp.Regexp
	for r := range g.of {
		if r.cease != nil {
			expected = append(expected, regexp.MustCompile(regexp.QuoteMeta(r.src.String())+`([^0-9]|$)`))
		}
	}
	var out []string
	for _, sub := range g.dirs {
		data, err := os.ReadFile(filepath.Join(sub, "stdout"))
		if err != nil {
			t.Error(err)
			return nil
		}
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.Contains(line, "level=error") && !strings.Contains(line, "level=warning") && !strings.Contains(line, "level=fatal") && !strings.Contains(line, "level=panic") {
				continue
			}
			// The neighbour that is to send Cease/1 logs it ("sent
			// notification" Code=6 Subcode=1) and, racing the teardown,
			// "No matching path for withdraw found" for the routes it
			// refused: checked by the NOTIFICATION itself.
			if slices.ContainsFunc(expected, func(re *regexp.Regexp) bool { return re.MatchString(line) }) {
				continue
			}
			out = append(out, line)
		}
	}
	return out
}

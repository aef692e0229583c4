package decl

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/stdlib"
)

// Bounds of the scenario language. A month covers any maintenance or
// failure rehearsal people run; a probe more often than every 100ms would
// measure the simulator rather than the network, and one rarer than hourly
// measures nothing.
const (
	maxScenarioDuration = 30 * 24 * time.Hour
	minProbeInterval    = 100 * time.Millisecond
	maxProbeInterval    = time.Hour
	minPacketSize       = 64   // the smallest Ethernet frame
	maxPacketSize       = 9216 // the largest jumbo frame any hop here carries

	// Ten prepends already lose to every other path a design here can
	// offer; a larger count is more likely a slip than a plan.
	maxPrepend = 10
	// The extra prefixes are /24s of 198.18.0.0/15 (RFC 2544's benchmarking
	// range, so they collide with no real network), which holds 512.
	maxExtraPrefixes = 512
)

// networkKinds are what traffic flows between: the resources that own
// addresses.
var networkKinds = []lang.Kind{lang.KindVPC, lang.KindGCPVPC, lang.KindSite}

// deviceKinds are the resources the simulator instantiates as one device
// each, named by reference; routers inside facilities have no resource and
// are named by string instead.
var deviceKinds = []lang.Kind{lang.KindTransitGW, lang.KindDXGateway, lang.KindVPNGateway, lang.KindCoreNetwork,
	lang.KindVPC, lang.KindGCPVPC, lang.KindSite}

// The spec types of the scenario language. An event_action is what fail()
// and its kin return: only at() turns it into an event a scenario takes, so
// an event can never be scheduled by accident at time zero.
const (
	specFlow        = "flow"
	specProbe       = "probe"
	specEventAction = "event_action"
	specEvent       = "event"
)

// timedEvent is the payload of an at() value. The event's own Range is the
// action's call, where the target is written; the at() call's range is kept
// for errors about the time.
type timedEvent struct {
	ev lang.Event
	at lang.Range
}

// label is a display name for flows and probes. Unlike resource names it
// never becomes part of a derived name, so the default "SRC->DST" form and
// spaces are fine; only emptiness and control characters are refused.
func (c *call) label(p string) string {
	s := c.str(p, "")
	if c.err != nil {
		return s
	}
	switch {
	case strings.TrimSpace(s) == "":
		c.failf(p, "must not be empty")
	case len(s) > 128:
		c.failf(p, "%q is longer than 128 characters", s[:32]+"…")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		c.failf(p, "%q: control characters are not allowed", s)
	}
	return s
}

func (c *call) packetSize(p string, def int64) int {
	return int(c.integer(p, def, minPacketSize, maxPacketSize))
}

// endpoints reads source and destination: two different networks.
func (c *call) endpoints() (src, dst *Resource) {
	src = c.resource("source", networkKinds...)
	dst = c.resource("destination", networkKinds...)
	if c.err == nil && src == dst {
		c.failf("destination", "source and destination are the same network")
	}
	return src, dst
}

// trafficName is the name argument, or "SRC->DST" by the networks' names.
func (c *call) trafficName(src, dst *Resource) string {
	if c.has("name") {
		return c.label("name")
	}
	if c.err != nil {
		return ""
	}
	return src.res.Ref().Name + "->" + dst.res.Ref().Name
}

func durationValue(d time.Duration) starlark.Value { return starlark.String(stdlib.FormatDuration(d)) }

func flowFn(c *call) (starlark.Value, error) {
	src, dst := c.endpoints()
	// ParseBandwidth never returns 0, so a given rate is always positive.
	rate := stdlib.Bandwidth(1e9)
	if c.has("rate") {
		rate = c.bandwidth("rate")
	}
	f := lang.Flow{
		Rate:       rate,
		PacketSize: c.packetSize("packet_size", 1500),
		Start:      c.duration("start", 0),
		Stop:       c.duration("stop", 0),
		Range:      c.here(),
	}
	if c.err == nil && f.Stop != 0 && f.Stop <= f.Start {
		c.failf("stop", "%s is not after start (%s); leave stop out to run until the end", stdlib.FormatDuration(f.Stop), stdlib.FormatDuration(f.Start))
	}
	f.Name = c.trafficName(src, dst)
	if c.err != nil {
		return nil, c.err
	}
	f.From, f.To = src.res.Ref(), dst.res.Ref()
	stop := starlark.Value(starlark.None)
	if f.Stop != 0 {
		stop = durationValue(f.Stop)
	}
	return &spec{typ: specFlow, payload: f, attrs: attrs{
		{"name", starlark.String(f.Name)}, {"source", src}, {"destination", dst}, {"rate", starlark.String(f.Rate.String())},
		{"packet_size", starlark.MakeInt(f.PacketSize)}, {"start", durationValue(f.Start)}, {"stop", stop},
	}}, nil
}

func probeFn(c *call) (starlark.Value, error) {
	src, dst := c.endpoints()
	p := lang.Probe{
		Interval:   c.duration("interval", time.Second),
		PacketSize: c.packetSize("packet_size", 64),
		Range:      c.here(),
	}
	if c.err == nil && (p.Interval < minProbeInterval || p.Interval > maxProbeInterval) {
		c.failf("interval", "%s is outside %s-%s", stdlib.FormatDuration(p.Interval), stdlib.FormatDuration(minProbeInterval), stdlib.FormatDuration(maxProbeInterval))
	}
	p.Name = c.trafficName(src, dst)
	if c.err != nil {
		return nil, c.err
	}
	p.From, p.To = src.res.Ref(), dst.res.Ref()
	return &spec{typ: specProbe, payload: p, attrs: attrs{
		{"name", starlark.String(p.Name)}, {"source", src}, {"destination", dst},
		{"interval", durationValue(p.Interval)}, {"packet_size", starlark.MakeInt(p.PacketSize)},
	}}, nil
}

// targetParam is one way an event can name what it acts on.
type targetParam struct {
	param string
	kind  lang.TargetKind
	// resources this parameter also takes in place of a string; byRef
	// stores a resource as its reference ("transit_gateway.hub"), else as
	// its name, for targets that are always of one kind.
	resources []lang.Kind
	byRef     bool
}

var (
	linkTarget         = targetParam{param: "link", kind: lang.TargetLink}
	channelTarget      = targetParam{param: "channel", kind: lang.TargetChannel}
	facilityTarget     = targetParam{param: "facility", kind: lang.TargetFacility}
	deviceTarget       = targetParam{param: "device", kind: lang.TargetDevice, resources: deviceKinds, byRef: true}
	interconnectTarget = targetParam{param: "interconnect", kind: lang.TargetInterconnect, resources: []lang.Kind{lang.KindInterconnect}}
	lastMileTarget     = targetParam{param: "last_mile", kind: lang.TargetLastMile, resources: []lang.Kind{lang.KindLastMile}}
)

// targetValue reads one target argument: a non-empty string, or one of
// the resources the parameter takes. The simulator checks the names against
// the plan, which only it derives.
func (c *call) targetValue(tp targetParam) lang.Target {
	v := c.get(tp.param)
	if v == nil {
		return lang.Target{}
	}
	t := lang.Target{Kind: tp.kind}
	if r, ok := v.(*Resource); ok && slices.Contains(tp.resources, r.res.Ref().Kind) {
		t.Name = r.res.Ref().Name
		if tp.byRef {
			t.Name = r.res.Ref().String()
		}
		return t
	}
	s, ok := starlark.AsString(v)
	if !ok {
		want := "a string"
		if len(tp.resources) > 0 {
			want = "a string or " + lang.OrList(tp.resources)
		}
		c.failf(tp.param, "want %s, got %s", want, typeName(v))
		return t
	}
	if strings.TrimSpace(s) == "" {
		c.failf(tp.param, "must not be empty")
	}
	t.Name = s
	return t
}

// target reads the one target an event acts on, out of the ways tps.
func (c *call) target(tps ...targetParam) lang.Target {
	names := make([]string, len(tps))
	var given []targetParam
	for i, tp := range tps {
		names[i] = tp.param
		if c.has(tp.param) {
			given = append(given, tp)
		}
	}
	choices := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	switch {
	case c.err != nil:
		return lang.Target{}
	case len(given) == 0:
		c.failf("", "name what it acts on: give one of %s", choices)
		return lang.Target{}
	case len(given) > 1:
		c.failf(given[1].param, "give exactly one of %s, not both %s and %s", choices, given[0].param, given[1].param)
		return lang.Target{}
	}
	return c.targetValue(given[0])
}

// eventActionList names the builtins whose values at() takes, for errors.
const eventActionList = "fail(), restore(), set_bandwidth(), maintenance(), advertise(), rotate_key(), remove_key() or mismatch_key()"

// eventAction wraps an event that at() has yet to place in time. Every
// event has the same attributes, None where its action has no such
// setting, so scripts can read any of them without checking the action.
func eventAction(c *call, ev lang.Event) (starlark.Value, error) {
	if c.err != nil {
		return nil, c.err
	}
	ev.Range = c.here()
	as := attrs{
		{"action", starlark.String(ev.Action)}, {"target", starlark.String(ev.Target.Name)},
		{"target_kind", starlark.String(ev.Target.Kind)}, {"bandwidth", starlark.None}, {"duration", starlark.None},
		{"prepend", starlark.None}, {"communities", starlark.None}, {"med", starlark.None}, {"extra_prefixes", starlark.None},
		{"by", noneIfEmpty(ev.By)}, {"key", noneIfEmpty(ev.Key)},
	}
	if ev.Bandwidth != 0 {
		as.set("bandwidth", starlark.String(ev.Bandwidth.String()))
	}
	if ev.Duration != 0 {
		as.set("duration", durationValue(ev.Duration))
	}
	if a := ev.Advertise; a != nil {
		as.set("prepend", starlark.MakeInt(a.Prepend))
		as.set("communities", strTuple(a.Communities))
		as.set("med", starlark.MakeUint64(uint64(a.MED)))
		as.set("extra_prefixes", starlark.MakeInt(a.ExtraPrefixes))
	}
	return &spec{typ: specEventAction, payload: ev, attrs: as}, nil
}

var downTargets = []targetParam{linkTarget, channelTarget, facilityTarget, deviceTarget}

func failFn(c *call) (starlark.Value, error) {
	return eventAction(c, lang.Event{Action: lang.ActionFail, Target: c.target(downTargets...)})
}

func restoreFn(c *call) (starlark.Value, error) {
	return eventAction(c, lang.Event{Action: lang.ActionRestore, Target: c.target(downTargets...)})
}

func setBandwidthFn(c *call) (starlark.Value, error) {
	bw := c.bandwidth("bandwidth") // never 0: a link is taken down with fail()
	t := c.target(linkTarget, channelTarget, interconnectTarget, lastMileTarget)
	return eventAction(c, lang.Event{Action: lang.ActionSetBandwidth, Target: t, Bandwidth: bw})
}

func maintenanceFn(c *call) (starlark.Value, error) {
	t := c.targetValue(deviceTarget)
	d := c.duration("duration", 30*time.Minute)
	if c.err == nil && d <= 0 {
		c.failf("duration", "must be more than 0s")
	}
	return eventAction(c, lang.Event{Action: lang.ActionMaintenance, Target: t, Duration: d})
}

// communities reads RFC 1997 communities, "ASN:VALUE" with each half a
// 16-bit number. They are kept in canonical form ("07224:7300" becomes
// "7224:7300") so the simulator can match them against the ones AWS acts on
// by string.
func (c *call) communities(p string) []string {
	var out []string
	for i, v := range c.list(p) {
		s, ok := starlark.AsString(v)
		if !ok {
			c.failf(p, "element %d: want a string \"ASN:VALUE\", got %s", i, typeName(v))
			return nil
		}
		asn, value, colon := strings.Cut(s, ":")
		a, errASN := strconv.ParseUint(asn, 10, 16)
		b, errValue := strconv.ParseUint(value, 10, 16)
		if !colon || errASN != nil || errValue != nil {
			c.failHint(p, fmt.Errorf("community %q: want \"ASN:VALUE\", both numbers 0-65535", s),
				"AWS sets local preference from 7224:7100 (low), 7224:7200 (medium) and 7224:7300 (high)")
			return nil
		}
		canon := fmt.Sprintf("%d:%d", a, b)
		if j := slices.Index(out, canon); j >= 0 {
			c.failf(p, "community %q is listed twice (elements %d and %d)", s, j, i)
			return nil
		}
		out = append(out, canon)
	}
	return out
}

func advertiseFn(c *call) (starlark.Value, error) {
	t := c.targetValue(channelTarget)
	adv := &lang.Advertise{
		Prepend:       int(c.integer("prepend", 0, 0, maxPrepend)),
		Communities:   c.communities("communities"),
		MED:           uint32(c.integer("med", 0, 0, math.MaxUint32)),
		ExtraPrefixes: int(c.integer("extra_prefixes", 0, 0, maxExtraPrefixes)),
	}
	return eventAction(c, lang.Event{Action: lang.ActionAdvertise, Target: t, Advertise: adv})
}

// Who may act on a channel's keys, and which keys the key actions name.
// Whether the party may rotate this channel's key (only its MACsec manager
// may) is the simulator's check: it alone knows the channel.
var (
	keyParties     = []string{"aws", "gcp", "customer"}
	removableKeys  = []string{"previous", "active"}
	mismatchedKeys = []string{"cak", "ckn"}
)

// choice reads a string argument that must be one of choices. Choices are
// lower case, so a typo's suggestion is sought in lower case too ("AWS"
// suggests "aws").
func (c *call) choice(p, def string, choices []string, hint string) string {
	s := c.str(p, def)
	if c.err != nil || slices.Contains(choices, s) {
		return s
	}
	quoted := make([]string, len(choices))
	for i, x := range choices {
		quoted[i] = strconv.Quote(x)
	}
	if near := lang.Nearest(strings.ToLower(s), choices); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	}
	c.failHint(p, fmt.Errorf("%q is not one of %s", s, strings.Join(quoted, ", ")), hint)
	return s
}

func rotateKeyFn(c *call) (starlark.Value, error) {
	t := c.targetValue(channelTarget)
	by := c.choice("by", "aws", keyParties, "aws or the partner cloud (gcp) on an Interconnect channel, customer on a last-mile connection")
	return eventAction(c, lang.Event{Action: lang.ActionRotateKey, Target: t, By: by})
}

func removeKeyFn(c *call) (starlark.Value, error) {
	t := c.targetValue(channelTarget)
	key := c.choice("key", "previous", removableKeys, `"previous" deletes the key a rotation replaced; "active" attempts to delete the one in use, which is refused`)
	return eventAction(c, lang.Event{Action: lang.ActionRemoveKey, Target: t, Key: key})
}

func mismatchKeyFn(c *call) (starlark.Value, error) {
	t := c.targetValue(channelTarget)
	key := c.choice("key", "cak", mismatchedKeys, "cak (the connectivity association key) or ckn (its name): which one the far end gets wrong")
	return eventAction(c, lang.Event{Action: lang.ActionMismatchKey, Target: t, Key: key})
}

func atFn(c *call) (starlark.Value, error) {
	when := c.duration("time", 0)
	v := c.get("event")
	s, ok := v.(*spec)
	switch {
	case c.err != nil:
	case ok && s.typ == specEvent:
		c.failf("event", "this event is already at %s: give at() a %s of its own",
			stdlib.FormatDuration(s.payload.(timedEvent).ev.At), eventActionList)
	case !ok || s.typ != specEventAction:
		c.failf("event", "want %s, got %s", eventActionList, typeName(v))
	}
	if c.err != nil {
		return nil, c.err
	}
	ev := s.payload.(lang.Event)
	ev.At = when
	as := append(attrs{{"at", durationValue(when)}}, s.attrs...)
	return &spec{typ: specEvent, payload: timedEvent{ev: ev, at: c.here()}, attrs: as}, nil
}

// elementError is an error about one element of a list argument, placed on
// the element (a flow(), probe() or at() call) rather than on the whole list.
func (c *call) elementError(p string, i int, at lang.Range, rule, hint string, related []lang.Related, format string, args ...any) {
	if at.IsZero() {
		at = c.here()
	}
	c.setErr(lang.Diagnostic{
		Rule:    rule,
		Summary: fmt.Sprintf("%s: %s: element %d: %s", c.fn.name, p, i, fmt.Sprintf(format, args...)),
		Hint:    hint,
		Range:   at,
		Related: related,
	})
}

// uniqueNames refuses two flows (or two probes) of one name: the
// simulator's reports and metric series are keyed by it.
func uniqueNames[T any](c *call, p, what string, xs []T, name func(T) string, at func(T) lang.Range) {
	first := map[string]int{}
	for i, x := range xs {
		n := name(x)
		j, dup := first[n]
		if !dup {
			first[n] = i
			continue
		}
		c.elementError(p, i, at(x), "duplicate", fmt.Sprintf("pass name = \"…\" to one of them: %ss are told apart by name", what),
			[]lang.Related{{Range: at(xs[j]), Message: "first declared here"}},
			"another %s is named %q (element %d)", what, n, j)
		return
	}
}

func scenarioFn(c *call) (starlark.Value, error) {
	sc := &lang.Scenario{Meta: c.meta(c.name("name")), Flows: []lang.Flow{}, Probes: []lang.Probe{}, Events: []lang.Event{}}
	sc.Duration = c.duration("duration", 5*time.Minute)
	if c.err == nil && (sc.Duration <= 0 || sc.Duration > maxScenarioDuration) {
		c.failf("duration", "%s is outside what a scenario runs: more than 0s and at most %s", stdlib.FormatDuration(sc.Duration), stdlib.FormatDuration(maxScenarioDuration))
	}
	end := stdlib.FormatDuration(sc.Duration)
	for i, f := range specs[lang.Flow](c, "flows", "a flow()", specFlow) {
		switch {
		case c.err != nil:
		case f.Start >= sc.Duration:
			c.elementError("flows", i, f.Range, "argument", "", nil, "flow %q starts at %s, when the scenario has ended (duration %s)", f.Name, stdlib.FormatDuration(f.Start), end)
		case f.Stop > sc.Duration:
			c.elementError("flows", i, f.Range, "argument", "leave stop out to run until the end", nil, "flow %q stops at %s, after the scenario has ended (duration %s)", f.Name, stdlib.FormatDuration(f.Stop), end)
		}
		sc.Flows = append(sc.Flows, f)
	}
	uniqueNames(c, "flows", "flow", sc.Flows, func(f lang.Flow) string { return f.Name }, func(f lang.Flow) lang.Range { return f.Range })
	sc.Probes = append(sc.Probes, specs[lang.Probe](c, "probes", "a probe()", specProbe)...)
	uniqueNames(c, "probes", "probe", sc.Probes, func(p lang.Probe) string { return p.Name }, func(p lang.Probe) lang.Range { return p.Range })
	for i, v := range c.list("events") {
		s, ok := v.(*spec)
		switch {
		case c.err != nil:
		case ok && s.typ == specEventAction:
			ev := s.payload.(lang.Event)
			c.elementError("events", i, ev.Range, "argument", fmt.Sprintf("wrap it in at(): at(\"60s\", %s(…))", ev.Action), nil,
				"%s() has no time", ev.Action)
		case !ok || s.typ != specEvent:
			c.failf("events", "element %d: want an at(), got %s", i, typeName(v))
		default:
			te := s.payload.(timedEvent)
			if te.ev.At > sc.Duration {
				c.elementError("events", i, te.at, "argument", "", nil, "at %s is after the scenario ends (duration %s)", stdlib.FormatDuration(te.ev.At), end)
			}
			sc.Events = append(sc.Events, te.ev)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	// Stable, so events at the same time happen in the order written.
	slices.SortStableFunc(sc.Events, func(a, b lang.Event) int { return cmp.Compare(a.At, b.At) })
	flows := make([]string, len(sc.Flows))
	for i, f := range sc.Flows {
		flows[i] = f.Name
	}
	probes := make([]string, len(sc.Probes))
	for i, p := range sc.Probes {
		probes[i] = p.Name
	}
	return c.b.add(sc, attrs{
		{"duration", durationValue(sc.Duration)}, {"flows", strTuple(flows)}, {"probes", strTuple(probes)},
		{"events", starlark.MakeInt(len(sc.Events))},
	})
}

package sim

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim/internal/units"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// resolve turns an event the planner resolved into the action it runs on
// this network's copies of the planner's links and devices (same IDs). The
// action returns what it did, for the timeline.
func (s *sim) resolve(re planner.ResolvedEvent) func() string {
	n := s.n
	ev, t := re.Event, re.Event.Target
	links := make([]*network.Link, len(re.Links))
	for i, l := range re.Links {
		links[i] = n.Links[l.ID]
	}
	members := make([]*network.Member, len(re.Members))
	for i, m := range re.Members {
		members[i] = n.Links[m.Link.ID].Members[m.Index]
	}
	devs := make([]*network.Device, len(re.Devices))
	for i, d := range re.Devices {
		devs[i] = n.Devices[d.ID]
	}
	verb := string(ev.Action)
	switch ev.Action {
	case lang.ActionFail, lang.ActionRestore:
		fail := ev.Action == lang.ActionFail
		switch t.Kind {
		case lang.TargetLink:
			if len(members) > 0 {
				return func() string { return verb + " link " + t.Name + ": " + members[0].SetDown("link", fail) }
			}
			return func() string { return verb + " link " + t.Name + ": " + links[0].SetDown("link", fail) }
		case lang.TargetChannel:
			l := links[0]
			return func() string {
				return fmt.Sprintf("%s %s %s: %s", verb, l.Kind, t.Name, setMembers(l.Members, "channel", fail))
			}
		case lang.TargetFacility:
			return func() string {
				var ms []*network.Member
				var names []string
				for _, l := range links {
					ms = append(ms, l.Members...)
					names = append(names, l.Name)
				}
				return fmt.Sprintf("%s facility %s (%s): %s", verb, t.Name, strings.Join(names, ", "), setMembers(ms, "facility "+t.Name, fail))
			}
		default: // a device
			return func() string {
				var out []string
				for _, d := range devs {
					out = append(out, d.SetDown("device", fail))
				}
				return verb + " device " + t.Name + ": " + strings.Join(slices.Compact(out), ", ")
			}
		}
	case lang.ActionSetBandwidth:
		bw := float64(ev.Bandwidth)
		for _, l := range links {
			members = append(members, l.Members...)
		}
		return func() string {
			for _, m := range members {
				m.Capacity = bw / float64(len(members))
			}
			return fmt.Sprintf("set bandwidth of %s %s to %s", t.Kind, t.Name, stdlib.Bandwidth(ev.Bandwidth))
		}
	case lang.ActionAdvertise:
		far := s.bgp.Session(re.Session.Name).Ends[1]
		a := *ev.Advertise
		return func() string {
			far.SetPolicy(a)
			return fmt.Sprintf("%s now advertises over %s %s", far, t.Name, describePolicy(a))
		}
	case lang.ActionRotateKey, lang.ActionRemoveKey, lang.ActionMismatchKey:
		sl := secOf(links[0])
		switch ev.Action {
		case lang.ActionRotateKey:
			return func() string { return s.rotateKey(sl, ev) }
		case lang.ActionRemoveKey:
			return func() string { return s.removeKey(sl, ev) }
		default:
			return func() string { return s.mismatchKey(sl, ev) }
		}
	case lang.ActionMaintenance:
		return func() string {
			var out []string
			for _, d := range devs {
				out = append(out, s.startMaintenance(d, ev))
			}
			return strings.Join(out, "; ")
		}
	}
	panic("sim: the planner resolved an action the simulator does not run: " + verb)
}

func setMembers(ms []*network.Member, cause string, fail bool) string {
	changed, want, word := 0, "up", "restored"
	if fail {
		want, word = "down", "failed"
	}
	for _, m := range ms {
		if m.SetDown(cause, fail) == want {
			changed++
		}
	}
	if changed == 0 && !fail {
		return fmt.Sprintf("none of %d member links was failed", len(ms))
	}
	return fmt.Sprintf("%d of %d member links %s", changed, len(ms), word)
}

// startMaintenance takes a device out of service for the window, and
// checks the open specification's rule: devices of one Interconnect are
// never in scheduled maintenance at the same time.
func (s *sim) startMaintenance(d *network.Device, ev lang.Event) string {
	now := s.e.Now()
	end := now + ev.Duration
	for _, m := range s.maint {
		if m.end <= now || m.dev == d {
			continue
		}
		for _, g := range sortedKeys(s.n.GroupDevices) {
			devs := s.n.GroupDevices[g]
			if slices.Contains(devs, d) && slices.Contains(devs, m.dev) {
				s.out.Findings = append(s.out.Findings, Finding{T: now, Rule: "maintenance-overlap", Severity: "error",
					Message: fmt.Sprintf("%s and %s, devices of Interconnect %s, are in scheduled maintenance at the same time (from %s to %s)",
						m.dev.Name, d.Name, g, stdlib.FormatDuration(now), stdlib.FormatDuration(min(m.end, end))),
					Source: ev.Range.String(),
					Hint:   "the open specification forbids it: schedule one device's window after the other's ends"})
			}
		}
	}
	s.maint = append(s.maint, maintenance{dev: d, start: now, end: end, at: ev.Range})
	// A maintenance is announced, not a crash: the device's BGP sessions
	// are shut down with Cease/2 so the peers withdraw its routes at once,
	// then it goes out.
	s.bgp.Shutdown(d, "maintenance: administrative shutdown, NOTIFICATION Cease/2 sent")
	d.BeginMaintenance()
	return fmt.Sprintf("maintenance of device %s for %s", d.Name, stdlib.FormatDuration(ev.Duration))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func describePolicy(a lang.Advertise) string {
	var parts []string
	if a.Prepend > 0 {
		parts = append(parts, fmt.Sprintf("its AS %d more times", a.Prepend))
	}
	if len(a.Communities) > 0 {
		parts = append(parts, "communities "+strings.Join(a.Communities, " "))
	}
	if a.MED > 0 {
		parts = append(parts, fmt.Sprintf("MED %d", a.MED))
	}
	if a.ExtraPrefixes > 0 {
		parts = append(parts, fmt.Sprintf("%d extra /24s from 198.18.0.0/15", a.ExtraPrefixes))
	}
	if len(parts) == 0 {
		return "with no prepending, communities or extra prefixes"
	}
	return "with " + strings.Join(parts, ", ")
}

// refuse records a key operation the open specification forbids.
func (s *sim) refuse(ev lang.Event, msg, hint string) string {
	s.out.Findings = append(s.out.Findings, Finding{T: s.e.Now(), Rule: "macsec-keys", Severity: "error", Message: msg,
		Source: ev.Range.String(), Hint: hint})
	return "refused: " + msg
}

// rotateKey checks the specification's rules for a rotation and starts it:
// a new CAK/CKN on both ends, MKA agreeing on it beside the old one.
func (s *sim) rotateKey(sl *secLink, ev lang.Event) string {
	now := s.e.Now()
	name := sl.sess.Name
	by := ev.By
	if by == "" {
		by = sl.manager
	}
	if by != sl.manager {
		return s.refuse(ev, fmt.Sprintf("%s tried to rotate the MACsec key of %s, whose manager is %s: only the manager rotates keys", by, name, sl.manager),
			fmt.Sprintf("rotate_key(channel = %q, by = %q)", name, sl.manager))
	}
	if n := len(sl.ends[0].keys); n >= 2 {
		return s.refuse(ev, fmt.Sprintf("%s already has two keys: a channel holds at most two", name), fmt.Sprintf("remove_key(channel = %q) first", name))
	}
	for _, o := range s.macsec {
		if o.group != sl.group {
			continue
		}
		if o.rotating != nil {
			return s.refuse(ev, fmt.Sprintf("%s is still rotating its key: one channel of %s rotates at a time", o.sess.Name, sl.group), "wait until it finishes")
		}
		if o.rotated >= 0 && now < o.rotated+rotationBake {
			return s.refuse(ev, fmt.Sprintf("%s finished rotating at %s: %s must bake for %s before the next rotation (from %s)",
				o.sess.Name, units.Clock(o.rotated), sl.group, rotationBake, units.Clock(o.rotated+rotationBake)), "rotate after the bake")
		}
	}
	k := s.newCAK(sl.ends[0].keys[len(sl.ends[0].keys)-1].id + 1)
	for _, e := range sl.ends {
		e.keys = append(e.keys, k)
		e.startParticipant(k)
	}
	sl.rotating = k
	return fmt.Sprintf("%s rotates the MACsec key of %s to key %d", by, name, k.id)
}

// removeKey deletes the previous key; the active one stays, as the
// specification requires.
func (s *sim) removeKey(sl *secLink, ev lang.Event) string {
	name := sl.sess.Name
	inUse := func(k *cak) bool {
		for _, e := range sl.ends {
			if e.txKey != nil && bytes.Equal(e.txKey.ckn, k.ckn) {
				return true
			}
		}
		return false
	}
	if ev.Key == "active" || len(sl.ends[0].keys) == 2 && (sl.rotating != nil || inUse(sl.ends[0].keys[0])) {
		return s.refuse(ev, fmt.Sprintf("removing the active MACsec key of %s: an active key cannot be deleted", name),
			"rotate to a new key first, then remove the previous one")
	}
	if len(sl.ends[0].keys) < 2 {
		return s.refuse(ev, fmt.Sprintf("%s has no previous key to remove", name), "")
	}
	old := sl.ends[0].keys[0]
	for _, e := range sl.ends {
		e.keys = e.keys[1:]
		for _, p := range slices.Clone(e.parts) {
			if p.key.id == old.id {
				p.stop()
			}
		}
	}
	return fmt.Sprintf("remove MACsec key %d of %s", old.id, name)
}

// mismatchKey gives the far end a different key than the AWS end, as a
// misconfiguration would; its MKPDUs stop validating at the AWS end, and
// the AWS end's stop validating there.
func (s *sim) mismatchKey(sl *secLink, ev lang.Event) string {
	far := sl.ends[1]
	old := far.keys[len(far.keys)-1]
	bad := s.newCAK(old.id)
	what := "CAK"
	if ev.Key == "ckn" {
		what = "CKN"
		bad.key = old.key
	} else {
		bad.ckn = old.ckn
	}
	far.keys[len(far.keys)-1] = bad
	for _, p := range slices.Clone(far.parts) {
		if p.key == old {
			p.stop()
		}
	}
	far.startParticipant(bad)
	// Reconfiguring a key restarts the far end's CA: its SAs go with it,
	// so it can neither protect nor validate a frame. The AWS end is not
	// told: it keeps its participant, SAs and live peer until the peer's
	// lifetime runs out, 6 s after the last MKPDU it validated (or BFD
	// notices first, as nothing crosses the link any more).
	if far.txKey == old {
		sl.endDown(far, "its CA restarted with the changed "+what)
	}
	sl.check()
	return fmt.Sprintf("the far end of %s now has a different %s for key %d", sl.sess.Name, what, old.id)
}

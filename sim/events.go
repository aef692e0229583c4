package sim

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim/mka"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// resolve turns an event the planner resolved into the action it runs on
// this network's copies of the planner's links and devices (same IDs). The
// action returns what it did, for the timeline.
func (s *Sim) resolve(re planner.ResolvedEvent) func() string {
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
		return func() string {
			var msg string
			var r *mka.Refusal
			switch ev.Action {
			case lang.ActionRotateKey:
				msg, r = s.mka.Rotate(sl, ev.By)
			case lang.ActionRemoveKey:
				msg, r = sl.RemoveKey(ev.Key)
			default:
				msg = s.mka.MismatchKey(sl, ev.Key)
			}
			if r != nil {
				return s.refuse(ev, r.Message, r.Hint)
			}
			return msg
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
func (s *Sim) startMaintenance(d *network.Device, ev lang.Event) string {
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
func (s *Sim) refuse(ev lang.Event, msg, hint string) string {
	s.out.Findings = append(s.out.Findings, Finding{T: s.e.Now(), Rule: "macsec-keys", Severity: "error", Message: msg,
		Source: ev.Range.String(), Hint: hint})
	return "refused: " + msg
}

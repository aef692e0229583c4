package sim

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/stdlib"
)

// resolve turns a scenario event into the action it runs, checking its
// target against the network. The action returns what it did, for the
// timeline.
func (s *sim) resolve(ev lang.Event) (func() string, *lang.Diagnostic) {
	n := s.n
	t := ev.Target
	unknown := func(what string, names []string) *lang.Diagnostic {
		slices.Sort(names)
		d := &lang.Diagnostic{Rule: "scenario", Range: ev.Range, Summary: fmt.Sprintf("scenario %s: no %s %q in this design", s.sc.Name, what, t.Name)}
		if near := lang.Nearest(t.Name, names); near != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", near)
		} else if len(names) > 0 {
			shown := names[:min(len(names), 8)]
			d.Hint = "known: " + strings.Join(shown, ", ")
			if len(names) > len(shown) {
				d.Hint += fmt.Sprintf(" and %d more", len(names)-len(shown))
			}
		}
		return d
	}
	verb := string(ev.Action)
	switch ev.Action {
	case lang.ActionFail, lang.ActionRestore:
		fail := ev.Action == lang.ActionFail
		switch t.Kind {
		case lang.TargetLink:
			if m, ok := n.members[t.Name]; ok {
				return func() string { return verb + " link " + t.Name + ": " + setCause(&m.m.down, "link", fail) }, nil
			}
			if l, ok := n.linkNamed[t.Name]; ok && !l.Physical() {
				return func() string { return verb + " link " + t.Name + ": " + setCause(&l.down, "link", fail) }, nil
			}
			var names []string
			for name := range n.members {
				names = append(names, name)
			}
			for _, l := range n.Links {
				if !l.Physical() {
					names = append(names, l.Name)
				}
			}
			return nil, unknown("link", names)
		case lang.TargetChannel:
			l, ok := n.linkNamed[t.Name]
			if !ok || !l.Physical() {
				return nil, unknown("channel or connection", physicalNames(n))
			}
			return func() string {
				return fmt.Sprintf("%s %s %s: %s", verb, l.Kind, t.Name, setMembers(l.Members, "channel", fail))
			}, nil
		case lang.TargetFacility:
			links, ok := n.Facilities[t.Name]
			if !ok {
				var names []string
				for f := range n.Facilities {
					names = append(names, f)
				}
				return nil, unknown("facility", names)
			}
			return func() string {
				var ms []*Member
				var names []string
				for _, l := range links {
					ms = append(ms, l.Members...)
					names = append(names, l.Name)
				}
				return fmt.Sprintf("%s facility %s (%s): %s", verb, t.Name, strings.Join(names, ", "), setMembers(ms, "facility "+t.Name, fail))
			}, nil
		case lang.TargetDevice:
			devs := n.devicesNamed(t.Name)
			if len(devs) == 0 {
				return nil, unknown("device", deviceNames(n))
			}
			return func() string {
				var out []string
				for _, d := range devs {
					out = append(out, setCause(&d.down, "device", fail))
				}
				return verb + " device " + t.Name + ": " + strings.Join(slices.Compact(out), ", ")
			}, nil
		}
	case lang.ActionSetBandwidth:
		bw := float64(ev.Bandwidth)
		var members []*Member
		switch t.Kind {
		case lang.TargetLink:
			m, ok := n.members[t.Name]
			if l, virtual := n.linkNamed[t.Name]; !ok && virtual && !l.Physical() {
				return nil, &lang.Diagnostic{Rule: "scenario", Range: ev.Range,
					Summary: fmt.Sprintf("scenario %s: %s is inside a managed service and has no bandwidth to set", s.sc.Name, t.Name),
					Hint:    "set the bandwidth of a channel, a connection, an Interconnect or a last mile"}
			}
			if !ok {
				var names []string
				for name := range n.members {
					names = append(names, name)
				}
				return nil, unknown("link", names)
			}
			members = []*Member{m.m}
		case lang.TargetChannel:
			l, ok := n.linkNamed[t.Name]
			if !ok || !l.Physical() {
				return nil, unknown("channel or connection", physicalNames(n))
			}
			members = l.Members
		case lang.TargetInterconnect, lang.TargetLastMile:
			links, ok := n.Groups[t.Name]
			if !ok {
				var names []string
				for g := range n.Groups {
					names = append(names, g)
				}
				return nil, unknown(string(t.Kind), names)
			}
			for _, l := range links {
				members = append(members, l.Members...)
			}
		}
		return func() string {
			for _, m := range members {
				m.Capacity = bw / float64(len(members))
			}
			return fmt.Sprintf("set bandwidth of %s %s to %s", t.Kind, t.Name, stdlib.Bandwidth(ev.Bandwidth))
		}, nil
	case lang.ActionAdvertise:
		l, ok := n.linkNamed[t.Name]
		if !ok || !l.Physical() {
			return nil, unknown("channel or connection", physicalNames(n))
		}
		var far *speaker
		for _, se := range s.sessions {
			if se.link == l {
				far = se.ends[1]
			}
		}
		if far == nil || ev.Advertise == nil {
			return nil, &lang.Diagnostic{Rule: "scenario", Range: ev.Range, Summary: fmt.Sprintf("scenario %s: %s carries no BGP session", s.sc.Name, t.Name)}
		}
		a := *ev.Advertise
		return func() string {
			far.setPolicy(a)
			return fmt.Sprintf("%s now advertises over %s %s", far, t.Name, describePolicy(a))
		}, nil
	case lang.ActionMaintenance:
		devs := n.devicesNamed(t.Name)
		if len(devs) == 0 {
			return nil, unknown("device", deviceNames(n))
		}
		return func() string {
			var out []string
			for _, d := range devs {
				out = append(out, s.startMaintenance(d, ev))
			}
			return strings.Join(out, "; ")
		}, nil
	}
	return nil, &lang.Diagnostic{Rule: "scenario", Range: ev.Range, Summary: fmt.Sprintf("scenario %s: cannot %s a %s", s.sc.Name, ev.Action, t.Kind)}
}

// setCause adds or removes one reason for being down.
func setCause(down *[]string, cause string, fail bool) string {
	if fail {
		if slices.Contains(*down, cause) {
			return "already failed"
		}
		*down = append(*down, cause)
		return "down"
	}
	i := slices.Index(*down, cause)
	if i < 0 {
		return "was not failed"
	}
	*down = slices.Delete(*down, i, i+1)
	if len(*down) > 0 {
		return "still down (" + strings.Join(*down, ", ") + ")"
	}
	return "up"
}

func setMembers(ms []*Member, cause string, fail bool) string {
	changed, want, word := 0, "up", "restored"
	if fail {
		want, word = "down", "failed"
	}
	for _, m := range ms {
		if setCause(&m.down, cause, fail) == want {
			changed++
		}
	}
	if changed == 0 && !fail {
		return fmt.Sprintf("none of %d member links was failed", len(ms))
	}
	return fmt.Sprintf("%d of %d member links %s", changed, len(ms), word)
}

// devicesNamed is the device of that name, or every edge of a Cloud WAN
// core network named by its reference ("core_network.global").
func (n *Network) devicesNamed(name string) []*Device {
	if d, ok := n.byName[name]; ok {
		return []*Device{d}
	}
	var out []*Device
	for _, d := range n.Devices {
		if d.Role == RoleCloudWAN && strings.HasPrefix(d.Name, name+"/") {
			out = append(out, d)
		}
	}
	return out
}

func physicalNames(n *Network) []string {
	var out []string
	for _, l := range n.Links {
		if l.Physical() {
			out = append(out, l.Name)
		}
	}
	return out
}

func deviceNames(n *Network) []string {
	out := make([]string, len(n.Devices))
	for i, d := range n.Devices {
		out[i] = d.Name
	}
	return out
}

// startMaintenance takes a device out of service for the window, and
// checks the open specification's rule: devices of one Interconnect are
// never in scheduled maintenance at the same time.
func (s *sim) startMaintenance(d *Device, ev lang.Event) string {
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
	for _, se := range s.sessions {
		for _, sp := range se.ends {
			if sp.iface.Dev == d && sp.state == stEstablished {
				sp.down("maintenance: administrative shutdown, NOTIFICATION Cease/2 sent", &notify{6, 2})
			}
		}
	}
	d.maintenance++
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

package mka

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patchbay/planner/plantest"
	"patchbay/sim/engine"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// TestSetRatesSkipsOnlyNoOps: a Set's SetRates, which calls Link.SetRates
// only on links that carry traffic or are busy, leaves a run exactly as
// calling it on every link does. Four channels under GCM-AES-128, whose
// rates change every few seconds, each at times to zero, rekey by packet
// number several times and exhaust an SA once; the timeline, the events
// fired and every link's state at the end must be the same both ways.
func TestSetRatesSkipsOnlyNoOps(t *testing.T) {
	run := func(everyLink bool) (string, uint64) {
		var out []string
		var s *Set
		var e *engine.Engine
		var last *time.Duration
		env := Env{
			Control: func(msg string) { out = append(out, fmt.Sprint(e.Now(), " ", msg)) },
			Advance: func() {
				if dt := (e.Now() - *last).Seconds(); dt > 0 {
					s.Advance(dt)
					*last = e.Now()
				}
			},
			RoutingChanged: func(string) {},
			PortDown:       func(int, string) {},
			Finding:        func(rule, msg, _ string) { out = append(out, fmt.Sprint(e.Now(), " ", rule, " ", msg)) },
		}
		s, e, last = oneInterconnect(t, env)
		s.Start()
		r := engine.New(7).Rand()
		rates := map[*network.Link][2]float64{}
		for step := 0; step < 60; step++ {
			if err := e.Run(e.Now() + time.Duration(1+r.IntN(5))*time.Second); err != nil {
				t.Fatal(err)
			}
			env.Advance()
			sl := s.links[r.IntN(len(s.links))]
			if r.IntN(3) == 0 {
				delete(rates, sl.link)
			} else {
				rates[sl.link] = [2]float64{float64(r.IntN(4)) * 4e7, float64(r.IntN(4)) * 4e7}
			}
			if everyLink {
				for _, x := range s.links {
					x.SetRates(rates[x.link])
				}
			} else {
				s.SetRates(rates)
			}
		}
		for _, sl := range s.links {
			st := sl.Status()
			out = append(out, fmt.Sprintf("%s secured %v rekeys %d pn %v rekey at %v pending %v", st.Name, st.Secured, st.Rekeys, st.PN,
				sl.rekey.When(), sl.rekey.Pending()))
		}
		return fmt.Sprintln(out), e.Fired()
	}
	every, firedEvery := run(true)
	some, firedSome := run(false)
	if every != some || firedEvery != firedSome {
		t.Fatalf("calling SetRates on every link:\n%s(%d events)\nonly where it may do something:\n%s(%d events)", every, firedEvery, some, firedSome)
	}
	for _, want := range []string{"rekey 3", "reached"} {
		if !strings.Contains(every, want) {
			t.Errorf("the run has no %q: it does not test what it should\n%s", want, every)
		}
	}
}

// A link with no traffic whose packet number reaches the rekey threshold
// all the same (control packets, one at a time) is busy again: the next
// SetRates schedules its rekey.
func TestControlPacketsAtTheThresholdStirTheLink(t *testing.T) {
	env := Env{Control: func(string) {}, Advance: func() {}, RoutingChanged: func(string) {}, PortDown: func(int, string) {}, Finding: func(_, _, _ string) {}}
	s, e, _ := oneInterconnect(t, env)
	sl := s.links[0]
	s.Start()
	if err := e.Run(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	s.SetRates(nil)
	if !sl.Secured() || sl.st.busy || sl.rekey.Pending() {
		t.Fatalf("after 10 s: secured %v, busy %v, rekey pending %v; want a secured, quiet link", sl.Secured(), sl.st.busy, sl.rekey.Pending())
	}
	sl.pn[0] = float64(sl.suite.RekeyThreshold()) - 1
	if sent, accepted := sl.Deliver(0); !sent || !accepted {
		t.Fatal("the packet did not cross")
	}
	s.SetRates(nil)
	if !sl.rekey.Pending() {
		t.Fatal("a PN at the threshold scheduled no rekey")
	}
}

// oneInterconnect is a Set over the four channels of plantest's
// OneInterconnect, each under GCM-AES-128 (whose rekey threshold traffic
// reaches in seconds), on a clock of its own, with env's callbacks;
// last is when env's Advance last integrated the traffic.
func oneInterconnect(t *testing.T, env Env) (s *Set, e *engine.Engine, last *time.Duration) {
	n, err := network.New(plantest.Source(t, plantest.OneInterconnect))
	if err != nil {
		t.Fatal(err)
	}
	e, last = engine.New(1), new(time.Duration)
	s = NewSet(e, last, nil)
	for i, l := range n.Links {
		if l.Kind == "channel" {
			s.Add(env, Config{Name: l.Name, Mode: stdlib.MustEncrypt, Cipher: "GCM-AES-128", Link: l,
				Ifaces: [2]*network.Iface{l.A, l.B}, MACs: [2][6]byte{{2, 0, 0, 0, byte(i), 1}, {2, 0, 0, 0, byte(i), 2}}})
		}
	}
	if len(s.links) != 4 {
		t.Fatalf("%d channels, want 4", len(s.links))
	}
	return s, e, last
}

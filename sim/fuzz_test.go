package sim

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// FuzzScenarioEvents runs random sequences of failures, restores,
// bandwidth changes and maintenance on the last-mile and multicloud
// examples and checks what must always hold: no link carries more than
// its capacity, every flow's delivered and lost traffic add up to its
// demand, and a second run gives the same trace.
func FuzzScenarioEvents(f *testing.F) {
	f.Add([]byte{10, 0, 3, 20, 1, 3})
	f.Add([]byte{5, 2, 0, 6, 2, 1, 7, 3, 9, 30, 1, 0})
	f.Add([]byte{1, 4, 12, 2, 0, 40, 3, 5, 7})
	files := []string{"../examples/multicloud.star", "../examples/last_mile.star"}
	plans := make(map[string]*simFixture, len(files))
	for _, file := range files {
		p := plantest.File(f, file)
		n, err := network.Build(p)
		if err != nil {
			f.Fatal(err)
		}
		fx := &simFixture{file: file}
		for name := range n.Facilities {
			fx.targets = append(fx.targets, lang.Target{Kind: lang.TargetFacility, Name: name})
		}
		for _, name := range n.MemberNames() {
			fx.targets = append(fx.targets, lang.Target{Kind: lang.TargetLink, Name: name})
		}
		for _, l := range n.Links {
			if l.Physical() {
				fx.targets = append(fx.targets, lang.Target{Kind: lang.TargetChannel, Name: l.Name})
			}
		}
		for _, d := range n.Devices {
			fx.targets = append(fx.targets, lang.Target{Kind: lang.TargetDevice, Name: d.Name})
		}
		slices.SortFunc(fx.targets, func(a, b lang.Target) int {
			if a.Kind != b.Kind {
				return cmp.Compare(string(a.Kind), string(b.Kind))
			}
			return cmp.Compare(a.Name, b.Name)
		})
		for _, n := range p.Design.Networks() {
			fx.nets = append(fx.nets, n.Ref())
		}
		plans[file] = fx
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 || len(data) > 60 {
			return
		}
		fx := plans[files[int(data[0])%len(files)]]
		p := plantest.File(t, fx.file)
		sc := &lang.Scenario{Meta: lang.Meta{Name: "fuzz"}, Duration: 5 * time.Minute}
		for i, a := range fx.nets {
			for j, b := range fx.nets {
				if i != j {
					sc.Flows = append(sc.Flows, lang.Flow{Name: a.Name + ">" + b.Name, From: a, To: b,
						Rate: stdlib.Bandwidth(uint64(1+int(data[0])%7) * 1e9), PacketSize: 1500})
				}
			}
		}
		sc.Probes = []lang.Probe{{Name: "p", From: fx.nets[0], To: fx.nets[len(fx.nets)-1], Interval: time.Second, PacketSize: 64}}
		for i := 0; i+2 < len(data); i += 3 {
			ev := lang.Event{At: time.Duration(data[i]) * time.Second, Target: fx.targets[int(data[i+2])%len(fx.targets)]}
			switch data[i+1] % 4 {
			case 0:
				ev.Action = lang.ActionFail
			case 1:
				ev.Action = lang.ActionRestore
			case 2:
				ev.Action, ev.Duration = lang.ActionMaintenance, time.Duration(1+data[i+1])*time.Second
				ev.Target.Kind = lang.TargetDevice
				ev.Target.Name = fx.targets[len(fx.targets)-1-int(data[i+2])%len(fx.targets)].Name
				if _, ok := plansDevice(fx, ev.Target.Name); !ok {
					continue
				}
			case 3:
				if ev.Target.Kind == lang.TargetFacility || ev.Target.Kind == lang.TargetDevice {
					continue
				}
				ev.Action, ev.Bandwidth = lang.ActionSetBandwidth, stdlib.Bandwidth(uint64(data[i+1])*1e8+1e6)
			}
			sc.Events = append(sc.Events, ev)
		}
		slices.SortStableFunc(sc.Events, func(a, b lang.Event) int { return int(a.At - b.At) })
		s, err := Start(p, sc, Options{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range sc.Events {
			s.e.Run(ev.At)
			for d, l := range s.load {
				if c := d.Link.Capacity(); l > c*(1+1e-9)+1e-3 {
					t.Fatalf("at %v %s carries %v over its capacity %v", ev.At, d.Link.Name, l, c)
				}
			}
		}
		s.e.Run(sc.Duration)
		s.finish()
		for _, fl := range s.out.Flows {
			lost := int64(0)
			for _, v := range fl.LostBytes {
				lost += v
			}
			if fl.DeliveredBytes > fl.DemandBytes || math.Abs(float64(fl.DeliveredBytes+lost-fl.DemandBytes)) > 4 {
				t.Fatalf("flow %s: delivered %d + lost %d != demand %d", fl.Name, fl.DeliveredBytes, lost, fl.DemandBytes)
			}
		}
		var a, b bytes.Buffer
		_ = s.out.WriteJSON(&a)
		again, err := run(plantest.File(t, fx.file), sc, Options{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		_ = again.WriteJSON(&b)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("two runs of one scenario differ")
		}
	})
}

type simFixture struct {
	file    string
	targets []lang.Target
	nets    []lang.Ref
}

func plansDevice(fx *simFixture, name string) (lang.Target, bool) {
	for _, t := range fx.targets {
		if t.Kind == lang.TargetDevice && t.Name == name {
			return t, true
		}
	}
	return lang.Target{}, false
}

package lang

import (
	"time"

	"patchbay/stdlib"
)

// KindScenario is a simulation scenario: traffic, probes and timed events
// run against the design by `patchbay sim`.
const KindScenario Kind = "scenario"

// Scenario is a timed run of the design. It declares no infrastructure; the
// planner resolves its targets against the derived names (facilities,
// channels, devices) and its flows and probes against the networks.
type Scenario struct {
	Meta
	Duration time.Duration `json:"duration"`
	Flows    []Flow        `json:"flows"`
	Probes   []Probe       `json:"probes"`
	Events   []Event       `json:"events"`
}

func (s *Scenario) Ref() Ref { return Ref{KindScenario, s.Name} }

// Flow is steady traffic from one network to another: a fluid aggregate of
// many connections at Rate, made of packets of PacketSize bytes (the IP
// packet, headers included). It runs from Start until Stop (0: the end).
type Flow struct {
	Name       string           `json:"name"`
	From       Ref              `json:"source"`
	To         Ref              `json:"destination"`
	Rate       stdlib.Bandwidth `json:"rate"`
	PacketSize int              `json:"packet_size"`
	Start      time.Duration    `json:"start"`
	Stop       time.Duration    `json:"stop,omitempty"`
	Range      Range            `json:"source_range"`
}

// Probe sends a probe packet from one network to another every Interval and
// times its round trip, as Network Synthetic Monitor does.
type Probe struct {
	Name       string        `json:"name"`
	From       Ref           `json:"source"`
	To         Ref           `json:"destination"`
	Interval   time.Duration `json:"interval"`
	PacketSize int           `json:"packet_size"`
	Range      Range         `json:"source_range"`
}

// EventAction is what a scenario event does.
type EventAction string

const (
	ActionFail         EventAction = "fail"
	ActionRestore      EventAction = "restore"
	ActionSetBandwidth EventAction = "set_bandwidth"
	ActionMaintenance  EventAction = "maintenance"
	// ActionAdvertise changes what the far side of a channel or last-mile
	// connection (the customer's or the partner cloud's router) advertises
	// to AWS over BGP from then on.
	ActionAdvertise EventAction = "advertise"
	// ActionRotateKey: a channel's MACsec manager installs a new CAK/CKN
	// on both ends and MKA moves to it; the previous key stays installed
	// until removed (at most two keys per channel).
	ActionRotateKey EventAction = "rotate_key"
	// ActionRemoveKey deletes a key of a channel: "previous" (allowed) or
	// "active" (refused: an active key cannot be deleted).
	ActionRemoveKey EventAction = "remove_key"
	// ActionMismatchKey makes the far end's key differ from the AWS end's,
	// as a misconfiguration would: its CKN ("ckn") or its CAK ("cak").
	ActionMismatchKey EventAction = "mismatch_key"
)

// TargetKind says what an event acts on.
type TargetKind string

const (
	TargetLink         TargetKind = "link"         // one physical member link ("aws-gcp-use1/ch1/m1")
	TargetChannel      TargetKind = "channel"      // an Interconnect channel or a last-mile connection ("aws-gcp-use1/ch1", "hq/conn1")
	TargetFacility     TargetKind = "facility"     // every link in a facility or partner location ("us-east-1/fac-a")
	TargetDevice       TargetKind = "device"       // a router or gateway ("us-east-1/fac-a/aws-r1", "transit_gateway.hub")
	TargetInterconnect TargetKind = "interconnect" // all channels of an Interconnect (set_bandwidth)
	TargetLastMile     TargetKind = "last_mile"    // all connections of a last mile (set_bandwidth)
)

// Target names what an event acts on. Names are the plan's derived names;
// the planner reports an unknown one with the event's range.
type Target struct {
	Kind TargetKind `json:"kind"`
	Name string     `json:"name"`
}

// Event is one timed action of a scenario.
type Event struct {
	At        time.Duration    `json:"at"`
	Action    EventAction      `json:"action"`
	Target    Target           `json:"target"`
	Bandwidth stdlib.Bandwidth `json:"bandwidth,omitzero"` // set_bandwidth
	Duration  time.Duration    `json:"duration,omitempty"` // maintenance: how long the device is out
	// Advertise is the new export policy (advertise events only).
	Advertise *Advertise `json:"advertise,omitempty"`
	// By is who acts on a key (rotate_key): "aws" or the peer provider
	// ("gcp"), or "customer" on a last-mile connection.
	By string `json:"by,omitempty"`
	// Key is which key remove_key deletes ("previous" or "active"), or what
	// mismatch_key changes ("ckn" or "cak").
	Key   string `json:"key,omitempty"`
	Range Range  `json:"source_range"`
}

// Advertise is the export policy of the non-AWS end of a channel or
// connection: what it prepends and tags, and how many extra prefixes it
// announces (a prefix flood, to exercise AWS's per-session limit).
type Advertise struct {
	Prepend       int      `json:"prepend"`                 // extra copies of the router's own ASN, 0-10
	Communities   []string `json:"communities,omitempty"`   // "ASN:VALUE", e.g. "7224:7300"
	MED           uint32   `json:"med,omitempty"`           // MULTI_EXIT_DISC, 0 when unset
	ExtraPrefixes int      `json:"extra_prefixes,omitzero"` // /24s from 198.18.0.0/15 announced besides the network's own
}

// KindObjective is a service objective the sweep checks every failure
// against.
const KindObjective Kind = "objective"

// Objective is what traffic between two networks must keep through any
// single failure: at most MaxBlackout without delivery, and at least
// MinBandwidth once routing has settled. Zero means no bound.
//
// From and To are "from" and "to" in JSON, as a monitor's are: "source" is
// Meta's, where the objective is declared.
type Objective struct {
	Meta
	From         Ref              `json:"from"`
	To           Ref              `json:"to"`
	MaxBlackout  time.Duration    `json:"max_blackout,omitempty"`
	MinBandwidth stdlib.Bandwidth `json:"min_bandwidth,omitzero"`
	// NoBlackout is max_blackout = "0s": delivery must never stop. It is a
	// field of its own because a zero MaxBlackout already means no bound.
	NoBlackout bool `json:"no_blackout,omitempty"`
}

func (o *Objective) Ref() Ref { return Ref{KindObjective, o.Name} }

package lang

import (
	"fmt"
	"slices"
)

// Design is everything a script declared, in declaration order per kind.
// Front-ends build it through Add, which keeps names unique per kind.
type Design struct {
	// The JSON names are the kinds; NewDesign makes every list non-nil so
	// consumers see [] for kinds a design does not use.
	VPCs            []*VPC            `json:"vpc"`
	RouteTables     []*RouteTable     `json:"route_table"`
	GCPVPCs         []*GCPVPC         `json:"gcp_vpc"`
	Sites           []*Site           `json:"site"`
	VPNGateways     []*VPNGateway     `json:"vpn_gateway"`
	DXGateways      []*DXGateway      `json:"dx_gateway"`
	TransitGateways []*TransitGateway `json:"transit_gateway"`
	TGWRouteTables  []*TGWRouteTable  `json:"tgw_route_table"`
	CoreNetworks    []*CoreNetwork    `json:"core_network"`
	Attachments     []*Attachment     `json:"attachment"`
	Interconnects   []*Interconnect   `json:"interconnect"`
	LastMiles       []*LastMile       `json:"last_mile"`
	Monitors        []*Monitor        `json:"monitor"`
	Scenarios       []*Scenario       `json:"scenario"`
	Objectives      []*Objective      `json:"objective"`

	// Files holds the source of every file read, for diagnostics.
	Files Sources `json:"-"`

	// index finds a resource by kind, then name: a map keyed by name
	// alone hashes and compares one string, not two, and designs look
	// resources up by the hundred thousand.
	index map[Kind]map[string]Resource
	count int
}

// NewDesign returns an empty design.
func NewDesign() *Design {
	return &Design{
		VPCs: []*VPC{}, RouteTables: []*RouteTable{}, GCPVPCs: []*GCPVPC{}, Sites: []*Site{},
		VPNGateways: []*VPNGateway{}, DXGateways: []*DXGateway{}, TransitGateways: []*TransitGateway{},
		TGWRouteTables: []*TGWRouteTable{}, CoreNetworks: []*CoreNetwork{}, Attachments: []*Attachment{},
		Interconnects: []*Interconnect{}, LastMiles: []*LastMile{}, Monitors: []*Monitor{}, Scenarios: []*Scenario{}, Objectives: []*Objective{},
		Files: Sources{}, index: map[Kind]map[string]Resource{},
	}
}

// Lookup returns the resource r names.
func (d *Design) Lookup(r Ref) (Resource, bool) {
	x, ok := d.index[r.Kind][r.Name]
	return x, ok
}

// Len is the number of resources.
func (d *Design) Len() int { return d.count }

// Add appends a resource. A second resource of the same kind and name is an
// error pointing at both declarations.
func (d *Design) Add(r Resource) error {
	ref := r.Ref()
	byName := d.index[ref.Kind]
	if byName == nil {
		byName = map[string]Resource{}
		d.index[ref.Kind] = byName
	}
	// One hash of the name, not two: store, and see whether the map grew.
	n := len(byName)
	byName[ref.Name] = r
	if len(byName) == n {
		// A second declaration: the first goes back, found the slow way.
		prev := r // unless another has the name, r itself was added before
		for _, x := range d.All() {
			if x != r && x.Ref() == ref {
				prev = x
				break
			}
		}
		byName[ref.Name] = prev
		return Diagnostic{
			Severity: SevError,
			Rule:     "duplicate",
			Summary:  fmt.Sprintf("%s %q is declared twice", ref.Kind, ref.Name),
			Range:    r.Source(),
			Related:  []Related{{Range: prev.Source(), Message: "first declared here"}},
			Hint:     "give each " + string(ref.Kind) + " a unique name",
		}
	}
	r.setSeq(d.count)
	d.count++
	switch x := r.(type) {
	case *VPC:
		d.VPCs = append(d.VPCs, x)
	case *RouteTable:
		d.RouteTables = append(d.RouteTables, x)
	case *GCPVPC:
		d.GCPVPCs = append(d.GCPVPCs, x)
	case *Site:
		d.Sites = append(d.Sites, x)
	case *VPNGateway:
		d.VPNGateways = append(d.VPNGateways, x)
	case *DXGateway:
		d.DXGateways = append(d.DXGateways, x)
	case *TransitGateway:
		d.TransitGateways = append(d.TransitGateways, x)
	case *TGWRouteTable:
		d.TGWRouteTables = append(d.TGWRouteTables, x)
	case *CoreNetwork:
		d.CoreNetworks = append(d.CoreNetworks, x)
	case *Attachment:
		d.Attachments = append(d.Attachments, x)
	case *Interconnect:
		d.Interconnects = append(d.Interconnects, x)
	case *LastMile:
		d.LastMiles = append(d.LastMiles, x)
	case *Monitor:
		d.Monitors = append(d.Monitors, x)
	case *Scenario:
		d.Scenarios = append(d.Scenarios, x)
	case *Objective:
		d.Objectives = append(d.Objectives, x)
	default:
		delete(byName, ref.Name)
		d.count--
		return fmt.Errorf("lang: unknown resource type %T", r)
	}
	return nil
}

// All returns every resource, kinds in the order of Kinds, each kind in
// declaration order.
func (d *Design) All() []Resource {
	out := make([]Resource, 0, d.count)
	out = appendAll(out, d.VPCs)
	out = appendAll(out, d.RouteTables)
	out = appendAll(out, d.GCPVPCs)
	out = appendAll(out, d.Sites)
	out = appendAll(out, d.VPNGateways)
	out = appendAll(out, d.DXGateways)
	out = appendAll(out, d.TransitGateways)
	out = appendAll(out, d.TGWRouteTables)
	out = appendAll(out, d.CoreNetworks)
	out = appendAll(out, d.Attachments)
	out = appendAll(out, d.Interconnects)
	out = appendAll(out, d.LastMiles)
	out = appendAll(out, d.Monitors)
	out = appendAll(out, d.Scenarios)
	out = appendAll(out, d.Objectives)
	return out
}

func appendAll[T Resource](out []Resource, xs []T) []Resource {
	for _, x := range xs {
		out = append(out, x)
	}
	return out
}

// Networks returns the address-owning resources.
func (d *Design) Networks() []Network {
	out := make([]Network, 0, len(d.VPCs)+len(d.GCPVPCs)+len(d.Sites))
	for _, v := range d.VPCs {
		out = append(out, v)
	}
	for _, v := range d.GCPVPCs {
		out = append(out, v)
	}
	for _, s := range d.Sites {
		out = append(out, s)
	}
	return out
}

// Counts returns how many resources of each kind the design has, for kinds present.
func (d *Design) Counts() map[Kind]int {
	m := map[Kind]int{}
	for k, byName := range d.index {
		if len(byName) > 0 {
			m[k] = len(byName)
		}
	}
	return m
}

// SortedKinds returns the kinds present, in report order.
func (d *Design) SortedKinds() []Kind {
	c := d.Counts()
	return slices.DeleteFunc(slices.Clone(Kinds), func(k Kind) bool { return c[k] == 0 })
}

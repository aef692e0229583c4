// Package network is the simulator's network without its protocols:
// devices, links (physical ones LAGs of members, in facilities),
// interfaces, endpoints and the VRFs of route tables, instantiated one for
// one from the planner's topology (planner.Plan.Topology) by New and
// Build, with the planner's IDs. It holds no routing rule of its own:
// Converge runs the planner's route selection and propagation, with the
// attributes BGP carries, prefix by prefix to a fixed point as links fail
// and sessions change. Paths follows the forwarding tables from one
// endpoint to another (ECMP splits or a flow hash, MTU, drop causes) and
// Trace gives that in the planner's trace form; Share divides link
// capacity max-min fairly among fluid flows.
//
// It knows no protocol. BGP plugs in through Network.Learn, which makes a
// session's learning end a Feed (SetEstablished, Receive), and
// Network.AddExporter, which tells a speaker's Exporter when a table's
// route changes; MACsec through a Gate (Link.SetGate), which the network
// asks whether a link's traffic may cross and whether it is encrypted.
package network

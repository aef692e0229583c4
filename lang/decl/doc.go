package decl

import "strings"

// ParamDoc documents one parameter of a builtin.
type ParamDoc struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
	Default  string `json:"default,omitempty"`
	Doc      string `json:"doc,omitempty"`
}

// BuiltinDoc documents one builtin, from the same table that checks its arguments.
type BuiltinDoc struct {
	Name    string     `json:"name"`
	Summary string     `json:"summary"`
	Returns string     `json:"returns"`
	Params  []ParamDoc `json:"params"`
}

// Signature is the call form, e.g. vpc(name, region, cidr, ipv6_cidr = None, mtu = 9001).
func (b BuiltinDoc) Signature() string {
	parts := make([]string, len(b.Params))
	for i, p := range b.Params {
		switch {
		case strings.HasSuffix(p.Type, "..."):
			parts[i] = "*" + p.Name
		case p.Required:
			parts[i] = p.Name
		default:
			parts[i] = p.Name + " = " + p.Default
		}
	}
	return b.Name + "(" + strings.Join(parts, ", ") + ")"
}

// Builtins documents every builtin the language adds, in reference order.
func Builtins() []BuiltinDoc {
	out := make([]BuiltinDoc, len(builtins))
	for i, fn := range builtins {
		d := BuiltinDoc{Name: fn.name, Summary: fn.summary, Returns: fn.returns, Params: []ParamDoc{}}
		for _, p := range fn.params {
			d.Params = append(d.Params, ParamDoc{Name: p.name, Type: p.typ, Required: p.required, Default: p.def, Doc: p.doc})
		}
		out[i] = d
	}
	return out
}

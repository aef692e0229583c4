package starlark

import "go.starlark.net/syntax"

// guardOperators rewrites, before the file is resolved and compiled, every
// x + y, x * y and x % y into a call of a guard builtin that checks the size
// of the result against the memory budget first (go.starlark.net evaluates
// these operators inline, with no hook). The call sits at the operator's
// position, where go.starlark.net reports a failing operator, so messages
// keep their place. An augmented assignment x op= y keeps its own
// semantics (list += extends in place) and gets y through a guard that
// checks x op y and returns y; x is evaluated twice only when it is a
// plain name. The string methods that build a string are guarded too.
func guardOperators(f *syntax.File) {
	for _, s := range f.Stmts {
		rewriteStmt(s)
	}
}

func guardCall(name string, pos syntax.Position, x, y syntax.Expr) *syntax.CallExpr {
	return &syntax.CallExpr{Fn: &syntax.Ident{NamePos: pos, Name: name}, Lparen: pos, Args: []syntax.Expr{x, y}, Rparen: pos}
}

func rewriteStmts(ss []syntax.Stmt) {
	for _, s := range ss {
		rewriteStmt(s)
	}
}

func rewriteStmt(s syntax.Stmt) {
	switch s := s.(type) {
	case *syntax.AssignStmt:
		s.LHS = rewriteExpr(s.LHS)
		s.RHS = rewriteExpr(s.RHS)
		var guard string
		switch s.Op {
		case syntax.PLUS_EQ:
			guard = guardIAdd
		case syntax.STAR_EQ:
			guard = guardIMul
		case syntax.PERCENT_EQ:
			guard = guardIMod
		default:
			return
		}
		// The guard needs x's value. x is evaluated a second time only when
		// that cannot be told apart: a name, or an index or attribute of
		// such an expression with no call in it (a[i], o.f, a[0][k]).
		// Otherwise (a[f()] op= y) x stays unseen rather than have f
		// called twice, and the heap watch is the only check.
		var x syntax.Expr = &syntax.Ident{NamePos: s.OpPos, Name: "None"}
		if c, ok := pureCopy(s.LHS); ok {
			x = c
		}
		s.RHS = guardCall(guard, s.OpPos, x, s.RHS)
	case *syntax.DefStmt:
		s.Params = rewriteExprs(s.Params)
		rewriteStmts(s.Body)
	case *syntax.ExprStmt:
		s.X = rewriteExpr(s.X)
	case *syntax.ForStmt:
		s.Vars = rewriteExpr(s.Vars)
		s.X = rewriteExpr(s.X)
		rewriteStmts(s.Body)
	case *syntax.WhileStmt:
		s.Cond = rewriteExpr(s.Cond)
		rewriteStmts(s.Body)
	case *syntax.IfStmt:
		s.Cond = rewriteExpr(s.Cond)
		rewriteStmts(s.True)
		rewriteStmts(s.False)
	case *syntax.ReturnStmt:
		if s.Result != nil {
			s.Result = rewriteExpr(s.Result)
		}
	}
}

func rewriteExprs(es []syntax.Expr) []syntax.Expr {
	for i, e := range es {
		es[i] = rewriteExpr(e)
	}
	return es
}

func rewriteExpr(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case nil:
		return nil
	case *syntax.BinaryExpr:
		e.X = rewriteExpr(e.X)
		e.Y = rewriteExpr(e.Y)
		switch e.Op {
		case syntax.PLUS:
			return guardCall(guardAdd, e.OpPos, e.X, e.Y)
		case syntax.STAR:
			return guardCall(guardMul, e.OpPos, e.X, e.Y)
		case syntax.PERCENT:
			return guardCall(guardMod, e.OpPos, e.X, e.Y)
		}
	case *syntax.CallExpr:
		e.Fn = rewriteExpr(e.Fn)
		e.Args = rewriteExprs(e.Args)
		// s.join(…), s.format(…), s.replace(…) build strings in one go:
		// the guard gets the bound method first and checks the result's
		// size before calling it.
		if d, ok := e.Fn.(*syntax.DotExpr); ok && (d.Name.Name == "join" || d.Name.Name == "format" || d.Name.Name == "replace") {
			start, _ := d.Span() // where the call's range starts, as before
			e.Args = append([]syntax.Expr{e.Fn}, e.Args...)
			e.Fn = &syntax.Ident{NamePos: start, Name: guardMethod}
		}
	case *syntax.Comprehension:
		e.Body = rewriteExpr(e.Body)
		for _, c := range e.Clauses {
			switch c := c.(type) {
			case *syntax.ForClause:
				c.Vars = rewriteExpr(c.Vars)
				c.X = rewriteExpr(c.X)
			case *syntax.IfClause:
				c.Cond = rewriteExpr(c.Cond)
			}
		}
	case *syntax.CondExpr:
		e.Cond = rewriteExpr(e.Cond)
		e.True = rewriteExpr(e.True)
		e.False = rewriteExpr(e.False)
	case *syntax.DictEntry:
		e.Key = rewriteExpr(e.Key)
		e.Value = rewriteExpr(e.Value)
	case *syntax.DictExpr:
		e.List = rewriteExprs(e.List)
	case *syntax.DotExpr:
		e.X = rewriteExpr(e.X)
	case *syntax.IndexExpr:
		e.X = rewriteExpr(e.X)
		e.Y = rewriteExpr(e.Y)
	case *syntax.LambdaExpr:
		e.Params = rewriteExprs(e.Params)
		e.Body = rewriteExpr(e.Body)
	case *syntax.ListExpr:
		e.List = rewriteExprs(e.List)
	case *syntax.ParenExpr:
		e.X = rewriteExpr(e.X)
	case *syntax.SliceExpr:
		e.X = rewriteExpr(e.X)
		e.Lo = rewriteExpr(e.Lo)
		e.Hi = rewriteExpr(e.Hi)
		e.Step = rewriteExpr(e.Step)
	case *syntax.TupleExpr:
		e.List = rewriteExprs(e.List)
	case *syntax.UnaryExpr:
		e.X = rewriteExpr(e.X)
	}
	return e
}

// pureCopy copies an expression made only of names, literals, attribute
// selections and indexing, which can be evaluated twice with the same
// result and no effect; ok is false for anything else (a call, a
// comprehension, an operator).
func pureCopy(e syntax.Expr) (syntax.Expr, bool) {
	switch e := e.(type) {
	case *syntax.Ident:
		return &syntax.Ident{NamePos: e.NamePos, Name: e.Name}, true
	case *syntax.Literal:
		c := *e
		return &c, true
	case *syntax.DotExpr:
		x, ok := pureCopy(e.X)
		if !ok {
			return nil, false
		}
		return &syntax.DotExpr{X: x, Dot: e.Dot, NamePos: e.NamePos, Name: &syntax.Ident{NamePos: e.Name.NamePos, Name: e.Name.Name}}, true
	case *syntax.IndexExpr:
		x, ok := pureCopy(e.X)
		if !ok {
			return nil, false
		}
		y, ok := pureCopy(e.Y)
		if !ok {
			return nil, false
		}
		return &syntax.IndexExpr{X: x, Lbrack: e.Lbrack, Y: y, Rbrack: e.Rbrack}, true
	case *syntax.ParenExpr:
		return pureCopy(e.X)
	}
	return nil, false
}

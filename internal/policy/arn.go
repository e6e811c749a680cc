package policy

import "strings"

// arnFields is the number of colon-separated fields of an ARN:
// arn:partition:service:region:account:resource. The resource field keeps
// any further colons.
const arnFields = 6

// arnPattern is a compiled Resource entry or ArnLike value.
//
// Matching follows
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html:
// it is case-sensitive and goes field by field; * and ? work inside any
// field but the service field, where they are literal characters; * in the
// resource field matches any characters including / and :; and a pattern
// whose last field ends in * and that has fewer than six fields lets that *
// run over the colons of the remaining fields (arn:aws:lambda:* matches every
// Lambda ARN). A pattern that is not an ARN ("*") is matched as a whole.
type arnPattern struct {
	any      bool
	isARN    bool
	whole    pattern
	fields   [arnFields]pattern
	n        int
	trailing bool
	// litPrefix is set when the first five fields are literal: the pattern
	// then matches when the ARN starts with it and the resource field
	// matches fields[5].
	litPrefix string
}

func compileARN(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{any: true}
	}
	p := arnPattern{whole: compilePattern(s, true, vars)}
	if !strings.HasPrefix(s, "arn:") {
		return p
	}
	parts := splitPatternFields(s, vars)
	p.isARN, p.n = true, len(parts)
	for i, f := range parts {
		p.fields[i] = compilePattern(f, i != 2, vars)
	}
	if p.n < arnFields && strings.HasSuffix(parts[p.n-1], "*") {
		p.trailing = true
	}
	if p.n == arnFields {
		lit := true
		for i := 0; i < arnFields-1; i++ {
			lit = lit && p.fields[i].exact && len(p.fields[i].toks) <= 1
		}
		if lit {
			p.litPrefix = strings.Join(parts[:arnFields-1], ":") + ":"
		}
	}
	return p
}

// splitPatternFields splits an ARN pattern into at most six fields, not
// splitting inside ${…} when vars is set (${aws:username} holds a colon).
func splitPatternFields(s string, vars bool) []string {
	var out []string
	start := 0
	for i := 0; i < len(s) && len(out) < arnFields-1; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				i += end
			}
		case s[i] == ':':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// arnSplit records where the fields of a request ARN start and end.
type arnSplit struct {
	start, end [arnFields]int
	n          int
}

func splitARN(s string) arnSplit {
	var a arnSplit
	start := 0
	for i := 0; i < len(s) && a.n < arnFields-1; i++ {
		if s[i] == ':' {
			a.start[a.n], a.end[a.n] = start, i
			a.n++
			start = i + 1
		}
	}
	a.start[a.n], a.end[a.n] = start, len(s)
	a.n++
	return a
}

func (p *arnPattern) match(s string, ctx *Context) bool {
	if p.any {
		return true
	}
	if !p.isARN {
		return p.whole.match(s, false, ctx)
	}
	if !strings.HasPrefix(s, "arn:") {
		return false
	}
	a := splitARN(s)
	return p.matchSplit(s, &a, ctx)
}

func (p *arnPattern) matchSplit(s string, a *arnSplit, ctx *Context) bool {
	if p.litPrefix != "" {
		return a.n == arnFields && strings.HasPrefix(s, p.litPrefix) && p.fields[arnFields-1].match(s[len(p.litPrefix):], false, ctx)
	}
	if p.n < arnFields && !p.trailing {
		return false
	}
	for i := 0; i < p.n; i++ {
		if i == p.n-1 && p.trailing {
			if i >= a.n {
				return false
			}
			return p.fields[i].match(s[a.start[i]:], false, ctx)
		}
		if i >= a.n {
			return false
		}
		if !p.fields[i].match(s[a.start[i]:a.end[i]], false, ctx) {
			return false
		}
	}
	return a.n == arnFields
}

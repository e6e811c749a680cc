// Package policy implements the AWS IAM policy language: it parses policy
// documents, validates them the way IAM Access Analyzer does, compiles them
// once and evaluates requests against sets of compiled policies without
// allocating.
//
// The package is pure: it does no I/O and keeps no global state.
//
// The flow for authorizing a request is
//
//	doc, err := policy.Parse(text)        // strict parse, precise errors
//	p, err := policy.Compile("name", doc) // precompiled patterns
//	set := &policy.Set{Identity: []*policy.Policy{p}}
//	d := set.Decide(&policy.Request{Action: a, Resource: r, Context: ctx})
//
// Set.Evaluate returns the same decision together with the statements that
// decided it and the condition keys that were absent from the context, which
// is what IAM's SimulateCustomPolicy reports. Validate returns findings in
// the shape of Access Analyzer's ValidatePolicy.
//
// Semantics follow the IAM User Guide; each rule's test cites the page it
// comes from. Where AWS does not document a behaviour, the choice made here
// is stated on the function that implements it.
package policy

// Package bench compares Atrium's policy engine with peer engines on one
// policy and one mix of requests. It is a separate module so that the peers
// never enter the dependencies of Atrium itself; see BENCHMARKS.md.
package bench

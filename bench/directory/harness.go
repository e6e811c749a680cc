package main

import "github.com/atriumhq/atrium/bench/internal/harness"

// The harness's server process and measured phase, by their local names.
type (
	server = harness.Server
	result = harness.Result
)

var (
	measure     = harness.Measure
	percentile  = harness.Percentile
	buildAtrium = harness.BuildAtrium
	startAtrium = harness.StartAtrium
	startMoto   = harness.StartMoto
)

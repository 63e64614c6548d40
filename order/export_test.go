package order

import "time"

// SetMinPoll lowers the shortest poll interval for the external test
// package (latency_bench_test.go): call it before Run.
func SetMinPoll(e *Engine, d time.Duration) { e.minPoll = d }

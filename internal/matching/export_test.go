package matching

// Exports for bench_test.go, which is package matching_test because it
// imports internal/matching/workload (which imports this package).

// RefBook is the naive reference model (reference_test.go).
type RefBook = refBook

// NewRefBook returns an empty reference model.
func NewRefBook(cfg Config) *RefBook { return newRefBook(cfg) }

// Apply runs one command through the reference model.
func (r *refBook) Apply(c Command) []Event { return r.apply(c) }

// Clone deep-copies the reference model.
func (r *refBook) Clone() *RefBook { return r.clone() }

// RaceEnabled reports whether the race detector is on.
const RaceEnabled = raceEnabled

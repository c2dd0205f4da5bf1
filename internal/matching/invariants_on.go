//go:build invariants

package matching

// invariantsEnabled makes Apply check every invariant after every command
// and panic on the first violation. Build with -tags invariants.
const invariantsEnabled = true

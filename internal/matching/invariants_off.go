//go:build !invariants

package matching

// invariantsEnabled is false in normal builds: CheckInvariants is O(book)
// and runs after every command only under the invariants build tag.
const invariantsEnabled = false

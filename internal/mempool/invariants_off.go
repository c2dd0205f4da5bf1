//go:build !invariants

package mempool

// checkInvariants is a no-op in normal builds: verifyInvariants walks the
// whole pool and runs after every change only under the invariants tag.
func (p *Pool) checkInvariants() {}

//go:build invariants

package mempool

// checkInvariants verifies the whole pool after every change and panics on
// the first violation. Build with -tags invariants.
func (p *Pool) checkInvariants() {
	if err := p.verifyInvariants(); err != nil {
		panic(err)
	}
}

package chain

import (
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// What headers-first sync needs from the block index: block locators,
// headers after a locator, and ancestors' timestamps for checking headers
// that are not in the index yet.

// Locator returns a block locator for the indexed block from: its hash and
// its ancestors at exponentially growing distances (as Core: step one until
// eleven hashes, then doubling), ending with genesis. An unknown hash gives
// the active tip's.
func (c *Chain) Locator(from chainhash.Hash) []chainhash.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.index[from]
	if !ok {
		n = c.active[len(c.active)-1]
	}
	return locatorFrom(n)
}

func locatorFrom(n *blockNode) []chainhash.Hash {
	var out []chainhash.Hash
	step := int32(1)
	for n != nil {
		out = append(out, n.hash)
		if n.height == 0 {
			break
		}
		h := max(n.height-step, 0)
		n = n.ancestor(h)
		if len(out) > 10 {
			step *= 2
		}
	}
	return out
}

// FindHeaders returns up to max headers of the active chain following the
// first locator hash that is on it (genesis when none is), stopping after
// stop if it is met.
func (c *Chain) FindHeaders(locator []chainhash.Hash, stop chainhash.Hash, max int) []wire.BlockHeader {
	c.mu.RLock()
	defer c.mu.RUnlock()
	start := int32(0)
	for _, h := range locator {
		if n, ok := c.index[h]; ok && c.inActive(n) {
			start = n.height
			break
		}
	}
	var out []wire.BlockHeader
	for h := start + 1; int(h) < len(c.active) && len(out) < max; h++ {
		n := c.active[h]
		out = append(out, n.header)
		if n.hash == stop {
			break
		}
	}
	return out
}

// AncestorTimes returns the timestamps of the indexed block hash and up to
// n-1 of its ancestors, newest first (nil for an unknown hash).
func (c *Chain) AncestorTimes(hash chainhash.Hash, n int) []uint32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []uint32
	for b := c.index[hash]; b != nil && len(out) < n; b = b.parent {
		out = append(out, b.header.Timestamp)
	}
	return out
}

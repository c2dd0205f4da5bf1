package pow

import "math/big"

// Fixed-point constants of aserti3-2d. The exponent is 64.16 fixed point and
// 2^f for its fractional part f is the cubic
//
//	2^f ~= 1 + 0.695502049712533*f + 0.2262697964*f^2 + 0.0782318*f^3
//
// evaluated in 16.48 fixed point; each coefficient is rounded up to its
// fixed-point scale.
const (
	asertFracBits   = 16
	asertPolyCoeff1 = 195766423245049 // ceil(0.695502049712533 * 2^48)
	asertPolyCoeff2 = 971821376       // ceil(0.2262697964 * 2^32)
	asertPolyCoeff3 = 5127            // ceil(0.0782318 * 2^16)
	asertPolyRound  = 1 << 47         // half of 2^48: round to nearest
)

// asertMaxExponent bounds the 64.16 exponent CalcASERTBits works with.
// Clamping to ±2^30 (an integer part of ±2^14) does not change any result:
// past 2^(256+17) in either direction the target is already pinned to
// powLimit or to 1.
const asertMaxExponent = 1 << 30

// CheckASERTParams reports whether CalcASERTBits can use these network
// parameters: powLimit in [1, 2^256-1], targetSpacing and halfLife positive,
// and anchorBits a target in [1, powLimit] (ErrBadParams or ErrBadTarget
// otherwise). Call it when loading a network's parameters.
func CheckASERTParams(powLimit *big.Int, targetSpacing, halfLife int64, anchorBits uint32) error {
	_, err := asertAnchor(powLimit, targetSpacing, halfLife, anchorBits)
	return err
}

func asertAnchor(powLimit *big.Int, targetSpacing, halfLife int64, anchorBits uint32) (*big.Int, error) {
	switch {
	case powLimit == nil || powLimit.Sign() <= 0 || powLimit.BitLen() > 256:
		return nil, ruleErr(ErrBadParams, "proof-of-work limit %064x is not in [1, 2^256-1]", powLimit)
	case targetSpacing <= 0:
		return nil, ruleErr(ErrBadParams, "target spacing %d is not positive", targetSpacing)
	case halfLife <= 0:
		return nil, ruleErr(ErrBadParams, "ASERT half-life %d is not positive", halfLife)
	}
	anchor, negative, overflow := CompactToBig(anchorBits)
	if negative || overflow || anchor.Sign() == 0 || anchor.Cmp(powLimit) > 0 {
		return nil, ruleErr(ErrBadTarget, "anchor bits %08x do not encode a target in [1, %064x]",
			anchorBits, powLimit)
	}
	return anchor, nil
}

// CalcASERTBits returns the compact target a block must carry under ASERT
// (the aserti3-2d algorithm, in the absolute form of decred's DCP0011):
//
//	target = anchorTarget * 2^((timeDelta - targetSpacing*heightDelta) / halfLife)
//
// computed in integer fixed point exactly as the algorithm specifies, then
// clamped to [1, powLimit] and encoded with BigToCompact.
//
// The anchor is a block whose target is taken as correct and whose time and
// height start the ideal schedule; Ballast anchors at its genesis block. To
// compute the bits of the block at height h >= 1, whose parent is prev (the
// block at height h-1):
//
//	anchorBits  = genesis.Bits
//	heightDelta = int64(h - 1)                           // prev height - genesis height (0)
//	timeDelta   = int64(prev.Timestamp) - int64(genesis.Timestamp)
//
// The schedule puts block k at genesis.Timestamp + k*targetSpacing, so when
// prev is exactly on it the block gets anchorBits (block 1, whose prev is the
// genesis block, always does). Each halfLife seconds the chain runs behind
// the schedule doubles the target (easier); each halfLife ahead halves it.
// This is Bitcoin Cash's aserti3-2d with the anchor's parent replaced by a
// virtual block targetSpacing before the anchor, which is why its "+1" on the
// height difference is absent; it matches decred's published test vectors
// with heightDelta = height - startHeight and timeDelta = timestamp -
// startTime. A network without retargeting (regtest) does not call this.
//
// powLimit is the network's easiest target, targetSpacing the ideal seconds
// between blocks and halfLife the seconds of schedule deviation that double
// or halve the target. timeDelta may be negative. Parameters that
// CheckASERTParams rejects, or a negative heightDelta, are programming
// errors and make CalcASERTBits panic.
func CalcASERTBits(powLimit *big.Int, targetSpacing, halfLife int64, anchorBits uint32, heightDelta, timeDelta int64) uint32 {
	anchor, err := asertAnchor(powLimit, targetSpacing, halfLife, anchorBits)
	if err != nil {
		panic("pow: CalcASERTBits: " + err.Error())
	}
	if heightDelta < 0 {
		panic("pow: CalcASERTBits: negative height delta")
	}

	// x = trunc((timeDelta - targetSpacing*heightDelta) * 2^16 / halfLife),
	// truncated towards zero (Quo, not Div), in big.Int so that no int64
	// input can overflow it.
	e := new(big.Int).Mul(big.NewInt(targetSpacing), big.NewInt(heightDelta))
	e.Sub(big.NewInt(timeDelta), e)
	e.Lsh(e, asertFracBits)
	e.Quo(e, big.NewInt(halfLife))
	x := int64(asertMaxExponent)
	if e.IsInt64() {
		x = min(max(e.Int64(), -asertMaxExponent), asertMaxExponent)
	} else if e.Sign() < 0 {
		x = -asertMaxExponent
	}

	// Split x into an integer part n (an arithmetic shift, so rounding
	// towards minus infinity) and a fractional part f in [0, 2^16).
	n := x >> asertFracBits
	f := uint64(x & (1<<asertFracBits - 1))

	// factor = 2^16 * 2^f in [2^16, 2^17): the cubic in 16.48 fixed point,
	// rounded to nearest on the way back to 16 fractional bits. f < 2^16 keeps
	// every term and their sum below 2^64.
	factor := 1<<asertFracBits +
		(asertPolyCoeff1*f+asertPolyCoeff2*f*f+asertPolyCoeff3*f*f*f+asertPolyRound)>>48

	// target = anchor * factor * 2^n / 2^16, one shift by n-16, rounding
	// towards zero when it shifts right.
	target := anchor.Mul(anchor, new(big.Int).SetUint64(factor))
	if shift := n - asertFracBits; shift >= 0 {
		target.Lsh(target, uint(shift))
	} else {
		target.Rsh(target, uint(-shift))
	}

	if target.Sign() == 0 {
		target.SetInt64(1)
	} else if target.Cmp(powLimit) > 0 {
		target.Set(powLimit)
	}
	return BigToCompact(target)
}

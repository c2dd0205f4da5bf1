package mempool

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ballast-chain/ballast/internal/consensus"
)

// ErrorKind names why the pool refused a transaction, or what else failed.
// It implements error, so callers test with errors.Is(err, mempool.ErrDust).
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// Policy rejections. Each carries Bitcoin Core's reject string for the same
// rule (RejectReason), which RPC results and P2P rejects report.
const (
	// Standardness.
	ErrCoinbase    = ErrorKind("ErrCoinbase")    // a coinbase outside a block
	ErrVersion     = ErrorKind("ErrVersion")     // tx version other than 1 or 2
	ErrTxSize      = ErrorKind("ErrTxSize")      // weight above Config.MaxTxWeight
	ErrTxSizeSmall = ErrorKind("ErrTxSizeSmall") // base size below 65 bytes (CVE-2017-12842)
	ErrDust        = ErrorKind("ErrDust")        // an output worth less than spending it costs
	ErrMultiBurn   = ErrorKind("ErrMultiBurn")   // more than one native burn output
	ErrRecord      = ErrorKind("ErrRecord")      // a record (reserved for the asset rules)

	// Position and identity.
	ErrNonFinal       = ErrorKind("ErrNonFinal")       // lock time not final in the next block
	ErrAlreadyInPool  = ErrorKind("ErrAlreadyInPool")  // same wtxid already in the pool
	ErrSameNonWitness = ErrorKind("ErrSameNonWitness") // same txid, other witness, in the pool
	ErrAlreadyKnown   = ErrorKind("ErrAlreadyKnown")   // already confirmed

	// Conflicts and replacement.
	ErrConflict                   = ErrorKind("ErrConflict")                   // conflict with a non-signalling tx (full RBF off)
	ErrReplacementDisallowed      = ErrorKind("ErrReplacementDisallowed")      // conflict where replacement is not allowed (packages, reorgs)
	ErrSpendsConflicting          = ErrorKind("ErrSpendsConflicting")          // spends an output of a tx it would replace
	ErrInsufficientFee            = ErrorKind("ErrInsufficientFee")            // replacement fee rules (BIP125 3, 4, 6)
	ErrTooManyReplacements        = ErrorKind("ErrTooManyReplacements")        // BIP125 rule 5
	ErrReplacementAddsUnconfirmed = ErrorKind("ErrReplacementAddsUnconfirmed") // BIP125 rule 2

	// Fees, limits and size.
	ErrMempoolMinFee = ErrorKind("ErrMempoolMinFee") // below the rolling minimum after evictions
	ErrMinRelayFee   = ErrorKind("ErrMinRelayFee")   // below the minimum relay fee rate
	ErrTooLongChain  = ErrorKind("ErrTooLongChain")  // ancestor or descendant limits
	ErrMempoolFull   = ErrorKind("ErrMempoolFull")   // evicted at once by the size limit

	// Packages (TestAccept of several transactions).
	ErrPackageTooMany    = ErrorKind("ErrPackageTooMany")
	ErrPackageTooLarge   = ErrorKind("ErrPackageTooLarge")
	ErrPackageDuplicates = ErrorKind("ErrPackageDuplicates")
	ErrPackageNotSorted  = ErrorKind("ErrPackageNotSorted")
	ErrPackageConflict   = ErrorKind("ErrPackageConflict")

	// ErrConsensus: the transaction breaks a consensus rule; the cause is
	// the *consensus.RuleError and the reject string is its.
	ErrConsensus = ErrorKind("ErrConsensus")
)

// Failures that are not rejections of a transaction.
const (
	// ErrInvalidConfig: a Config failed Validate.
	ErrInvalidConfig = ErrorKind("ErrInvalidConfig")
	// ErrMalformedFile: a mempool or fee-estimates file is truncated,
	// corrupted, of an unknown version or of another network.
	ErrMalformedFile = ErrorKind("ErrMalformedFile")
	// ErrNoFeeEstimate: the estimator has too little data for the target.
	ErrNoFeeEstimate = ErrorKind("ErrNoFeeEstimate")
	// ErrInvalidTarget: a confirmation target outside 1..MaxConfirmTarget.
	ErrInvalidTarget = ErrorKind("ErrInvalidTarget")
)

var rejectReasons = map[ErrorKind]string{
	ErrCoinbase:                   "coinbase",
	ErrVersion:                    "version",
	ErrTxSize:                     "tx-size",
	ErrTxSizeSmall:                "tx-size-small",
	ErrDust:                       "dust",
	ErrMultiBurn:                  "multi-op-return",
	ErrRecord:                     "record",
	ErrNonFinal:                   "non-final",
	ErrAlreadyInPool:              "txn-already-in-mempool",
	ErrSameNonWitness:             "txn-same-nonwitness-data-in-mempool",
	ErrAlreadyKnown:               "txn-already-known",
	ErrConflict:                   "txn-mempool-conflict",
	ErrReplacementDisallowed:      "bip125-replacement-disallowed",
	ErrSpendsConflicting:          "bad-txns-spends-conflicting-tx",
	ErrInsufficientFee:            "insufficient fee",
	ErrTooManyReplacements:        "too many potential replacements",
	ErrReplacementAddsUnconfirmed: "replacement-adds-unconfirmed",
	ErrMempoolMinFee:              "mempool min fee not met",
	ErrMinRelayFee:                "min relay fee not met",
	ErrTooLongChain:               "too-long-mempool-chain",
	ErrMempoolFull:                "mempool full",
	ErrPackageTooMany:             "package-too-many-transactions",
	ErrPackageTooLarge:            "package-too-large",
	ErrPackageDuplicates:          "package-contains-duplicates",
	ErrPackageNotSorted:           "package-not-sorted",
	ErrPackageConflict:            "conflict-in-package",
	ErrNoFeeEstimate:              "Insufficient data or no feerate found",
}

// RejectReason returns Bitcoin Core's reject string for the kind, or the
// kind's name where Core has none.
func (k ErrorKind) RejectReason() string {
	if s, ok := rejectReasons[k]; ok {
		return s
	}
	return string(k)
}

// RuleError is a rejection: the rule, details (Core's debug message, for
// example "111 < 294" for dust), and for consensus failures the consensus
// error. errors.Is matches the kind and, through the cause, consensus kinds
// such as consensus.ErrMissingTxOut (the caller's cue that the transaction
// may be an orphan).
type RuleError struct {
	Kind        ErrorKind
	Description string
	Cause       error
}

// Error reads as Core's validation state does: "reason, details".
func (e *RuleError) Error() string {
	s := e.RejectReason()
	if e.Description != "" {
		s += ", " + e.Description
	}
	if e.Cause != nil && e.Kind != ErrConsensus { // a consensus cause is the description
		s += ": " + e.Cause.Error()
	}
	return s
}

// RejectReason returns the reject string: the kind's, or for ErrConsensus
// the consensus rule's.
func (e *RuleError) RejectReason() string {
	if e.Kind == ErrConsensus {
		var ce *consensus.RuleError
		if errors.As(e.Cause, &ce) {
			return ce.Kind.RejectReason()
		}
	}
	return e.Kind.RejectReason()
}

// Unwrap returns the kind and, if present, the cause.
func (e *RuleError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// RejectReason returns the reject string of any error the pool returns: a
// rule's reject string, or "" for an error that is not a rejection (a
// failure of the chain view).
func RejectReason(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.RejectReason()
	}
	var ce *consensus.RuleError
	if errors.As(err, &ce) {
		return ce.Kind.RejectReason()
	}
	return ""
}

func ruleError(kind ErrorKind, format string, args ...any) *RuleError {
	return &RuleError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}

// consensusError wraps a consensus rejection; other errors (a failing chain
// view) pass through unchanged.
func consensusError(err error) error {
	var ce *consensus.RuleError
	if !errors.As(err, &ce) {
		return err
	}
	desc := strings.TrimPrefix(ce.Error(), string(ce.Kind)+": ")
	return &RuleError{Kind: ErrConsensus, Description: desc, Cause: err}
}

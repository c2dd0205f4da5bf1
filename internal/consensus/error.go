package consensus

import (
	"errors"
	"fmt"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// ErrorKind names one consensus rule. Every rejection carries exactly one, so
// tests, peers' misbehaviour scoring and RPC results can say which rule broke.
type ErrorKind string

// Error returns the kind's name.
func (k ErrorKind) Error() string { return string(k) }

// The consensus rules, grouped by the stage that checks them.
const (
	// Transaction sanity (no context).
	ErrNoTxInputs         = ErrorKind("ErrNoTxInputs")
	ErrNoTxOutputs        = ErrorKind("ErrNoTxOutputs")
	ErrTxTooBig           = ErrorKind("ErrTxTooBig")
	ErrNegativeAmount     = ErrorKind("ErrNegativeAmount")
	ErrAmountTooLarge     = ErrorKind("ErrAmountTooLarge")
	ErrDuplicateTxInputs  = ErrorKind("ErrDuplicateTxInputs")
	ErrNullPrevOut        = ErrorKind("ErrNullPrevOut")
	ErrBadCoinbaseData    = ErrorKind("ErrBadCoinbaseData")
	ErrCoinbaseAsset      = ErrorKind("ErrCoinbaseAsset")
	ErrUnsupportedRecord  = ErrorKind("ErrUnsupportedRecord")
	ErrBadCoinbaseWitness = ErrorKind("ErrBadCoinbaseWitness")

	// Asset records, sanity (docs/assets.md).
	ErrBadRecord         = ErrorKind("ErrBadRecord")
	ErrBadContract       = ErrorKind("ErrBadContract")
	ErrBadIssueInput     = ErrorKind("ErrBadIssueInput")
	ErrBadRecordWitness  = ErrorKind("ErrBadRecordWitness")
	ErrDuplicateIssuance = ErrorKind("ErrDuplicateIssuance")

	// Block sanity (no context).
	ErrHighHash                 = ErrorKind("ErrHighHash")
	ErrBadTarget                = ErrorKind("ErrBadTarget")
	ErrBadVersion               = ErrorKind("ErrBadVersion")
	ErrNoTransactions           = ErrorKind("ErrNoTransactions")
	ErrFirstTxNotCoinbase       = ErrorKind("ErrFirstTxNotCoinbase")
	ErrMultipleCoinbases        = ErrorKind("ErrMultipleCoinbases")
	ErrBlockWeightTooHigh       = ErrorKind("ErrBlockWeightTooHigh")
	ErrBadMerkleRoot            = ErrorKind("ErrBadMerkleRoot")
	ErrDuplicateTx              = ErrorKind("ErrDuplicateTx")
	ErrTooManySigChecks         = ErrorKind("ErrTooManySigChecks")
	ErrMissingWitnessCommitment = ErrorKind("ErrMissingWitnessCommitment")
	ErrBadWitnessCommitment     = ErrorKind("ErrBadWitnessCommitment")

	// Header and block position (needs ancestor headers).
	ErrPrevBlockMismatch    = ErrorKind("ErrPrevBlockMismatch")
	ErrUnexpectedDifficulty = ErrorKind("ErrUnexpectedDifficulty")
	ErrTimeTooOld           = ErrorKind("ErrTimeTooOld")
	ErrTimeTooNew           = ErrorKind("ErrTimeTooNew")
	ErrBadCoinbaseHeight    = ErrorKind("ErrBadCoinbaseHeight")
	ErrUnfinalizedTx        = ErrorKind("ErrUnfinalizedTx")

	// Contextual (needs the UTXO set).
	ErrMissingTxOut       = ErrorKind("ErrMissingTxOut")
	ErrImmatureSpend      = ErrorKind("ErrImmatureSpend")
	ErrSpendTooHigh       = ErrorKind("ErrSpendTooHigh")
	ErrAssetNotConserved  = ErrorKind("ErrAssetNotConserved")
	ErrSequenceLockNotMet = ErrorKind("ErrSequenceLockNotMet")
	ErrBadSpend           = ErrorKind("ErrBadSpend")
	ErrBadCoinbaseValue   = ErrorKind("ErrBadCoinbaseValue")

	// Asset records, contextual (needs the asset registry).
	ErrUnknownAsset       = ErrorKind("ErrUnknownAsset")
	ErrBadIssuerAuth      = ErrorKind("ErrBadIssuerAuth")
	ErrBadAttestationAuth = ErrorKind("ErrBadAttestationAuth")
	ErrAttestationGood    = ErrorKind("ErrAttestationGood")
	ErrStaleAttestation   = ErrorKind("ErrStaleAttestation")
)

// rejectReasons maps kinds to the reject strings Bitcoin Core uses for the
// same rule, so RPC results and P2P reject reasons read as users expect.
var rejectReasons = map[ErrorKind]string{
	ErrNoTxInputs:               "bad-txns-vin-empty",
	ErrNoTxOutputs:              "bad-txns-vout-empty",
	ErrTxTooBig:                 "bad-txns-oversize",
	ErrNegativeAmount:           "bad-txns-vout-negative",
	ErrAmountTooLarge:           "bad-txns-vout-toolarge",
	ErrDuplicateTxInputs:        "bad-txns-inputs-duplicate",
	ErrNullPrevOut:              "bad-txns-prevout-null",
	ErrBadCoinbaseData:          "bad-cb-length",
	ErrCoinbaseAsset:            "bad-cb-asset",
	ErrUnsupportedRecord:        "bad-txns-record",
	ErrBadCoinbaseWitness:       "bad-witness-nonce-size",
	ErrHighHash:                 "high-hash",
	ErrBadTarget:                "bad-diffbits",
	ErrBadVersion:               "bad-version",
	ErrNoTransactions:           "bad-blk-length",
	ErrFirstTxNotCoinbase:       "bad-cb-missing",
	ErrMultipleCoinbases:        "bad-cb-multiple",
	ErrBlockWeightTooHigh:       "bad-blk-weight",
	ErrBadMerkleRoot:            "bad-txnmrklroot",
	ErrDuplicateTx:              "bad-txns-duplicate",
	ErrTooManySigChecks:         "bad-blk-sigops",
	ErrMissingWitnessCommitment: "bad-witness-commitment-missing",
	ErrBadWitnessCommitment:     "bad-witness-merkle-match",
	ErrPrevBlockMismatch:        "bad-prevblk",
	ErrUnexpectedDifficulty:     "bad-diffbits",
	ErrTimeTooOld:               "time-too-old",
	ErrTimeTooNew:               "time-too-new",
	ErrBadCoinbaseHeight:        "bad-cb-height",
	ErrUnfinalizedTx:            "bad-txns-nonfinal",
	ErrMissingTxOut:             "bad-txns-inputs-missingorspent",
	ErrImmatureSpend:            "bad-txns-premature-spend-of-coinbase",
	ErrSpendTooHigh:             "bad-txns-in-belowout",
	ErrAssetNotConserved:        "bad-txns-asset-imbalance",
	ErrSequenceLockNotMet:       "non-BIP68-final",
	ErrBadSpend:                 "mandatory-script-verify-flag-failed",
	ErrBadCoinbaseValue:         "bad-cb-amount",
	ErrBadRecord:                "bad-txns-record",
	ErrBadContract:              "bad-asset-contract",
	ErrBadIssueInput:            "bad-asset-issue-input",
	ErrBadRecordWitness:         "bad-asset-record-witness",
	ErrDuplicateIssuance:        "bad-asset-duplicate-issuance",
	ErrUnknownAsset:             "bad-asset-unknown",
	ErrBadIssuerAuth:            "bad-asset-issuer-auth",
	ErrBadAttestationAuth:       "bad-asset-attestation-auth",
	ErrAttestationGood:          "bad-asset-attestation-good",
	ErrStaleAttestation:         "bad-asset-attestation-stale",
}

// RejectReason returns Bitcoin Core's reject string for the rule a kind names.
func (k ErrorKind) RejectReason() string {
	if s, ok := rejectReasons[k]; ok {
		return s
	}
	return string(k)
}

// RuleError is a consensus rejection: the rule broken, a description, and
// (for failed spends) the underlying policy error. errors.Is matches both the
// kind and the cause's kind.
type RuleError struct {
	Kind        ErrorKind
	Description string
	Cause       error
}

func (e *RuleError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Description, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Description)
}

// Unwrap returns the kind and, if present, the cause.
func (e *RuleError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

func ruleError(kind ErrorKind, format string, args ...any) error {
	return &RuleError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}

// wrapTx adds which transaction failed to a rule error, keeping its kind.
func wrapTx(err error, idx int, txid chainhash.Hash) error {
	var re *RuleError
	if errors.As(err, &re) {
		return &RuleError{Kind: re.Kind, Description: fmt.Sprintf("tx %d (%s): %s", idx, txid, re.Description), Cause: re.Cause}
	}
	return err
}

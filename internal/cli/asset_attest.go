package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/policy"
)

// runAssetAttest is "ballast asset attest": it creates a reserve
// attestation (or takes packets auditors already signed), signs it here
// with auditor key files (the keys never reach the node), adds signatures
// given as KEY:SIG, and submits it once the auditor policy is satisfied.
func runAssetAttest(ctx context.Context, a *assetCmd, args []string) error {
	fs := a.fs
	var held, packets, keyFiles, sigs repeated
	fs.Var(&held, "held", "quantity held of a basket good as `GOOD=QUANTITY` in the good's unit (rice=750); repeatable")
	countTime := fs.Int64("time", 0, "unix `time` of the count (default now)")
	document := fs.String("document", "", "audit document `file`; its SHA-256 is attested")
	docHash := fs.String("document-hash", "", "SHA-256 of the audit document (64 `hex`), instead of -document")
	fs.Var(&packets, "packet", "attestation `packet` (hex, or a file holding it) to add signatures to; repeatable: their signatures are merged")
	fs.Var(&keyFiles, "key", "auditor private key `file` (64 hex characters) to sign with; repeatable")
	fs.Var(&sigs, "sig", "an auditor's signature as `KEY:SIG` (x-only key and BIP340 signature, hex); repeatable")
	noSubmit := fs.Bool("no-submit", false, "print the packet (for the next auditor) instead of submitting it")
	rest, err := a.parse(args, 1)
	if err != nil {
		return err
	}

	var p *asset.Packet
	var att *asset.Attestation
	for _, s := range packets {
		q, qa, err := readPacket(s)
		if err != nil {
			return err
		}
		if p == nil {
			p, att = q, qa
			continue
		}
		if !bytes.Equal(q.Payload, p.Payload) {
			return fmt.Errorf("%w: the -packet arguments attest different statements", errUsage)
		}
		for k, sig := range q.Sigs {
			p.Sigs[k] = sig
		}
	}
	var info *assetInfo
	switch {
	case p != nil:
		if len(held) > 0 || *document != "" || *docHash != "" {
			return fmt.Errorf("%w: -held and -document describe a new attestation; a -packet already has them", errUsage)
		}
		if info, _, err = a.lookup(ctx, att.Asset.String()); err != nil {
			return err
		}
		if len(rest) > 0 && !strings.EqualFold(rest[0], info.Asset) && !strings.EqualFold(rest[0], info.Ticker) {
			return fmt.Errorf("%w: the packet attests %s %s, not %s", errUsage, info.Ticker, info.Asset, rest[0])
		}
	default:
		ref, err := assetArg(rest, "attest")
		if err != nil {
			return err
		}
		if info, _, err = a.lookup(ctx, ref); err != nil {
			return err
		}
		if p, err = a.createAttestation(ctx, info, held, *countTime, *document, *docHash); err != nil {
			return err
		}
	}

	aud, err := policy.ParseText(info.Contract.Auditors)
	if err != nil {
		return fmt.Errorf("the asset's auditor policy %q: %v", info.Contract.Auditors, err)
	}
	auditors := map[[32]byte]bool{}
	for _, k := range asset.Keys(aud) {
		auditors[k] = true
	}
	ring := policy.NewKeyRing()
	for _, f := range keyFiles {
		k, err := readPrivKeyFile(f)
		if err != nil {
			return err
		}
		if x := ring.AddKey(k); !auditors[x] {
			return fmt.Errorf("key file %s: its key %x is not one of the asset's auditors (%s)", f, x, info.Contract.Auditors)
		}
	}
	if _, err := p.Sign(aud, ring); err != nil {
		return fmt.Errorf("signing: %v", err)
	}
	msg := asset.AttestationMessage(p.Payload)
	for _, s := range sigs {
		k, sig, err := parseKeySig(s)
		if err != nil {
			return fmt.Errorf("%w: -sig %q: %v", errUsage, s, err)
		}
		if !auditors[k] {
			return fmt.Errorf("-sig: key %x is not one of the asset's auditors (%s)", k, info.Contract.Auditors)
		}
		pub, _ := schnorr.ParsePubKey(k[:])
		ps, err := schnorr.ParseSignature(sig[:])
		if err != nil || pub == nil || !ps.Verify(msg[:], pub) {
			return fmt.Errorf("-sig: the signature by %x does not sign this attestation", k)
		}
		p.Sigs[k] = sig
	}

	hexPacket := hex.EncodeToString(p.Encode())
	_, werr := p.Witness(aud)
	need := ""
	if aud.Kind == policy.KindThresh {
		need = fmt.Sprintf(", %d needed", aud.K)
	}
	status := fmt.Sprintf("%d of %d auditor signatures%s", len(p.Sigs), len(auditors), need)
	if *noSubmit {
		fmt.Fprintln(a.env.Stdout, hexPacket)
		if werr == nil {
			fmt.Fprintf(a.env.Stderr, "%s: complete; submit with 'ballast asset attest -packet PACKET'\n", status)
		} else {
			fmt.Fprintf(a.env.Stderr, "%s: not complete; pass the packet to the next auditor (-packet)\n", status)
		}
		return nil
	}
	if werr != nil {
		fmt.Fprintln(a.env.Stdout, hexPacket)
		return fmt.Errorf("insufficient signatures: %s for %s; add -key or -sig, or have more auditors sign the packet printed above", status, info.Contract.Auditors)
	}
	var res struct{ TxID string }
	if err := a.call(ctx, &res, "submitattestation", hexPacket); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "attestation of %s signed by %s, submitted in transaction %s\n", info.Ticker, status, res.TxID)
	return nil
}

// createAttestation asks the node for a new, unsigned packet.
func (a *assetCmd) createAttestation(ctx context.Context, info *assetInfo, held []string, t int64, document, docHash string) (*asset.Packet, error) {
	if len(held) == 0 {
		return nil, fmt.Errorf("%w: a new attestation needs -held GOOD=QUANTITY for the basket's goods (%s)", errUsage, info.unitText())
	}
	holdings := map[string]string{}
	for _, h := range held {
		good, q, ok := strings.Cut(h, "=")
		if !ok || good == "" || q == "" {
			return nil, fmt.Errorf("%w: -held %q: want GOOD=QUANTITY, such as rice=750", errUsage, h)
		}
		if !slices.ContainsFunc(info.Contract.Basket, func(g basketGood) bool { return g.Good == good }) {
			return nil, fmt.Errorf("%w: -held %q: good %q is not in the basket (%s)", errUsage, h, good, info.unitText())
		}
		holdings[good] = q
	}
	var sum [32]byte
	switch {
	case document != "" && docHash != "":
		return nil, fmt.Errorf("%w: give -document or -document-hash, not both", errUsage)
	case document != "":
		b, err := os.ReadFile(document)
		if err != nil {
			return nil, err
		}
		sum = sha256.Sum256(b)
	case docHash != "":
		b, err := hex.DecodeString(docHash)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%w: -document-hash must be 64 hex characters", errUsage)
		}
		sum = [32]byte(b)
	default:
		return nil, fmt.Errorf("%w: a new attestation needs the audit document (-document FILE or -document-hash HEX)", errUsage)
	}
	if t == 0 {
		t = time.Now().Unix()
	}
	var pkt string
	if err := a.call(ctx, &pkt, "createattestation", info.Asset, t, hex.EncodeToString(sum[:]), holdings); err != nil {
		return nil, err
	}
	p, _, err := readPacket(pkt)
	return p, err
}

// readPacket decodes a packet given as hex or as a file holding the hex.
func readPacket(s string) (*asset.Packet, *asset.Attestation, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		data, ferr := os.ReadFile(s)
		if ferr != nil {
			return nil, nil, fmt.Errorf("%w: -packet is neither hex nor a readable file: %v", errUsage, ferr)
		}
		if b, err = hex.DecodeString(strings.TrimSpace(string(data))); err != nil {
			return nil, nil, fmt.Errorf("packet file %s: not hex", s)
		}
	}
	p, att, err := asset.DecodePacket(b)
	if err != nil {
		return nil, nil, fmt.Errorf("attestation packet: %v", err)
	}
	return p, att, nil
}

// readPrivKeyFile reads a private key file: 64 hex characters (or the 32
// raw bytes).
func readPrivKeyFile(path string) (*btcec.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		b = data
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("key file %s: want a private key of 64 hex characters", path)
	}
	k, _ := btcec.PrivKeyFromBytes(b)
	return k, nil
}

// parseKeySig reads "KEY:SIG" (32-byte x-only key, 64-byte signature).
func parseKeySig(s string) ([32]byte, [64]byte, error) {
	var k [32]byte
	var sig [64]byte
	ks, ss, ok := strings.Cut(s, ":")
	kb, kerr := hex.DecodeString(ks)
	sb, serr := hex.DecodeString(ss)
	if !ok || kerr != nil || serr != nil || len(kb) != 32 || len(sb) != 64 {
		return k, sig, errors.New("want KEY:SIG, 64 and 128 hex characters")
	}
	return [32]byte(kb), [64]byte(sb), nil
}

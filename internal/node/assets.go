package node

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wire"
)

// setupAssets registers the asset and reserve RPC methods (docs/assets.md).
func (n *Node) setupAssets() error {
	for _, m := range n.assetMethods() {
		m.Category = "Assets"
		if err := n.RPC.Register(m); err != nil {
			return err
		}
	}
	return nil
}

func sp(name, help string) rpc.Param { return rpc.Param{Name: name, Type: rpc.TypeString, Help: help} }
func np(name, help string) rpc.Param { return rpc.Param{Name: name, Type: rpc.TypeNumber, Help: help} }
func optp(p rpc.Param) rpc.Param     { p.Optional = true; return p }

func (n *Node) assetMethods() []rpc.Method {
	id := sp("asset_id", "The asset id (64 hex characters)")
	return []rpc.Method{
		{Name: "listassets", Help: "Lists every issued asset with its supply.", Handler: n.rpcListAssets},
		{Name: "getassetinfo", Help: "Returns an asset's contract, supply figures and latest attestation.", Params: []rpc.Param{id}, Handler: n.rpcGetAssetInfo},
		{Name: "getassethistory", Help: "Returns an asset's issuances, burns, redemptions and attestations in chain order.",
			Params: []rpc.Param{id, optp(np("skip", "Entries to skip")), optp(np("count", "Entries to return (0: all)"))}, Handler: n.rpcGetAssetHistory},
		{Name: "getreserves", Help: "Returns supply, attested reserves and coverage per good (reserves ÷ (supply × quantity per unit)), the minimum over goods and whether the asset is under-backed.",
			Params: []rpc.Param{id}, Handler: n.rpcGetReserves},
		{Name: "createattestation", Help: "Creates an unsigned reserve attestation packet for auditors to sign apart (signattestation) and anyone to submit (submitattestation).",
			Params: []rpc.Param{id, np("time", "Unix time of the count"), sp("document_hash", "SHA-256 of the audit document (64 hex)"),
				{Name: "holdings", Type: rpc.TypeObject, Help: `{"good": "quantity held in the good's unit", ...}`}}, Handler: n.rpcCreateAttestation},
		{Name: "signattestation", Help: "Adds signatures to an attestation packet: with the given private keys (hex), or else the wallet's keys.",
			Params: []rpc.Param{sp("packet", "The packet (hex)"), optp(rpc.Param{Name: "privkeys", Type: rpc.TypeArray, Help: "Hex private keys"})}, Handler: n.rpcSignAttestation},
		{Name: "submitattestation", Help: "Puts a signed attestation on chain in a wallet transaction (fee from the wallet).",
			Params: []rpc.Param{sp("packet", "The signed packet (hex)")}, Handler: n.rpcSubmitAttestation},
		{Name: "issueasset", Help: "Issues a new asset from a wallet transaction.",
			Params: []rpc.Param{{Name: "contract", Type: rpc.TypeObject, Help: `{"name","ticker","decimals","basket":[{"good","unit","quantity"}],"issuer":"policy text (default: a new wallet key)","auditors":"policy text"}`},
				np("amount", "Base units to issue"), optp(sp("address", "Receives the units"))}, Handler: n.rpcIssueAsset},
		{Name: "reissueasset", Help: "Issues more of an asset; the wallet must satisfy the issuer policy.",
			Params: []rpc.Param{id, np("amount", "Base units"), optp(sp("address", "Receives the units"))}, Handler: n.rpcReissueAsset},
		{Name: "burnasset", Help: "Burns units of an asset held by the wallet.", Params: []rpc.Param{id, np("amount", "Base units")}, Handler: n.rpcBurnAsset},
		{Name: "redeemasset", Help: "Redeems units for delivery of the goods: a burn carrying a reference (up to 80 bytes).",
			Params: []rpc.Param{id, np("amount", "Base units"), sp("reference", "The redemption reference")}, Handler: n.rpcRedeemAsset},
	}
}

func assetArg(a *rpc.Args, i int) wire.AssetID {
	h, err := chainhash.NewHashFromStr(a.String(i))
	if err != nil || h.IsZero() {
		a.Fail(rpc.Errorf(rpc.CodeInvalidParameter, "asset_id must be a 64-character hex id"))
	}
	return wire.AssetID(h)
}

func (n *Node) assetInfo(id wire.AssetID) (*chain.AssetInfo, *asset.Contract, error) {
	info, err := n.Chain.Asset(id)
	if err != nil {
		return nil, nil, rpc.Errorf(rpc.CodeDatabase, "%v", err)
	}
	if info == nil {
		return nil, nil, rpc.Errorf(rpc.CodeInvalidAddressOrKey, "Unknown asset %s", id)
	}
	c, err := asset.DecodeContract(info.Contract)
	if err != nil {
		return nil, nil, rpc.Errorf(rpc.CodeDatabase, "%v", err)
	}
	return info, c, nil
}

func contractJSON(c *asset.Contract) map[string]any {
	var basket []map[string]any
	for _, g := range c.Basket {
		basket = append(basket, map[string]any{"good": g.Name, "unit": g.Unit,
			"quantity": asset.FormatUnits(new(big.Int).SetUint64(g.Quantity), int(g.Decimals))})
	}
	iss, _ := c.Issuer()
	aud, _ := c.Auditors()
	return map[string]any{"name": c.Name, "ticker": c.Ticker, "decimals": c.Decimals, "basket": basket,
		"issuer": iss.String(), "auditors": aud.String(), "hash": c.Hash().String()}
}

func attestationJSON(raw []byte, c *asset.Contract) map[string]any {
	a, err := asset.DecodeAttestation(raw)
	if err != nil {
		return nil
	}
	held := map[string]string{}
	for _, h := range a.Holdings {
		g := c.Basket[h.Good]
		held[g.Name] = asset.FormatUnits(new(big.Int).SetUint64(h.Held), int(g.Decimals))
	}
	return map[string]any{"time": a.Time, "document_hash": hex.EncodeToString(a.Document[:]), "holdings": held}
}

func infoJSON(info *chain.AssetInfo, c *asset.Contract) map[string]any {
	out := map[string]any{"asset": info.ID.String(), "ticker": c.Ticker, "name": c.Name, "contract": contractJSON(c),
		"issue_txid": info.IssueTxID.String(), "issue_height": info.IssueHeight,
		"issued": info.Issued, "burned": info.Burned, "redeemed": info.Redeemed, "supply": info.Supply(),
		"attestations": info.Attestations}
	if info.Attestation != nil {
		att := attestationJSON(info.Attestation, c)
		att["txid"], att["height"] = info.AttestTxID.String(), info.AttestHeight
		out["latest_attestation"] = att
	}
	return out
}

func (n *Node) rpcListAssets(_ context.Context, _ *rpc.Request) (any, error) {
	all, err := n.Chain.Assets()
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeDatabase, "%v", err)
	}
	out := []any{}
	for _, info := range all {
		if c, err := asset.DecodeContract(info.Contract); err == nil {
			out = append(out, map[string]any{"asset": info.ID.String(), "ticker": c.Ticker, "name": c.Name,
				"decimals": c.Decimals, "supply": info.Supply(), "attestations": info.Attestations})
		}
	}
	return out, nil
}

func (n *Node) rpcGetAssetInfo(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	id := assetArg(a, 0)
	if err := a.Err(); err != nil {
		return nil, err
	}
	info, c, err := n.assetInfo(id)
	if err != nil {
		return nil, err
	}
	return infoJSON(info, c), nil
}

func (n *Node) rpcGetAssetHistory(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	id := assetArg(a, 0)
	skip, count := a.Int64(1, 0), a.Int64(2, 0)
	if err := a.Err(); err != nil {
		return nil, err
	}
	_, c, err := n.assetInfo(id)
	if err != nil {
		return nil, err
	}
	evs, err := n.Chain.AssetHistory(id, int(skip), int(count))
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeDatabase, "%v", err)
	}
	out := []any{}
	for _, e := range evs {
		m := map[string]any{"kind": e.Kind, "height": e.Height, "txid": e.TxID.String()}
		if e.Amount != 0 || e.Kind != chain.EventAttest {
			m["amount"] = e.Amount
		}
		if e.Reference != nil {
			m["reference"] = string(e.Reference)
		}
		if e.Kind == chain.EventAttest {
			m["attestation"] = attestationJSON(e.Payload, c)
		}
		out = append(out, m)
	}
	return out, nil
}

func (n *Node) rpcGetReserves(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	id := assetArg(a, 0)
	if err := a.Err(); err != nil {
		return nil, err
	}
	info, c, err := n.assetInfo(id)
	if err != nil {
		return nil, err
	}
	held := map[int]uint64{}
	var att map[string]any
	if info.Attestation != nil {
		p, _ := asset.DecodeAttestation(info.Attestation)
		for _, h := range p.Holdings {
			held[int(h.Good)] = h.Held
		}
		att = attestationJSON(info.Attestation, c)
	}
	goods, minGood, under := asset.Coverage(c, info.Supply(), held)
	var per []any
	for _, g := range goods {
		m := map[string]any{"good": g.Good.Name, "unit": g.Good.Unit,
			"held":     asset.FormatUnits(new(big.Int).SetUint64(g.Held), int(g.Good.Decimals)),
			"required": asset.FormatUnits(g.Required, int(g.Good.Decimals)), "covered": g.Covered()}
		if g.Den.Sign() != 0 {
			m["coverage"] = asset.FormatRatio(g.Num, g.Den, 8)
		}
		per = append(per, m)
	}
	out := map[string]any{"asset": id.String(), "ticker": c.Ticker,
		"supply": asset.FormatUnits(big.NewInt(info.Supply()), int(c.Decimals)), "supply_base": info.Supply(),
		"goods": per, "underbacked": under || (info.Attestation == nil && info.Supply() > 0), "attestation": att}
	if minGood >= 0 {
		out["coverage"] = asset.FormatRatio(goods[minGood].Num, goods[minGood].Den, 8)
		out["least_covered"] = goods[minGood].Good.Name
	}
	return out, nil
}

// parseUnits reads a non-negative decimal string as an integer scaled by
// 10^decimals; decimals < 0 takes the digits given (returning them).
func parseUnits(s string, decimals int) (uint64, int, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if decimals < 0 {
		decimals = len(frac)
	}
	if whole == "" && frac == "" || len(frac) > decimals || decimals > asset.MaxDecimals {
		return 0, 0, errors.New("bad quantity " + s)
	}
	digits := whole + frac + strings.Repeat("0", decimals-len(frac))
	v, ok := new(big.Int).SetString(digits, 10)
	if !ok || v.Sign() < 0 || v.Cmp(big.NewInt(asset.MaxAmount)) > 0 {
		return 0, 0, errors.New("bad quantity " + s)
	}
	return v.Uint64(), decimals, nil
}

func (n *Node) rpcCreateAttestation(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	id := assetArg(a, 0)
	t := a.Int64(1, 0)
	doc := a.Hex(2, "document_hash")
	var holdings map[string]string
	if err := json.Unmarshal(a.Raw(3), &holdings); err != nil {
		a.Fail(rpc.Errorf(rpc.CodeType, "holdings must be an object of decimal strings"))
	}
	if err := a.Err(); err != nil {
		return nil, err
	}
	if len(doc) != 32 || t <= 0 {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "document_hash must be 32 bytes and time positive")
	}
	_, c, err := n.assetInfo(id)
	if err != nil {
		return nil, err
	}
	att := &asset.Attestation{Asset: id, Time: uint64(t), Document: chainhash.Hash(doc)}
	for i, g := range c.Basket {
		s, ok := holdings[g.Name]
		if !ok {
			continue
		}
		v, _, err := parseUnits(s, int(g.Decimals))
		if err != nil {
			return nil, rpc.Errorf(rpc.CodeInvalidParameter, "%s: %v", g.Name, err)
		}
		att.Holdings = append(att.Holdings, asset.Holding{Good: uint8(i), Held: v})
		delete(holdings, g.Name)
	}
	for name := range holdings {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "good %q is not in the basket", name)
	}
	if len(att.Holdings) == 0 {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "no holdings")
	}
	p := &asset.Packet{Payload: att.Encode(), Sigs: map[[32]byte][64]byte{}}
	return hex.EncodeToString(p.Encode()), nil
}

func (n *Node) packetArg(a *rpc.Args) (*asset.Packet, *asset.Attestation, *policy.Node, error) {
	raw := a.Hex(0, "packet")
	if err := a.Err(); err != nil {
		return nil, nil, nil, err
	}
	p, att, err := asset.DecodePacket(raw)
	if err != nil {
		return nil, nil, nil, rpc.Errorf(rpc.CodeDeserialization, "attestation packet: %v", err)
	}
	_, c, err := n.assetInfo(att.Asset)
	if err != nil {
		return nil, nil, nil, err
	}
	aud, err := c.Auditors()
	if err != nil {
		return nil, nil, nil, rpc.Errorf(rpc.CodeDatabase, "%v", err)
	}
	return p, att, aud, nil
}

func (n *Node) rpcSignAttestation(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	p, _, aud, err := n.packetArg(a)
	if err != nil {
		return nil, err
	}
	var signer policy.Signer
	if a.Has(1) {
		var keys []string
		if err := json.Unmarshal(a.Raw(1), &keys); err != nil {
			return nil, rpc.Errorf(rpc.CodeType, "privkeys must be an array of hex strings")
		}
		ring := policy.NewKeyRing()
		for _, k := range keys {
			b, err := hex.DecodeString(k)
			if err != nil || len(b) != 32 {
				return nil, rpc.Errorf(rpc.CodeInvalidAddressOrKey, "Invalid private key")
			}
			priv, _ := btcec.PrivKeyFromBytes(b)
			ring.AddKey(priv)
		}
		signer = ring
	} else {
		w, err := n.reqWallet(req)
		if err != nil {
			return nil, err
		}
		if signer, err = w.AssetSigner(); err != nil {
			return nil, walletRPCError(err)
		}
	}
	added, err := p.Sign(aud, signer)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeMisc, "%v", err)
	}
	_, werr := p.Witness(aud)
	return map[string]any{"hex": hex.EncodeToString(p.Encode()), "added": added, "signatures": len(p.Sigs), "complete": werr == nil}, nil
}

func (n *Node) reqWallet(req *rpc.Request) (*wallet.Wallet, error) {
	if n.Wallets == nil {
		return nil, rpc.Errorf(rpc.CodeMethodNotFound, "Method not found (wallet disabled)")
	}
	name, named := req.WalletName()
	w, err := n.Wallets.Get(name, named)
	if err != nil {
		return nil, walletRPCError(err)
	}
	return w, nil
}

func walletRPCError(err error) error {
	code := rpc.CodeWallet
	switch {
	case errors.Is(err, wallet.ErrInsufficientFunds):
		code = rpc.CodeWalletInsufficientFund
	case errors.Is(err, wallet.ErrRejected):
		code = rpc.CodeVerifyRejected
	case errors.Is(err, wallet.ErrInvalidParameter):
		code = rpc.CodeInvalidParameter
	case errors.Is(err, wallet.ErrInvalidAddress):
		code = rpc.CodeInvalidAddressOrKey
	case errors.Is(err, wallet.ErrLocked):
		code = -13
	}
	return &rpc.Error{Code: code, Message: err.Error()}
}

func (n *Node) sendAsset(req *rpc.Request, op wallet.AssetOp) (any, error) {
	w, err := n.reqWallet(req)
	if err != nil {
		return nil, err
	}
	tx, id, err := w.SendAsset(op, wallet.SendOptions{})
	if err != nil {
		return nil, walletRPCError(err)
	}
	out := map[string]any{"txid": tx.TxHash().String()}
	if !id.IsNative() {
		out["asset"] = id.String()
	}
	return out, nil
}

func (n *Node) rpcSubmitAttestation(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	p, _, aud, err := n.packetArg(a)
	if err != nil {
		return nil, err
	}
	wit, err := p.Witness(aud)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeVerify, "attestation is not signed by enough auditors: %v", err)
	}
	rec := wire.Record{Type: wire.RecordAttestation, Payload: p.Payload, Witness: wit}
	return n.sendAsset(req, wallet.AssetOp{Record: &rec})
}

type contractArg struct {
	Name     string `json:"name"`
	Ticker   string `json:"ticker"`
	Decimals uint8  `json:"decimals"`
	Basket   []struct {
		Good     string `json:"good"`
		Unit     string `json:"unit"`
		Quantity string `json:"quantity"`
	} `json:"basket"`
	Issuer   string `json:"issuer"`
	Auditors string `json:"auditors"`
}

func (n *Node) rpcIssueAsset(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	var ca contractArg
	if err := json.Unmarshal(a.Raw(0), &ca); err != nil {
		a.Fail(rpc.Errorf(rpc.CodeType, "contract must be an object: %v", err))
	}
	amount := a.Int64(1, -1)
	to := a.String(2)
	if err := a.Err(); err != nil {
		return nil, err
	}
	c := &asset.Contract{Name: ca.Name, Ticker: ca.Ticker, Decimals: ca.Decimals}
	for _, g := range ca.Basket {
		q, d, err := parseUnits(g.Quantity, -1)
		if err != nil {
			return nil, rpc.Errorf(rpc.CodeInvalidParameter, "basket %q: %v", g.Good, err)
		}
		c.Basket = append(c.Basket, asset.Good{Name: g.Good, Unit: g.Unit, Quantity: q, Decimals: uint8(d)})
	}
	aud, err := policy.ParseText(ca.Auditors)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "auditors: %v", err)
	}
	c.AuditorPolicy = aud.Encode()
	if ca.Issuer == "" {
		w, err := n.reqWallet(req)
		if err != nil {
			return nil, err
		}
		addr, err := w.NewAddress("issuer")
		if err != nil {
			return nil, walletRPCError(err)
		}
		lock, err := address.Decode(addr, n.cfg.Params.Bech32HRP)
		if err != nil || lock.Kind != wire.LockKey {
			return nil, rpc.Errorf(rpc.CodeWallet, "issuer key: %v", err)
		}
		c.IssuerPolicy = policy.NewKey([32]byte(lock.Data)).Encode()
	} else {
		iss, err := policy.ParseText(ca.Issuer)
		if err != nil {
			return nil, rpc.Errorf(rpc.CodeInvalidParameter, "issuer: %v", err)
		}
		c.IssuerPolicy = iss.Encode()
	}
	if err := c.Validate(); err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "contract: %v", err)
	}
	return n.sendAsset(req, wallet.AssetOp{Issue: c, Amount: amount, To: to})
}

func (n *Node) rpcReissueAsset(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	id := assetArg(a, 0)
	amount := a.Int64(1, 0)
	to := a.String(2)
	if err := a.Err(); err != nil {
		return nil, err
	}
	_, c, err := n.assetInfo(id)
	if err != nil {
		return nil, err
	}
	return n.sendAsset(req, wallet.AssetOp{Reissue: id, IssuerPolicy: c.IssuerPolicy, Amount: amount, To: to})
}

func (n *Node) rpcBurnAsset(_ context.Context, req *rpc.Request) (any, error) {
	return n.burn(req, false)
}

func (n *Node) rpcRedeemAsset(_ context.Context, req *rpc.Request) (any, error) {
	return n.burn(req, true)
}

func (n *Node) burn(req *rpc.Request, redeem bool) (any, error) {
	a := rpc.NewArgs(req)
	id := assetArg(a, 0)
	amount := a.Int64(1, 0)
	ref := a.String(2)
	if err := a.Err(); err != nil {
		return nil, err
	}
	if redeem && (ref == "" || len(ref) > wire.MaxBurnDataSize) {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "reference must be 1..%d bytes", wire.MaxBurnDataSize)
	}
	if _, _, err := n.assetInfo(id); err != nil {
		return nil, err
	}
	op := wallet.AssetOp{Burn: id, Amount: amount}
	if redeem {
		op.Reference = []byte(ref)
	}
	return n.sendAsset(req, op)
}

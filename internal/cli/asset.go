package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/rpc"
)

func assetCommand() command {
	return command{
		name:    "asset",
		summary: "goods-backed assets over the node's RPC: issue, redeem, info, attest reserves, ...",
		run:     runAsset,
	}
}

const assetUsage = `usage: ballast asset <command> [flags] [ASSET]
  issue     -contract FILE | -name -ticker -decimals -good NAME:QTY:UNIT... -auditor KEY... -threshold K
            -amount AMOUNT [-to ADDRESS]          issue a new asset from the wallet (-rpcwallet)
  reissue   -amount AMOUNT [-to ADDRESS] ASSET   issue more (the wallet must hold the issuer key)
  burn      -amount AMOUNT ASSET                 destroy units held by the wallet
  redeem    -amount AMOUNT -reference REF ASSET  burn units for delivery of the goods
  info      ASSET                                contract, supply and latest attestation
  list                                           every asset with its supply
  history   ASSET                                issuances, burns, redemptions and attestations
  reserves  ASSET                                attested reserves and coverage per good
  attest    [-held GOOD=QTY... -document FILE | -packet PACKET...] [-key FILE...] [-sig KEY:SIG...]
            [-no-submit] [ASSET]                 create, sign k of n and submit a reserve attestation

ASSET is an asset id (64 hex characters) or a ticker naming exactly one asset.
AMOUNT is in whole units of the asset with up to its decimals ("12.5"); quantities
are decimal strings in the good's unit. The connection flags are those of
'ballast rpc' (-network, -datadir, -rpcurl, -rpcwallet, ...); 'ballast asset
<command> -h' lists them. Read commands take -json for the node's raw answer.`

// assetCmd is one run of a "ballast asset" subcommand: its flags, the
// connection flags shared with "ballast rpc", and the client they make.
type assetCmd struct {
	env    Env
	fs     *flag.FlagSet
	conn   *rpcClientFlags
	asJSON *bool
	client *rpc.Client
}

func runAsset(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, assetUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: need an asset command", errUsage)
		}
		return flag.ErrHelp
	}
	subs := map[string]func(context.Context, *assetCmd, []string) error{
		"issue": runAssetIssue, "reissue": runAssetReissue, "burn": runAssetBurn, "redeem": runAssetRedeem,
		"info": runAssetInfo, "list": runAssetList, "history": runAssetHistory, "reserves": runAssetReserves,
		"attest": runAssetAttest,
	}
	run, ok := subs[args[0]]
	if !ok {
		fmt.Fprintln(env.Stderr, assetUsage)
		return fmt.Errorf("%w: unknown asset command %q", errUsage, args[0])
	}
	fs := newFlagSet("asset "+args[0], env)
	a := &assetCmd{env: env, fs: fs, conn: addRPCClientFlags(fs)}
	a.asJSON = fs.Bool("json", false, "print the node's JSON answer instead of text")
	return run(ctx, a, args[1:])
}

// parse parses the flags, allows at most maxArgs positional arguments and
// makes the client.
func (a *assetCmd) parse(args []string, maxArgs int) ([]string, error) {
	if err := a.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if a.fs.NArg() > maxArgs {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, a.fs.Arg(maxArgs))
	}
	c, err := a.conn.client(a.env.Stdin)
	if err != nil {
		return nil, err
	}
	a.client = c
	return a.fs.Args(), nil
}

// call calls method with positional params and decodes the result into
// out (a *json.RawMessage keeps it as is; nil drops it).
func (a *assetCmd) call(ctx context.Context, out any, method string, params ...any) error {
	ctx, cancel := a.conn.withTimeout(ctx)
	defer cancel()
	if params == nil {
		params = []any{}
	}
	res, err := a.client.Call(ctx, method, params)
	if err != nil {
		return rpcCallErr(err, a.client.URL)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = res
		return nil
	}
	if err := json.Unmarshal(res, out); err != nil {
		return fmt.Errorf("%s: unexpected answer: %v", method, err)
	}
	return nil
}

// assetArg returns the one ASSET argument.
func assetArg(rest []string, what string) (string, error) {
	if len(rest) == 0 || rest[0] == "" {
		return "", fmt.Errorf("%w: %s needs an ASSET (id or ticker)", errUsage, what)
	}
	return rest[0], nil
}

// assetInfo is getassetinfo's answer.
type assetInfo struct {
	Asset    string `json:"asset"`
	Ticker   string `json:"ticker"`
	Name     string `json:"name"`
	Contract struct {
		Decimals int          `json:"decimals"`
		Basket   []basketGood `json:"basket"`
		Issuer   string       `json:"issuer"`
		Auditors string       `json:"auditors"`
		Hash     string       `json:"hash"`
	} `json:"contract"`
	IssueTxID    string           `json:"issue_txid"`
	IssueHeight  int64            `json:"issue_height"`
	Issued       int64            `json:"issued"`
	Burned       int64            `json:"burned"`
	Redeemed     int64            `json:"redeemed"`
	Supply       int64            `json:"supply"`
	Attestations int64            `json:"attestations"`
	Latest       *attestationInfo `json:"latest_attestation"`
}

type basketGood struct {
	Good     string `json:"good"`
	Unit     string `json:"unit"`
	Quantity string `json:"quantity"`
}

type attestationInfo struct {
	Time         int64             `json:"time"`
	DocumentHash string            `json:"document_hash"`
	Holdings     map[string]string `json:"holdings"`
	TxID         string            `json:"txid"`
	Height       int64             `json:"height"`
}

// units formats base units in the asset's decimals.
func (i *assetInfo) units(v int64) string {
	return asset.FormatUnits(big.NewInt(v), i.Contract.Decimals)
}

// unitText is "0.5 kg rice + 0.2 l fuel + 1 g gold".
func (i *assetInfo) unitText() string {
	var parts []string
	for _, g := range i.Contract.Basket {
		parts = append(parts, g.Quantity+" "+g.Unit+" "+g.Good)
	}
	return strings.Join(parts, " + ")
}

// holdingsText is "rice 750 kg, fuel 300 l" in basket order.
func (i *assetInfo) holdingsText(h map[string]string) string {
	var parts []string
	for _, g := range i.Contract.Basket {
		if q, ok := h[g.Good]; ok {
			parts = append(parts, g.Good+" "+q+" "+g.Unit)
		}
	}
	return strings.Join(parts, ", ")
}

// lookup resolves ref (an id or a ticker) to the asset's info, with
// clear errors for unknown and ambiguous names.
func (a *assetCmd) lookup(ctx context.Context, ref string) (*assetInfo, json.RawMessage, error) {
	id := strings.ToLower(ref)
	if b, err := hex.DecodeString(id); err != nil || len(b) != 32 {
		var all []struct{ Asset, Ticker string }
		if err := a.call(ctx, &all, "listassets"); err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, x := range all {
			if strings.EqualFold(x.Ticker, ref) {
				ids = append(ids, x.Asset)
			}
		}
		switch len(ids) {
		case 0:
			return nil, nil, fmt.Errorf("unknown asset %q: not an asset id, and no asset has that ticker ('ballast asset list' shows them)", ref)
		case 1:
			id = ids[0]
		default:
			return nil, nil, fmt.Errorf("ticker %s names %d assets (tickers are not unique); use an id: %s", ref, len(ids), strings.Join(ids, ", "))
		}
	}
	var raw json.RawMessage
	if err := a.call(ctx, &raw, "getassetinfo", id); err != nil {
		var ce *rpcCallError
		if errors.As(err, &ce) && ce.e.Code == rpc.CodeInvalidAddressOrKey {
			return nil, nil, fmt.Errorf("unknown asset %s: no such asset on this node's chain (issuances count once mined)", id)
		}
		return nil, nil, err
	}
	var info assetInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		return nil, nil, fmt.Errorf("getassetinfo: unexpected answer: %v", err)
	}
	return &info, raw, nil
}

// parseAmount reads a non-negative decimal string with at most decimals
// fraction digits as base units (no floats): "12.5" with 2 decimals is 1250.
func parseAmount(s string, decimals int) (int64, error) {
	whole, frac, dot := strings.Cut(strings.TrimSpace(s), ".")
	digits := func(x string) bool {
		for _, c := range x {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	switch {
	case whole == "" && frac == "", !digits(whole), !digits(frac), dot && frac == "":
		return 0, fmt.Errorf("amount %q: want a decimal number such as 12.5", s)
	case len(frac) > decimals:
		return 0, fmt.Errorf("amount %q has %d decimals; the asset has %d", s, len(frac), decimals)
	}
	v, _ := new(big.Int).SetString(whole+frac+strings.Repeat("0", decimals-len(frac)), 10)
	if v.Cmp(big.NewInt(asset.MaxAmount)) > 0 {
		return 0, fmt.Errorf("amount %q is above the limit of %s", s, asset.FormatUnits(big.NewInt(asset.MaxAmount), decimals))
	}
	return v.Int64(), nil
}

// amountFlag requires -amount and parses it in the asset's decimals.
func amountFlag(s string, decimals int, positive bool) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: need -amount", errUsage)
	}
	v, err := parseAmount(s, decimals)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errUsage, err)
	}
	if positive && v == 0 {
		return 0, fmt.Errorf("%w: -amount must be positive", errUsage)
	}
	return v, nil
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, " ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func runAssetIssue(ctx context.Context, a *assetCmd, args []string) error {
	fs := a.fs
	file := fs.String("contract", "", "contract JSON `file` (docs/assets.md); flags below override its fields")
	cf := contractFlags{}
	fs.StringVar(&cf.name, "name", "", "asset `name`")
	fs.StringVar(&cf.ticker, "ticker", "", "`ticker`, 1..12 of A-Z 0-9")
	fs.IntVar(&cf.decimals, "decimals", -1, "`decimals` of one unit, 0..18")
	fs.Var(&cf.goods, "good", "a basket good per unit as `NAME:QUANTITY:UNIT` (rice:0.5:kg); repeatable")
	fs.StringVar(&cf.issuer, "issuer", "", "issuer `policy` text (default: a new key of the wallet)")
	fs.Var(&cf.auditorKeys, "auditor", "auditor public `key` (64 hex, x-only); repeatable")
	fs.IntVar(&cf.threshold, "threshold", 0, "auditor signatures `k` needed of the -auditor keys")
	fs.StringVar(&cf.auditors, "auditors", "", "auditor `policy` text, instead of -auditor and -threshold")
	amount := fs.String("amount", "", "`units` to issue, in the asset's decimals")
	to := fs.String("to", "", "`address` receiving the units (default: a new wallet address)")
	if _, err := a.parse(args, 0); err != nil {
		return err
	}
	spec := &contractSpec{}
	if *file != "" {
		var err error
		if spec, err = readContractFile(*file); err != nil {
			return err
		}
	}
	if err := cf.apply(spec); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	obj, err := spec.rpcObject()
	if err != nil {
		return fmt.Errorf("%w: contract: %v", errUsage, err)
	}
	v, err := amountFlag(*amount, spec.Decimals, false)
	if err != nil {
		return err
	}
	params := []any{obj, v}
	if *to != "" {
		params = append(params, *to)
	}
	var res struct{ TxID, Asset string }
	var raw json.RawMessage
	if err := a.call(ctx, &raw, "issueasset", params...); err != nil {
		return err
	}
	if *a.asJSON {
		return printResult(a.env.Stdout, raw)
	}
	_ = json.Unmarshal(raw, &res)
	fmt.Fprintf(a.env.Stdout, "asset %s\ntxid  %s\nissued %s %s (%d base units); 1 %s = %s\nOnce mined: ballast asset info %s\n",
		res.Asset, res.TxID, asset.FormatUnits(big.NewInt(v), spec.Decimals), spec.Ticker, v, spec.Ticker, spec.unitText(), res.Asset)
	return nil
}

// runAssetSupply runs reissue, burn and redeem.
func runAssetSupply(ctx context.Context, a *assetCmd, args []string, method string) error {
	amount := a.fs.String("amount", "", "`units` in the asset's decimals")
	var to, ref *string
	switch method {
	case "reissueasset":
		to = a.fs.String("to", "", "`address` receiving the units (default: a new wallet address)")
	case "redeemasset":
		ref = a.fs.String("reference", "", "redemption `reference` for delivery of the goods (1..80 bytes)")
	}
	rest, err := a.parse(args, 1)
	if err != nil {
		return err
	}
	ref0, err := assetArg(rest, strings.TrimSuffix(method, "asset"))
	if err != nil {
		return err
	}
	if ref != nil && (*ref == "" || len(*ref) > 80) {
		return fmt.Errorf("%w: redeem needs -reference of 1..80 bytes", errUsage)
	}
	info, _, err := a.lookup(ctx, ref0)
	if err != nil {
		return err
	}
	v, err := amountFlag(*amount, info.Contract.Decimals, true)
	if err != nil {
		return err
	}
	params := []any{info.Asset, v}
	switch {
	case to != nil && *to != "":
		params = append(params, *to)
	case ref != nil:
		params = append(params, *ref)
	}
	var raw json.RawMessage
	if err := a.call(ctx, &raw, method, params...); err != nil {
		return err
	}
	if *a.asJSON {
		return printResult(a.env.Stdout, raw)
	}
	var res struct{ TxID string }
	_ = json.Unmarshal(raw, &res)
	verb := map[string]string{"reissueasset": "reissued", "burnasset": "burned", "redeemasset": "redeemed"}[method]
	fmt.Fprintf(a.env.Stdout, "%s %s %s in transaction %s\n", verb, info.units(v), info.Ticker, res.TxID)
	return nil
}

func runAssetReissue(ctx context.Context, a *assetCmd, args []string) error {
	return runAssetSupply(ctx, a, args, "reissueasset")
}

func runAssetBurn(ctx context.Context, a *assetCmd, args []string) error {
	return runAssetSupply(ctx, a, args, "burnasset")
}

func runAssetRedeem(ctx context.Context, a *assetCmd, args []string) error {
	return runAssetSupply(ctx, a, args, "redeemasset")
}

func runAssetInfo(ctx context.Context, a *assetCmd, args []string) error {
	rest, err := a.parse(args, 1)
	if err != nil {
		return err
	}
	ref, err := assetArg(rest, "info")
	if err != nil {
		return err
	}
	info, raw, err := a.lookup(ctx, ref)
	if err != nil {
		return err
	}
	if *a.asJSON {
		return printResult(a.env.Stdout, raw)
	}
	w := tabwriter.NewWriter(a.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "%s\t%s\n", info.Ticker, info.Name)
	fmt.Fprintf(w, "asset\t%s\n", info.Asset)
	fmt.Fprintf(w, "unit\t1 %s = %s\n", info.Ticker, info.unitText())
	fmt.Fprintf(w, "decimals\t%d\n", info.Contract.Decimals)
	fmt.Fprintf(w, "supply\t%s %s\n", info.units(info.Supply), info.Ticker)
	fmt.Fprintf(w, "issued\t%s (first in %s at height %d)\n", info.units(info.Issued), info.IssueTxID, info.IssueHeight)
	fmt.Fprintf(w, "burned\t%s (of which redeemed %s)\n", info.units(info.Burned), info.units(info.Redeemed))
	fmt.Fprintf(w, "issuer\t%s\n", info.Contract.Issuer)
	fmt.Fprintf(w, "auditors\t%s\n", info.Contract.Auditors)
	if l := info.Latest; l != nil {
		fmt.Fprintf(w, "attestations\t%d; latest counted %s, height %d: %s\n", info.Attestations,
			time.Unix(l.Time, 0).UTC().Format(time.RFC3339), l.Height, info.holdingsText(l.Holdings))
	} else {
		fmt.Fprintf(w, "attestations\tnone\n")
	}
	return w.Flush()
}

func runAssetList(ctx context.Context, a *assetCmd, args []string) error {
	if _, err := a.parse(args, 0); err != nil {
		return err
	}
	var raw json.RawMessage
	if err := a.call(ctx, &raw, "listassets"); err != nil {
		return err
	}
	if *a.asJSON {
		return printResult(a.env.Stdout, raw)
	}
	var all []struct {
		Asset, Ticker, Name  string
		Decimals             int
		Supply, Attestations int64
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("listassets: unexpected answer: %v", err)
	}
	if len(all) == 0 {
		fmt.Fprintln(a.env.Stdout, "no assets")
		return nil
	}
	w := tabwriter.NewWriter(a.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TICKER\tNAME\tSUPPLY\tATTESTATIONS\tASSET")
	for _, x := range all {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", x.Ticker, x.Name, asset.FormatUnits(big.NewInt(x.Supply), x.Decimals), x.Attestations, x.Asset)
	}
	return w.Flush()
}

// queryAsset is the shared start of the read-only subcommands: one asset
// argument (id or ticker), looked up, then method called with its id. With
// -json it prints the node's answer and reports done.
func (a *assetCmd) queryAsset(ctx context.Context, args []string, sub, method string) (*assetInfo, json.RawMessage, bool, error) {
	rest, err := a.parse(args, 1)
	if err != nil {
		return nil, nil, false, err
	}
	ref, err := assetArg(rest, sub)
	if err != nil {
		return nil, nil, false, err
	}
	info, _, err := a.lookup(ctx, ref)
	if err != nil {
		return nil, nil, false, err
	}
	var raw json.RawMessage
	if err := a.call(ctx, &raw, method, info.Asset); err != nil {
		return nil, nil, false, err
	}
	if *a.asJSON {
		return info, raw, true, printResult(a.env.Stdout, raw)
	}
	return info, raw, false, nil
}

func runAssetHistory(ctx context.Context, a *assetCmd, args []string) error {
	info, raw, done, err := a.queryAsset(ctx, args, "history", "getassethistory")
	if done || err != nil {
		return err
	}
	var evs []struct {
		Kind        string           `json:"kind"`
		Height      int64            `json:"height"`
		TxID        string           `json:"txid"`
		Amount      *int64           `json:"amount"`
		Reference   *string          `json:"reference"`
		Attestation *attestationInfo `json:"attestation"`
	}
	if err := json.Unmarshal(raw, &evs); err != nil {
		return fmt.Errorf("getassethistory: unexpected answer: %v", err)
	}
	w := tabwriter.NewWriter(a.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "HEIGHT\tKIND\tAMOUNT\tTXID\tDETAIL")
	for _, e := range evs {
		amount, detail := "", ""
		if e.Amount != nil {
			amount = info.units(*e.Amount)
		}
		if e.Reference != nil {
			detail = fmt.Sprintf("reference %q", *e.Reference)
		}
		if at := e.Attestation; at != nil {
			detail = "counted " + time.Unix(at.Time, 0).UTC().Format(time.RFC3339) + ": " + info.holdingsText(at.Holdings)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", e.Height, e.Kind, amount, e.TxID, detail)
	}
	return w.Flush()
}

func runAssetReserves(ctx context.Context, a *assetCmd, args []string) error {
	info, raw, done, err := a.queryAsset(ctx, args, "reserves", "getreserves")
	if done || err != nil {
		return err
	}
	var r struct {
		Supply       string `json:"supply"`
		Coverage     string `json:"coverage"`
		LeastCovered string `json:"least_covered"`
		Underbacked  bool   `json:"underbacked"`
		Goods        []struct {
			Good, Unit, Held, Required, Coverage string
			Covered                              bool
		} `json:"goods"`
		Attestation *attestationInfo `json:"attestation"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("getreserves: unexpected answer: %v", err)
	}
	state := "fully backed"
	if r.Underbacked {
		state = "UNDER-BACKED"
	}
	fmt.Fprintf(a.env.Stdout, "%s supply %s; %s", info.Ticker, r.Supply, state)
	if r.Coverage != "" {
		fmt.Fprintf(a.env.Stdout, ", coverage %s (least covered: %s)", r.Coverage, r.LeastCovered)
	}
	if r.Attestation == nil {
		fmt.Fprint(a.env.Stdout, "; no attestation yet")
	} else {
		fmt.Fprintf(a.env.Stdout, "; counted %s", time.Unix(r.Attestation.Time, 0).UTC().Format(time.RFC3339))
	}
	fmt.Fprintln(a.env.Stdout)
	w := tabwriter.NewWriter(a.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "GOOD\tHELD\tREQUIRED\tCOVERAGE\tCOVERED")
	for _, g := range r.Goods {
		fmt.Fprintf(w, "%s\t%s %s\t%s %s\t%s\t%v\n", g.Good, g.Held, g.Unit, g.Required, g.Unit, g.Coverage, g.Covered)
	}
	return w.Flush()
}

// contractSpec is the contract file: the issueasset RPC's contract object,
// with auditors either as policy text or as {"threshold": k, "keys": [...]}.
type contractSpec struct {
	Name     string `json:"name"`
	Ticker   string `json:"ticker"`
	Decimals int    `json:"decimals"`
	Basket   []struct {
		Good     string      `json:"good"`
		Unit     string      `json:"unit"`
		Quantity json.Number `json:"quantity"`
	} `json:"basket"`
	Issuer   string          `json:"issuer,omitempty"`
	Auditors json.RawMessage `json:"auditors"`
}

func readContractFile(path string) (*contractSpec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	var s contractSpec
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("contract file %s: %v (docs/assets.md shows the format)", path, err)
	}
	if d.More() {
		return nil, fmt.Errorf("contract file %s: trailing data after the contract object", path)
	}
	return &s, nil
}

func (s *contractSpec) unitText() string {
	var parts []string
	for _, g := range s.Basket {
		parts = append(parts, string(g.Quantity)+" "+g.Unit+" "+g.Good)
	}
	return strings.Join(parts, " + ")
}

// auditorPolicy returns the auditor policy text.
func (s *contractSpec) auditorPolicy() (string, error) {
	raw := strings.TrimSpace(string(s.Auditors))
	if raw == "" || raw == "null" {
		return "", errors.New("no auditors: give -auditor keys and -threshold, or -auditors")
	}
	var text string
	if json.Unmarshal(s.Auditors, &text) == nil {
		return text, nil
	}
	var ks struct {
		Threshold int      `json:"threshold"`
		Keys      []string `json:"keys"`
	}
	d := json.NewDecoder(strings.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&ks); err != nil {
		return "", fmt.Errorf(`auditors must be policy text or {"threshold": k, "keys": [...]}: %v`, err)
	}
	return thresholdPolicy(ks.Threshold, ks.Keys)
}

// thresholdPolicy is "thresh(k,key(a),...)", or "key(a)" for one key.
func thresholdPolicy(k int, keys []string) (string, error) {
	if len(keys) == 0 {
		return "", errors.New("no auditor keys")
	}
	var nodes []string
	for _, key := range keys {
		b, err := hex.DecodeString(strings.TrimSpace(key))
		if err != nil || len(b) != 32 {
			return "", fmt.Errorf("auditor key %q: want 64 hex characters (an x-only public key)", key)
		}
		nodes = append(nodes, "key("+hex.EncodeToString(b)+")")
	}
	if len(keys) == 1 && k <= 1 {
		return nodes[0], nil
	}
	if k < 1 || k > len(keys) {
		return "", fmt.Errorf("threshold %d: want 1..%d (the number of auditor keys)", k, len(keys))
	}
	return fmt.Sprintf("thresh(%d,%s)", k, strings.Join(nodes, ",")), nil
}

// rpcObject checks the contract as consensus will (asset.Contract.Validate)
// and returns issueasset's contract object.
func (s *contractSpec) rpcObject() (map[string]any, error) {
	if s.Decimals < 0 || s.Decimals > asset.MaxDecimals {
		return nil, fmt.Errorf("decimals %d: want 0..%d", s.Decimals, asset.MaxDecimals)
	}
	audText, err := s.auditorPolicy()
	if err != nil {
		return nil, err
	}
	aud, err := policy.ParseText(audText)
	if err != nil {
		return nil, fmt.Errorf("auditors: %v", err)
	}
	c := &asset.Contract{Name: s.Name, Ticker: s.Ticker, Decimals: uint8(s.Decimals),
		AuditorPolicy: aud.Encode(), IssuerPolicy: aud.Encode()} // issuer checked below, or the wallet's key
	if s.Issuer != "" {
		iss, err := policy.ParseText(s.Issuer)
		if err != nil {
			return nil, fmt.Errorf("issuer: %v", err)
		}
		c.IssuerPolicy = iss.Encode()
	}
	var basket []map[string]string
	for _, g := range s.Basket {
		q := string(g.Quantity)
		_, frac, _ := strings.Cut(q, ".")
		v, err := parseAmount(q, len(frac))
		if err != nil || v == 0 {
			return nil, fmt.Errorf("good %q: quantity %q: want a positive decimal such as 0.5", g.Good, q)
		}
		c.Basket = append(c.Basket, asset.Good{Name: g.Good, Unit: g.Unit, Quantity: uint64(v), Decimals: uint8(len(frac))})
		basket = append(basket, map[string]string{"good": g.Good, "unit": g.Unit, "quantity": q})
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	obj := map[string]any{"name": s.Name, "ticker": s.Ticker, "decimals": s.Decimals, "basket": basket, "auditors": audText}
	if s.Issuer != "" {
		obj["issuer"] = s.Issuer
	}
	return obj, nil
}

// contractFlags are issue's contract flags; set ones override the file.
type contractFlags struct {
	name, ticker, issuer, auditors string
	decimals, threshold            int
	goods, auditorKeys             repeated
}

func (f *contractFlags) apply(s *contractSpec) error {
	if f.name != "" {
		s.Name = f.name
	}
	if f.ticker != "" {
		s.Ticker = f.ticker
	}
	if f.decimals >= 0 {
		s.Decimals = f.decimals
	}
	if f.issuer != "" {
		s.Issuer = f.issuer
	}
	if len(f.goods) > 0 {
		s.Basket = s.Basket[:0]
		for _, g := range f.goods {
			parts := strings.Split(g, ":")
			if len(parts) != 3 {
				return fmt.Errorf("-good %q: want NAME:QUANTITY:UNIT, such as rice:0.5:kg", g)
			}
			s.Basket = append(s.Basket, struct {
				Good     string      `json:"good"`
				Unit     string      `json:"unit"`
				Quantity json.Number `json:"quantity"`
			}{parts[0], parts[2], json.Number(parts[1])})
		}
	}
	switch {
	case f.auditors != "" && len(f.auditorKeys) > 0:
		return errors.New("give -auditors or -auditor keys, not both")
	case f.auditors != "":
		s.Auditors, _ = json.Marshal(f.auditors)
	case len(f.auditorKeys) > 0:
		text, err := thresholdPolicy(f.threshold, f.auditorKeys)
		if err != nil {
			return err
		}
		s.Auditors, _ = json.Marshal(text)
	case f.threshold != 0:
		return errors.New("-threshold needs -auditor keys")
	}
	if s.Name == "" || s.Ticker == "" || len(s.Basket) == 0 {
		return errors.New("a contract needs a name, a ticker and at least one good (-contract FILE, or -name, -ticker, -good)")
	}
	return nil
}

package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
)

func walletCommand() command {
	return command{
		name:    "wallet",
		summary: "wallet tools: create (via the node), and offline xpub, sign, combine, finalize",
		run:     runWallet,
	}
}

const walletUsage = `usage: ballast wallet <create|xpub|sign|combine|finalize> [flags]
  create   -name NAME [-no-passphrase] [-restore]  create a wallet in the running node; reads the
           passphrase (and, with -restore, the mnemonic first) from standard input
  xpub     print the account xpubs of a mnemonic read from standard input (offline)
  sign     -in FILE   sign a partially signed transaction with a mnemonic read from standard
           input; no node and no network needed (offline)
  combine  FILE...    merge signatures of several copies (offline)
  finalize -in FILE   build the witnesses and print the transaction hex (offline)`

func runWallet(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, walletUsage)
		return fmt.Errorf("%w: need a wallet command", errUsage)
	}
	fs := flag.NewFlagSet("wallet "+args[0], flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	network := fs.String("network", "regtest", "mainnet, testnet or regtest")
	datadir := fs.String("datadir", rpc.DefaultBaseDir(), "base data directory (create)")
	rpcURL := fs.String("rpcconnect", "", "node RPC URL (create; default the network's local port)")
	name := fs.String("name", "", "wallet name (create)")
	noPass := fs.Bool("no-passphrase", false, "do not encrypt the wallet (create)")
	restore := fs.Bool("restore", false, "restore from a mnemonic read from standard input (create)")
	in := fs.String("in", "-", "packet file, base64 (sign, finalize); - is standard input after the mnemonic")
	seedPass := fs.Bool("seed-passphrase", false, "read a BIP39 passphrase line after the mnemonic (xpub, sign)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	p, err := params.ByName(*network)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	lines := bufio.NewReader(env.Stdin)
	readLine := func(what string) (string, error) {
		s, err := lines.ReadString('\n')
		if err != nil && (err != io.EOF || s == "") {
			return "", fmt.Errorf("reading %s from standard input: %w", what, err)
		}
		return strings.TrimRight(s, "\r\n"), nil
	}
	readMnemonic := func() (hd.Mnemonic, wallet.Passphrase, error) {
		s, err := readLine("the mnemonic")
		if err != nil {
			return "", "", err
		}
		mn, err := hd.ParseMnemonic(s)
		if err != nil {
			return "", "", err
		}
		var sp string
		if *seedPass {
			if sp, err = readLine("the BIP39 passphrase"); err != nil {
				return "", "", err
			}
		}
		return mn, wallet.Passphrase(sp), nil
	}
	readPacket := func() (*psbt.Packet, error) {
		var b []byte
		if *in == "-" {
			b, err = io.ReadAll(lines)
		} else {
			b, err = os.ReadFile(*in)
		}
		if err != nil {
			return nil, err
		}
		return psbt.ParseBase64(strings.TrimSpace(string(b)))
	}
	switch args[0] {
	case "xpub":
		mn, sp, err := readMnemonic()
		if err != nil {
			return err
		}
		k, m, err := wallet.AccountXpubs(mn, sp, p.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "single-key account (m/86'/%d'/0'): %s\nmultisig cosigner (m/48'/%d'/0'/4'): %s\n",
			hd.CoinType(p.Name), k, hd.CoinType(p.Name), m)
		return nil
	case "sign":
		mn, sp, err := readMnemonic()
		if err != nil {
			return err
		}
		pk, err := readPacket()
		if err != nil {
			return err
		}
		s, err := wallet.NewOfflineSigner(mn, sp, p.Name, 0)
		if err != nil {
			return err
		}
		n, err := pk.Sign(s)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "added %d signature(s); fee %s\n", n, rpc.Amount(pk.Fee()))
		fmt.Fprintln(env.Stdout, pk.Base64())
		return nil
	case "combine":
		var ps []*psbt.Packet
		for _, f := range fs.Args() {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			pk, err := psbt.ParseBase64(strings.TrimSpace(string(b)))
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			ps = append(ps, pk)
		}
		if len(ps) == 0 {
			return fmt.Errorf("%w: combine needs packet files", errUsage)
		}
		if err := ps[0].Combine(ps[1:]...); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, ps[0].Base64())
		return nil
	case "finalize":
		pk, err := readPacket()
		if err != nil {
			return err
		}
		done, err := pk.Finalize()
		if err != nil {
			return err
		}
		if !done {
			fmt.Fprintln(env.Stdout, pk.Base64())
			return fmt.Errorf("not every input has enough signatures yet")
		}
		tx, _ := pk.Extract()
		fmt.Fprintf(env.Stdout, "%x\n", tx.Bytes())
		return nil
	case "create":
		if *name == "" {
			return fmt.Errorf("%w: -name is required", errUsage)
		}
		opts := map[string]any{}
		if *restore {
			mn, _, err := readMnemonic()
			if err != nil {
				return err
			}
			opts["mnemonic"] = mn.Reveal()
		}
		pass := ""
		if !*noPass {
			fmt.Fprintln(env.Stderr, "Wallet passphrase (one line; an empty line refuses, use -no-passphrase for none):")
			if pass, err = readLine("the passphrase"); err != nil {
				return err
			}
			if pass == "" {
				return fmt.Errorf("%w: empty passphrase (use -no-passphrase)", errUsage)
			}
		}
		url := *rpcURL
		if url == "" {
			url = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(int(p.RPCPort))) + "/"
		}
		client, err := rpc.NewCookieClient(url, rpc.CookiePath(rpc.DataDir(*datadir, p.Name)))
		if err != nil {
			return fmt.Errorf("is the %s node running with -datadir %s? %w", p.Name, *datadir, err)
		}
		res, err := client.Call(ctx, "createwallet", []any{*name, false, false, pass, false, false, false, opts})
		if err != nil {
			return err
		}
		var out struct {
			Name     string `json:"name"`
			Mnemonic string `json:"mnemonic"`
		}
		if err := json.Unmarshal(res, &out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created wallet %q (encrypted: %v)\n", out.Name, pass != "")
		if out.Mnemonic != "" {
			fmt.Fprintf(env.Stdout, "mnemonic (write it down, keep it offline; it is not shown again):\n  %s\n", out.Mnemonic)
		}
		return nil
	}
	fmt.Fprintln(env.Stderr, walletUsage)
	return fmt.Errorf("%w: unknown wallet command %q", errUsage, args[0])
}

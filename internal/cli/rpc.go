package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
)

func rpcCommand() command {
	return command{
		name:    "rpc",
		summary: "call a node's JSON-RPC method, like bitcoin-cli",
		run:     runRPC,
	}
}

// rpcCallError is a JSON-RPC error, printed as bitcoin-cli prints it.
type rpcCallError struct{ e *rpc.Error }

func (r *rpcCallError) Error() string {
	return fmt.Sprintf("error code: %d\nerror message:\n%s", r.e.Code, r.e.Message)
}

// runRPC is "ballast rpc [flags] METHOD [ARGS...]": it sends one request to
// the node and prints the result (strings as they are, other values as
// indented JSON, nothing for null). Exit codes: 0 success, 1 an RPC error
// or no connection, 2 bad usage.
func runRPC(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("rpc", env)
	conn := addRPCClientFlags(fs)
	named := fs.Bool("named", false, "pass arguments as name=value (arguments without '=' are positional)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: ballast rpc [flags] METHOD [ARGS...]
       ballast rpc [flags] -named METHOD [NAME=VALUE... | ARG...]
       ballast rpc help [METHOD]

Calls a method of a running node over JSON-RPC, as bitcoin-cli does.
Arguments are sent as strings for string parameters and parsed as JSON
otherwise (numbers, true/false, objects, arrays). Results print as strings
or indented JSON. Credentials come from the cookie file the node writes to
<datadir>/<network>/.cookie, or from -rpcuser/-rpcpassword.

Exit codes: 0 success, 1 RPC error (printed as "error code: N" and
"error message:") or no connection, 2 bad usage.

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: need a METHOD", errUsage)
	}
	method, methodArgs := rest[0], rest[1:]

	client, err := conn.client(env.Stdin)
	if err != nil {
		return err
	}
	callParams, err := rpc.ConvertArgs(method, methodArgs, *named)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, cancel := conn.withTimeout(ctx)
	defer cancel()
	result, err := client.Call(ctx, method, callParams)
	if err != nil {
		return rpcCallErr(err, client.URL)
	}
	return printResult(env.Stdout, result)
}

// rpcClientFlags are the connection flags of the commands that talk to a
// running node over JSON-RPC (ballast rpc, ballast asset).
type rpcClientFlags struct {
	network, paramsFile, dataDir, rpcURL *string
	user, password, cookieFile, wallet   *string
	stdinPass                            *bool
	timeout                              *time.Duration
}

func addRPCClientFlags(fs *flag.FlagSet) *rpcClientFlags {
	return &rpcClientFlags{
		network:    fs.String("network", "mainnet", "`network`: mainnet, testnet or regtest"),
		paramsFile: fs.String("params", "", "network `file` of a network made with 'ballast genesis' (instead of -network)"),
		dataDir:    fs.String("datadir", rpc.DefaultBaseDir(), "base data `directory`; the cookie is read from <datadir>/<network>/.cookie"),
		rpcURL:     fs.String("rpcurl", "", "server `URL` (default http://127.0.0.1:<the network's RPC port>/)"),
		user:       fs.String("rpcuser", "", "`user` name for password authentication"),
		password:   fs.String("rpcpassword", "", "`password` for password authentication (instead of the cookie)"),
		stdinPass:  fs.Bool("stdinrpcpass", false, "read the RPC password from the first line of standard input"),
		cookieFile: fs.String("rpccookiefile", "", "cookie `file` (default <datadir>/<network>/.cookie)"),
		wallet:     fs.String("rpcwallet", "", "send the request to the wallet endpoint /wallet/<`name`>"),
		timeout:    fs.Duration("rpcclienttimeout", 900*time.Second, "give up after this `duration` (0: never)"),
	}
}

// client returns a client for the node the flags name, with its URL and
// credentials (cookie, password, or a password read from stdin).
func (f *rpcClientFlags) client(stdin io.Reader) (*rpc.Client, error) {
	p, err := rpcNetwork(*f.network, *f.paramsFile)
	if err != nil {
		return nil, err
	}
	url := *f.rpcURL
	if url == "" {
		url = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(int(p.RPCPort))) + "/"
	}
	if *f.wallet != "" {
		url = strings.TrimRight(url, "/") + "/wallet/" + urlEscape(*f.wallet)
	}
	client := &rpc.Client{URL: url}
	switch {
	case *f.stdinPass:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return nil, fmt.Errorf("reading the RPC password from standard input: %w", err)
		}
		client.User, client.Password = *f.user, rpc.Secret(strings.TrimRight(line, "\r\n"))
	case *f.password != "":
		client.User, client.Password = *f.user, rpc.Secret(*f.password)
	default:
		path := *f.cookieFile
		if path == "" {
			path = rpc.CookiePath(rpc.DataDir(*f.dataDir, p.Name))
		}
		u, pw, err := rpc.ReadCookie(path)
		if err != nil {
			return nil, fmt.Errorf("could not locate RPC credentials: no cookie file (%v) and no -rpcpassword; "+
				"is the %s node running with -datadir %s", err, p.Name, *f.dataDir)
		}
		client.User, client.Password = u, pw
	}
	return client, nil
}

// withTimeout applies -rpcclienttimeout to ctx.
func (f *rpcClientFlags) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if *f.timeout > 0 {
		return context.WithTimeout(ctx, *f.timeout)
	}
	return context.WithCancel(ctx)
}

// rpcCallErr turns a failed call into the CLI's error: a JSON-RPC error
// as bitcoin-cli prints it, or a hint when nothing answers at url.
func rpcCallErr(err error, url string) error {
	var re *rpc.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &re):
		return &rpcCallError{re}
	case errors.As(err, &opErr):
		return fmt.Errorf("could not connect to the server %s: %v\n\n"+
			"Make sure the ballast node is running and that you are connecting to the correct RPC port (-network, -rpcurl)", url, opErr.Err)
	}
	return err
}

// rpcNetwork returns the network named by -network or described by
// -params.
func rpcNetwork(name, file string) (*params.Params, error) {
	if file == "" {
		p, err := params.ByName(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		return p, nil
	}
	data, err := readSpec(file)
	if err != nil {
		return nil, err
	}
	p, err := params.ParseFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid network file:%s", file, listErrors(err))
	}
	return p, nil
}

// printResult prints a result as bitcoin-cli does: nothing for null, a
// string without quotes, anything else as JSON indented by two spaces
// (numbers keep their exact text, so amounts keep eight decimals).
func printResult(w io.Writer, result json.RawMessage) error {
	trimmed := bytes.TrimSpace(result)
	switch {
	case len(trimmed) == 0 || string(trimmed) == "null":
		return nil
	case trimmed[0] == '"':
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, s)
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, trimmed, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// urlEscape escapes a wallet name for the URL path as Core's bitcoin-cli
// does (everything but unreserved characters).
func urlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

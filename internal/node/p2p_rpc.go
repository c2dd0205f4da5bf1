package node

import (
	"context"
	"errors"
	"time"

	"github.com/ballast-chain/ballast/internal/p2p"
	"github.com/ballast-chain/ballast/internal/p2p/banlist"
	"github.com/ballast-chain/ballast/internal/rpc"
)

// The network's RPC methods, in Bitcoin Core's shapes.

type peerInfoJSON struct {
	ID             int64    `json:"id"`
	Addr           string   `json:"addr"`
	AddrBind       string   `json:"addrbind"`
	Network        string   `json:"network"`
	Services       string   `json:"services"`
	ServicesNames  []string `json:"servicesnames"`
	RelayTxes      bool     `json:"relaytxes"`
	LastSend       int64    `json:"lastsend"`
	LastRecv       int64    `json:"lastrecv"`
	BytesSent      uint64   `json:"bytessent"`
	BytesRecv      uint64   `json:"bytesrecv"`
	ConnTime       int64    `json:"conntime"`
	TimeOffset     int64    `json:"timeoffset"`
	PingTime       *float64 `json:"pingtime,omitempty"`
	MinPing        *float64 `json:"minping,omitempty"`
	PingWait       *float64 `json:"pingwait,omitempty"`
	Version        uint32   `json:"version"`
	SubVer         string   `json:"subver"`
	Inbound        bool     `json:"inbound"`
	StartingHeight int32    `json:"startingheight"`
	SyncedHeaders  int32    `json:"synced_headers"`
	SyncedBlocks   int32    `json:"synced_blocks"`
	Inflight       []int32  `json:"inflight"`
	ConnectionType string   `json:"connection_type"`
	BanScore       int      `json:"banscore"`
}

func seconds(d time.Duration) *float64 {
	if d == 0 {
		return nil
	}
	v := d.Seconds()
	return &v
}

func peerJSON(pi p2p.PeerInfo) peerInfoJSON {
	ct := "outbound-full-relay"
	switch {
	case pi.Manual:
		ct = "manual"
	case pi.Inbound:
		ct = "inbound"
	}
	names := []string{}
	if pi.Services&1 != 0 {
		names = append(names, "NETWORK")
	}
	return peerInfoJSON{ID: pi.ID, Addr: pi.Addr, AddrBind: pi.AddrBind, Network: "ipv4",
		Services: servicesHex(pi.Services), ServicesNames: names, RelayTxes: true, LastSend: pi.LastSend,
		LastRecv: pi.LastRecv, BytesSent: pi.BytesSent, BytesRecv: pi.BytesRecv, ConnTime: pi.ConnTime,
		PingTime: seconds(pi.PingTime), MinPing: seconds(pi.MinPing), PingWait: seconds(pi.PingWait),
		Version: pi.Version, SubVer: pi.SubVer, Inbound: pi.Inbound, StartingHeight: pi.StartingHeight,
		SyncedHeaders: pi.SyncedHeaders, SyncedBlocks: pi.SyncedHeaders, Inflight: []int32{},
		ConnectionType: ct, BanScore: pi.BanScore}
}

func servicesHex(s uint64) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 16)
	for i := 15; i >= 0; i-- {
		b[i] = digits[s&15]
		s >>= 4
	}
	return string(b)
}

func (n *Node) registerP2PMethods() error {
	s := n.P2P
	methods := []rpc.Method{
		{Name: "getpeerinfo", Category: "Network",
			Help:   "Returns data about each connected network peer as a json array of objects.",
			Result: "[ { \"id\", \"addr\", \"addrbind\", \"services\", \"lastsend\", \"lastrecv\", \"bytessent\", \"bytesrecv\", \"conntime\", \"pingtime\", \"minping\", \"version\", \"subver\", \"inbound\", \"startingheight\", \"synced_headers\", \"synced_blocks\", \"connection_type\", ... } ]",
			Handler: func(context.Context, *rpc.Request) (any, error) {
				out := []peerInfoJSON{}
				for _, pi := range s.Peers() {
					out = append(out, peerJSON(pi))
				}
				return out, nil
			}},
		{Name: "getconnectioncount", Category: "Network", Help: "Returns the number of connections to other nodes.",
			Result: "n    (numeric) The connection count",
			Handler: func(context.Context, *rpc.Request) (any, error) {
				in, out := s.Counts()
				return in + out, nil
			}},
		{Name: "getnettotals", Category: "Network",
			Help:   "Returns information about network traffic, including bytes in, bytes out, and current system time.",
			Result: "{ \"totalbytesrecv\", \"totalbytessent\", \"timemillis\", \"uploadtarget\" }",
			Handler: func(context.Context, *rpc.Request) (any, error) {
				recv, sent := s.Totals()
				return map[string]any{"totalbytesrecv": recv, "totalbytessent": sent,
					"timemillis": n.cfg.Now().UnixMilli(),
					"uploadtarget": map[string]any{"timeframe": 86400, "target": 0, "target_reached": false,
						"serve_historical_blocks": true, "bytes_left_in_cycle": 0, "time_left_in_cycle": 0}}, nil
			}},
		{Name: "ping", Category: "Network",
			Help:    "Requests that a ping be sent to all other nodes, to measure ping time.\nResults are provided in getpeerinfo, pingtime and pingwait fields.",
			Result:  "null",
			Handler: func(context.Context, *rpc.Request) (any, error) { s.PingAll(); return nil, nil }},
		{Name: "addnode", Category: "Network",
			Help: "Attempts to add or remove a node from the addnode list.\nOr try a connection to a node once.",
			Params: []rpc.Param{{Name: "node", Type: rpc.TypeString, Help: "The address of the peer to connect to"},
				{Name: "command", Type: rpc.TypeString, Help: "'add' to add a node to the list, 'remove' to remove a node from the list, 'onetry' to try a connection to the node once"}},
			Result: "null",
			Handler: func(_ context.Context, req *rpc.Request) (any, error) {
				a := rpc.NewArgs(req)
				node, cmd := a.String(0), a.String(1)
				if err := a.Err(); err != nil {
					return nil, err
				}
				err := s.AddNode(node, cmd)
				switch {
				case errors.Is(err, p2p.ErrAlreadyAdded):
					return nil, rpc.Errorf(rpc.CodeClientNodeAlreadyAdded, "Error: Node already added")
				case errors.Is(err, p2p.ErrNotAdded):
					return nil, rpc.Errorf(rpc.CodeClientNodeNotAdded, "Error: Node could not be removed. It has not been added previously.")
				case err != nil:
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "%v", err)
				}
				return nil, nil
			}},
		{Name: "getaddednodeinfo", Category: "Network",
			Help:   "Returns information about the given added node, or all added nodes\n(note that onetry addnodes are not listed here)",
			Params: []rpc.Param{{Name: "node", Type: rpc.TypeString, Optional: true, Default: "all nodes", Help: "If provided, return information about this specific node, otherwise all nodes are returned."}},
			Result: "[ { \"addednode\", \"connected\", \"addresses\": [ { \"address\", \"connected\" } ] } ]",
			Handler: func(_ context.Context, req *rpc.Request) (any, error) {
				a := rpc.NewArgs(req)
				node := a.String(0)
				if err := a.Err(); err != nil {
					return nil, err
				}
				list, err := s.AddedNodes(node)
				if err != nil {
					return nil, rpc.Errorf(rpc.CodeClientNodeNotAdded, "Error: Node has not been added.")
				}
				out := []map[string]any{}
				for _, an := range list {
					addrs := []map[string]any{}
					if an.Connected {
						dir := "outbound"
						if an.Inbound {
							dir = "inbound"
						}
						addrs = append(addrs, map[string]any{"address": an.Addr, "connected": dir})
					}
					out = append(out, map[string]any{"addednode": an.Addr, "connected": an.Connected, "addresses": addrs})
				}
				return out, nil
			}},
		{Name: "disconnectnode", Category: "Network",
			Help: "Immediately disconnects from the specified peer node.\nStrictly one out of 'address' and 'nodeid' can be provided to identify the node.",
			Params: []rpc.Param{{Name: "address", Type: rpc.TypeString, Optional: true, Default: "fallback to nodeid", Help: "The IP address/port of the node"},
				{Name: "nodeid", Type: rpc.TypeNumber, Optional: true, Default: "fallback to address", Help: "The node ID (see getpeerinfo for node IDs)"}},
			Result: "null",
			Handler: func(_ context.Context, req *rpc.Request) (any, error) {
				a := rpc.NewArgs(req)
				addr, id := a.String(0), a.Int64(1, -1)
				if err := a.Err(); err != nil {
					return nil, err
				}
				if (addr == "") == (id < 0) {
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Only one of address and nodeid should be provided.")
				}
				if err := s.Disconnect(addr, id); err != nil {
					return nil, rpc.Errorf(rpc.CodeClientNodeNotConnected, "Node not found in connected nodes")
				}
				return nil, nil
			}},
		{Name: "setban", Category: "Network", Help: "Attempts to add or remove an IP/Subnet from the banned list.",
			Params: []rpc.Param{{Name: "subnet", Type: rpc.TypeString, Help: "The IP/Subnet (see getpeerinfo for nodes IP) with an optional netmask (default is /32 = single IP)"},
				{Name: "command", Type: rpc.TypeString, Help: "'add' to add an IP/Subnet to the list, 'remove' to remove an IP/Subnet from the list"},
				{Name: "bantime", Type: rpc.TypeNumber, Optional: true, Default: "0", Help: "time in seconds how long (or until when if [absolute] is set) the IP is banned (0 or empty means using the default time of 24h)"},
				{Name: "absolute", Type: rpc.TypeBool, Optional: true, Default: "false", Help: "If set, the bantime must be an absolute timestamp expressed in UNIX epoch time"}},
			Result: "null",
			Handler: func(_ context.Context, req *rpc.Request) (any, error) {
				a := rpc.NewArgs(req)
				subnet, cmd, bantime, absolute := a.String(0), a.String(1), a.Int64(2, 0), a.Bool(3, false)
				if err := a.Err(); err != nil {
					return nil, err
				}
				if cmd != "add" && cmd != "remove" {
					return nil, rpc.Errorf(rpc.CodeMisc, "setban \"subnet\" \"command\" ( bantime absolute )")
				}
				prefix, err := banlist.ParseSubnet(subnet)
				if err != nil {
					return nil, rpc.Errorf(rpc.CodeClientInvalidIPOrSubnet, "Error: Invalid IP/Subnet")
				}
				if cmd == "remove" {
					if err := s.Unban(prefix); err != nil {
						return nil, rpc.Errorf(rpc.CodeClientInvalidIPOrSubnet, "Error: Unban failed. Requested address/subnet was not previously manually banned.")
					}
					return nil, nil
				}
				for _, e := range s.Bans() {
					if e.Subnet == prefix {
						return nil, rpc.Errorf(rpc.CodeClientNodeAlreadyAdded, "Error: IP/Subnet already banned")
					}
				}
				until := n.cfg.Now().Add(24 * time.Hour)
				switch {
				case absolute:
					until = time.Unix(bantime, 0)
				case bantime > 0:
					until = n.cfg.Now().Add(time.Duration(bantime) * time.Second)
				}
				return nil, s.Ban(prefix, until, "manually added")
			}},
		{Name: "listbanned", Category: "Network", Help: "List all manually banned IPs/Subnets.",
			Result: "[ { \"address\", \"ban_created\", \"banned_until\", \"ban_duration\", \"time_remaining\" } ]",
			Handler: func(context.Context, *rpc.Request) (any, error) {
				now := n.cfg.Now().Unix()
				out := []map[string]any{}
				for _, e := range s.Bans() {
					out = append(out, map[string]any{"address": e.Subnet.String(), "ban_created": e.Created.Unix(),
						"banned_until": e.Until.Unix(), "ban_duration": e.Until.Unix() - e.Created.Unix(),
						"time_remaining": e.Until.Unix() - now, "reason": e.Reason})
				}
				return out, nil
			}},
		{Name: "clearbanned", Category: "Network", Help: "Clear all banned IPs.", Result: "null",
			Handler: func(context.Context, *rpc.Request) (any, error) { return nil, s.ClearBans() }},
	}
	for _, m := range methods {
		if err := n.RPC.Register(m); err != nil {
			return err
		}
	}
	return nil
}

// localAddresses lists the address peers reach us at, for getnetworkinfo.
func (n *Node) localAddresses() []rpc.LocalAddress {
	if n.P2P == nil {
		return nil
	}
	ap, ok := n.P2P.ListenAddr()
	if !ok || ap.Addr().IsUnspecified() {
		return nil
	}
	return []rpc.LocalAddress{{Address: ap.Addr().String(), Port: ap.Port(), Score: 1}}
}

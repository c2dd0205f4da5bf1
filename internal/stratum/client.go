package stratum

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/wire"
)

// ClientJob is a mining.notify as a miner reads it.
type ClientJob struct {
	ID                  string
	PrevHash            chainhash.Hash
	Coinb1, Coinb2      []byte
	Branch              []chainhash.Hash
	Version, Bits, Time uint32
	Clean               bool
	Difficulty          float64 // the difficulty in force when it arrived
}

// ParseNotify reads mining.notify parameters.
func ParseNotify(params json.RawMessage) (*ClientJob, error) {
	var p []json.RawMessage
	if err := json.Unmarshal(params, &p); err != nil || len(p) < 9 {
		return nil, errors.New("stratum: bad notify")
	}
	var s [8]string
	for i, k := range []int{0, 1, 2, 3, 5, 6, 7} {
		if err := json.Unmarshal(p[k], &s[i]); err != nil {
			return nil, errors.New("stratum: bad notify field")
		}
	}
	var branch []string
	var j ClientJob
	if json.Unmarshal(p[4], &branch) != nil || json.Unmarshal(p[8], &j.Clean) != nil {
		return nil, errors.New("stratum: bad notify branch")
	}
	var err error
	j.ID = s[0]
	if j.PrevHash, err = ParsePrevHash(s[1]); err != nil {
		return nil, err
	}
	if j.Coinb1, err = hex.DecodeString(s[2]); err != nil {
		return nil, err
	}
	if j.Coinb2, err = hex.DecodeString(s[3]); err != nil {
		return nil, err
	}
	for _, b := range branch {
		h, err := hex.DecodeString(b)
		if err != nil || len(h) != 32 {
			return nil, errors.New("stratum: bad branch hash")
		}
		j.Branch = append(j.Branch, chainhash.Hash(h))
	}
	vals := []*uint32{&j.Version, &j.Bits, &j.Time}
	for i, v := range s[4:7] {
		x, ok := parseHex32(v)
		if !ok {
			return nil, errors.New("stratum: bad notify number")
		}
		*vals[i] = x
	}
	return &j, nil
}

// Header assembles the header for extranonces, ntime, nonce and version
// exactly as a miner does.
func (j *ClientJob) Header(en1, en2 []byte, ntime, nonce, version uint32) wire.BlockHeader {
	cb := append(append(append(append([]byte(nil), j.Coinb1...), en1...), en2...), j.Coinb2...)
	root := merkle.RootFromBranch(chainhash.DoubleSHA256(cb), j.Branch)
	return wire.BlockHeader{Version: int32(version), PrevBlock: j.PrevHash, MerkleRoot: root,
		Timestamp: ntime, Bits: j.Bits, Nonce: nonce}
}

// Client is a minimal Stratum v1 client (tests and `ballast miner`).
type Client struct {
	conn net.Conn
	// Jobs receives each job, newest last; when it is full the oldest job
	// is dropped. Difficulty is set from mining.set_difficulty.
	Jobs chan *ClientJob
	// Extranonce1 and Extranonce2Size come from mining.subscribe.
	Extranonce1     []byte
	Extranonce2Size int

	mu      sync.Mutex
	diff    float64
	nextID  int
	pending map[string]chan *Message
	done    chan struct{}
	err     error
}

// Dial connects to a Stratum server.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return newClient(conn), nil
}

// clientJobs is how many jobs a Client holds for a miner that is slow to
// take them; past it the oldest are dropped.
const clientJobs = 64

func newClient(conn net.Conn) *Client {
	c := &Client{conn: conn, Jobs: make(chan *ClientJob, clientJobs), diff: 1, pending: map[string]chan *Message{},
		done: make(chan struct{})}
	go c.readLoop()
	return c
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Done is closed when the connection ends.
func (c *Client) Done() <-chan struct{} { return c.done }

// Difficulty is the current share difficulty.
func (c *Client) Difficulty() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.diff
}

func (c *Client) readLoop() {
	defer close(c.done)
	r := bufio.NewReaderSize(c.conn, MaxLineSize)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
		m, err := DecodeLine(line[:len(line)-1])
		if err != nil {
			continue
		}
		switch m.Method {
		case "mining.notify":
			if j, err := ParseNotify(m.Params); err == nil {
				j.Difficulty = c.Difficulty()
				c.deliver(j)
			}
		case "mining.set_difficulty":
			var p []float64
			if json.Unmarshal(m.Params, &p) == nil && len(p) == 1 {
				c.mu.Lock()
				c.diff = p[0]
				c.mu.Unlock()
			}
		case "":
			c.mu.Lock()
			ch := c.pending[string(m.ID)]
			delete(c.pending, string(m.ID))
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
	}
}

// deliver queues j without ever blocking the reader (a blocked reader
// would also stall every Call's reply): when Jobs is full the oldest job
// goes, since a miner only wants the newest. Only readLoop sends on Jobs,
// so the loop ends.
func (c *Client) deliver(j *ClientJob) {
	for {
		select {
		case c.Jobs <- j:
			return
		default:
		}
		select {
		case <-c.Jobs:
		default:
		}
	}
}

// Call sends a request and waits for its reply; a Stratum error is
// returned as *Error.
func (c *Client) Call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	p, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	ch := make(chan *Message, 1)
	c.mu.Lock()
	c.nextID++
	id := json.RawMessage(strconv.Itoa(c.nextID))
	c.pending[string(id)] = ch
	c.mu.Unlock()
	if _, err := c.conn.Write((&Message{ID: id, Method: method, Params: p}).Encode()); err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, m.Error
		}
		return m.Result, nil
	case <-c.done:
		return nil, fmt.Errorf("stratum: connection closed: %v", c.err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Subscribe sends mining.subscribe and records the extranonce.
func (c *Client) Subscribe(ctx context.Context, agent string) error {
	res, err := c.Call(ctx, "mining.subscribe", agent)
	if err != nil {
		return err
	}
	var r []json.RawMessage
	var en1 string
	if json.Unmarshal(res, &r) != nil || len(r) < 3 || json.Unmarshal(r[1], &en1) != nil ||
		json.Unmarshal(r[2], &c.Extranonce2Size) != nil {
		return errors.New("stratum: bad subscribe result")
	}
	c.Extranonce1, err = hex.DecodeString(en1)
	return err
}

// Submit sends mining.submit; version is omitted when zero.
func (c *Client) Submit(ctx context.Context, worker, jobID string, en2 []byte, ntime, nonce, versionBits uint32) error {
	params := []any{worker, jobID, hex.EncodeToString(en2), hex32(ntime), hex32(nonce)}
	if versionBits != 0 {
		params = append(params, hex32(versionBits))
	}
	_, err := c.Call(ctx, "mining.submit", params...)
	return err
}

package api

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Fan-out plumbing under each WebSocket connection. A market event goes to
// every subscriber, so the per-message cost of a write (a syscall that
// wakes the reader) times the subscriber count is what bounds delivery:
// a connection's writer therefore gathers every frame queued since it last
// ran into one buffer and sends it with one write (corkConn). The library
// still frames each message; it just writes into that buffer.

// writeTimeout bounds socket writes: a client that accepts nothing for
// between half of it and all of it (see extend) is disconnected.
const writeTimeout = 10 * time.Second

// sendBuffer caps each WebSocket's kernel send buffer (Linux doubles it).
// Left to autotuning it grows to tcp_wmem's maximum (4 MiB by default):
// a client that stops reading would park megabytes of kernel memory
// before its queue ever filled, and be noticed only by the ping timeout.
// 64 KiB is still about 600 KiB/s per connection at 200 ms round trip.
const sendBuffer = 64 << 10

// corkConn is a hijacked connection whose writes, while corked, gather in
// a buffer that uncork sends at once. Uncorked writes (pings and close
// frames written outside the writer's batches) go straight through; mu
// keeps them from interleaving with a flush.
type corkConn struct {
	net.Conn
	mu       sync.Mutex
	corked   bool
	buf      *[]byte   // from batchBufs while corked
	deadline time.Time // the write deadline last set
	writing  atomic.Bool
}

// extend keeps the write deadline at least writeTimeout/2 away, moving
// it (a runtime timer update) only every few seconds rather than per
// write.
func (c *corkConn) extend() {
	if now := time.Now(); c.deadline.Sub(now) < writeTimeout/2 {
		c.deadline = now.Add(writeTimeout)
		_ = c.Conn.SetWriteDeadline(c.deadline)
	}
}

// batchBufs holds flush buffers between batches, so an idle connection
// holds none.
var batchBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		if c.buf == nil {
			c.buf = batchBufs.Get().(*[]byte)
		}
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	return c.write(p)
}

func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork sends what was gathered in one write.
func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	if c.buf == nil {
		return nil
	}
	b := c.buf
	c.buf = nil
	_, err := c.write(*b)
	if cap(*b) <= 256<<10 {
		*b = (*b)[:0]
		batchBufs.Put(b)
	}
	return err
}

// write writes to the socket (under mu).
func (c *corkConn) write(p []byte) (int, error) {
	c.extend()
	c.writing.Store(true)
	defer c.writing.Store(false)
	return c.Conn.Write(p)
}

// abort makes a write blocked on a full socket fail now (a slow consumer
// being dropped) rather than after writeTimeout. A connection not in a
// write is left alone, so its close frame can still go out.
func (c *corkConn) abort() {
	if c.writing.Load() {
		_ = c.Conn.SetWriteDeadline(time.Unix(1, 0))
	}
}

// hijackCorked wraps the ResponseWriter given to websocket.Accept so the
// hijacked connection is a corkConn, with small buffers: clients send
// only subscription requests, and writes are batched by the cork.
type hijackCorked struct {
	http.ResponseWriter
	conn *corkConn
}

func (h *hijackCorked) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if tc := tcpConn(nc); tc != nil {
		_ = tc.SetWriteBuffer(sendBuffer)
	}
	h.conn = &corkConn{Conn: nc}
	r := brw.Reader
	if r.Buffered() == 0 {
		// (With bytes already buffered the library re-wraps them
		// ahead of the connection, so the big reader stays.)
		r = bufio.NewReaderSize(h.conn, 512)
	}
	return h.conn, bufio.NewReadWriter(r, bufio.NewWriterSize(h.conn, 512)), nil
}

// tcpConn returns the TCP connection under c (net/http's, or one the
// order front handed over), nil if there is none.
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch x := c.(type) {
		case *net.TCPConn:
			return x
		case *prefixConn:
			c = x.Conn
		default:
			return nil
		}
	}
}

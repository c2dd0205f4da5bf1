package stratum

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/wire"
)

// Connection limits.
const (
	outQueue     = 32               // queued lines before a slow client is dropped
	idleTimeout  = 10 * time.Minute // no line for this long ends the connection
	writeTimeout = 10 * time.Second
	keptJobs     = 8 // jobs a connection may still submit to
)

// session is one miner connection.
type session struct {
	s    *Server
	conn net.Conn
	ip   string
	en1  []byte
	out  chan []byte
	quit chan struct{}
	once sync.Once
	// jobMu orders job building with queueing, so that of two racing
	// sendJobs (say a broadcast and an authorize) the one built from newer
	// work is queued last and stays the miner's current job. send never
	// blocks, so no network write happens under it.
	jobMu sync.Mutex

	mu         sync.Mutex
	subscribed bool
	workers    map[string]wire.Lock // authorized workers and their payout
	payout     wire.Lock            // first authorized worker's
	rolling    bool
	mask       uint32
	diff       float64
	jobs       []*sessionJob // newest last
	good, bad  int
	// vardiff period
	periodStart  time.Time
	periodShares int
}

// sessionJob is a job as one connection received it: at its difficulty.
type sessionJob struct {
	*Job
	diff   float64
	target [32]byte
	seen   map[shareKey]struct{}
}

type shareKey struct {
	en2          [Extranonce2Size]byte
	ntime, nonce uint32
	version      uint32
}

func (s *Server) serve(ctx context.Context, conn net.Conn) {
	ss := &session{s: s, conn: conn, ip: remoteIP(conn), en1: s.nextExtranonce1(), out: make(chan []byte, outQueue),
		quit: make(chan struct{}), workers: map[string]wire.Lock{}, diff: s.cfg.StartDifficulty,
		periodStart: s.cfg.Now()}
	s.mu.Lock()
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
		ss.close()
	}()
	go ss.writeLoop()
	r := bufio.NewReaderSize(conn, 1024)
	var long []byte
	for ctx.Err() == nil {
		_ = conn.SetReadDeadline(time.Now().Add(idleTimeout))
		frag, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if long = append(long, frag...); len(long) > MaxLineSize {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		line := frag
		if long != nil {
			line = append(long, frag...)
			long = nil
		}
		if len(line) > MaxLineSize+1 {
			return
		}
		if !ss.handleLine(line) {
			return
		}
	}
}

func (ss *session) writeLoop() {
	for {
		select {
		case <-ss.quit:
			return
		case b := <-ss.out:
			_ = ss.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := ss.conn.Write(b); err != nil {
				ss.close()
				return
			}
		}
	}
}

func (ss *session) close() {
	ss.once.Do(func() {
		close(ss.quit)
		ss.conn.Close()
	})
}

// send queues a line; a client too slow to keep up is disconnected.
func (ss *session) send(b []byte) {
	select {
	case ss.out <- b:
	case <-ss.quit:
	default:
		ss.close()
	}
}

// handleLine answers one line; false ends the connection.
func (ss *session) handleLine(line []byte) bool {
	if len(line) > 0 && line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
		return true
	}
	m, err := DecodeLine(line)
	if err != nil {
		return false
	}
	if m.Method == "" {
		return true // a response to something we sent
	}
	ps, err := m.params()
	if err != nil {
		ss.send(response(m.ID, nil, errBadParams))
		return true
	}
	var result any
	var e *Error
	after := func() {}
	switch m.Method {
	case "mining.subscribe":
		result, e = ss.subscribe()
	case "mining.authorize":
		result, e, after = ss.authorize(ps)
	case "mining.configure":
		result, e = ss.configure(ps)
	case "mining.extranonce.subscribe":
		result = true
	case "mining.suggest_difficulty":
		result, e, after = ss.suggestDifficulty(ps)
	case "mining.submit":
		result, e = ss.submit(ps)
		if ss.shouldBan() {
			ss.send(response(m.ID, result, e))
			ss.s.ban(ss.ip)
			return false
		}
	default:
		e = errUnknownMethod
	}
	ss.send(response(m.ID, result, e))
	after()
	return true
}

func (ss *session) subscribe() (any, *Error) {
	ss.mu.Lock()
	ss.subscribed = true
	ss.mu.Unlock()
	id := hex.EncodeToString(ss.en1)
	return []any{[][]string{{"mining.set_difficulty", id}, {"mining.notify", id}}, id, Extranonce2Size}, nil
}

func str(ps []json.RawMessage, i int) (string, bool) {
	if i >= len(ps) {
		return "", false
	}
	var v string
	return v, json.Unmarshal(ps[i], &v) == nil
}

func (ss *session) authorize(ps []json.RawMessage) (any, *Error, func()) {
	user, ok := str(ps, 0)
	if !ok {
		return nil, errBadParams, func() {}
	}
	lock := ss.s.cfg.PoolPayout
	if ss.s.cfg.Mode == ModeSolo {
		l, err := ss.s.parseWorker(user)
		if err != nil {
			return false, errUnauthorized, func() {}
		}
		lock = l
	} else if l, err := ss.s.parseWorker(user); err == nil {
		lock = l // pool mode: shares credit the address in the username
	}
	ss.mu.Lock()
	first := len(ss.workers) == 0
	ss.workers[user] = lock
	if first {
		ss.payout = lock
	}
	subscribed := ss.subscribed
	ss.mu.Unlock()
	ss.s.workerStats(user)
	return true, nil, func() {
		if first && subscribed {
			ss.sendDifficulty()
			ss.sendJob(true)
		}
	}
}

func (ss *session) configure(ps []json.RawMessage) (any, *Error) {
	var exts []string
	if len(ps) < 1 || json.Unmarshal(ps[0], &exts) != nil {
		return nil, errBadParams
	}
	var opts map[string]json.RawMessage
	if len(ps) > 1 {
		_ = json.Unmarshal(ps[1], &opts)
	}
	res := map[string]any{}
	for _, ext := range exts {
		switch ext {
		case "version-rolling":
			mask := uint32(0xffffffff)
			var hexMask string
			if raw, ok := opts["version-rolling.mask"]; ok && json.Unmarshal(raw, &hexMask) == nil {
				v, err := strconv.ParseUint(hexMask, 16, 32)
				if err != nil {
					return nil, errBadParams
				}
				mask = uint32(v)
			}
			ss.mu.Lock()
			ss.rolling, ss.mask = true, mask&ss.s.cfg.VersionMask
			res["version-rolling"] = true
			res["version-rolling.mask"] = hex32(ss.mask)
			ss.mu.Unlock()
		default:
			res[ext] = false
		}
	}
	return res, nil
}

func (ss *session) suggestDifficulty(ps []json.RawMessage) (any, *Error, func()) {
	var d float64
	if len(ps) < 1 || json.Unmarshal(ps[0], &d) != nil || d <= 0 {
		return nil, errBadParams, func() {}
	}
	v := ss.s.cfg.Vardiff
	ss.mu.Lock()
	ss.diff = min(max(d, v.Min), v.Max)
	ready := ss.subscribed && len(ss.workers) > 0
	ss.mu.Unlock()
	return true, nil, func() {
		if ready {
			ss.sendDifficulty()
			ss.sendJob(false)
		}
	}
}

func (ss *session) sendDifficulty() {
	ss.mu.Lock()
	d := ss.diff
	ss.mu.Unlock()
	ss.send(notification("mining.set_difficulty", d))
}

// sendJob sends the current job at the session's difficulty.
func (ss *session) sendJob(clean bool) {
	ss.mu.Lock()
	ready := ss.subscribed && len(ss.workers) > 0
	lock := ss.payout
	ss.mu.Unlock()
	if !ready {
		return
	}
	ss.jobMu.Lock()
	defer ss.jobMu.Unlock()
	j, err := ss.s.jobFor(lock)
	if err != nil {
		ss.s.log.Error("stratum job", "err", err)
		return
	}
	ss.mu.Lock()
	sj := &sessionJob{Job: j, diff: ss.diff, target: TargetForDifficulty(ss.diff), seen: map[shareKey]struct{}{}}
	ss.jobs = append(ss.jobs, sj)
	if len(ss.jobs) > keptJobs {
		ss.jobs = append(ss.jobs[:0], ss.jobs[len(ss.jobs)-keptJobs:]...)
	}
	ss.mu.Unlock()
	ss.send(notification("mining.notify", j.NotifyParams(clean)...))
}

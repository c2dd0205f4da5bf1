package stratum

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// WorkerStats are one worker's counters.
type WorkerStats struct {
	Name       string    `json:"name"`
	Accepted   uint64    `json:"accepted"`
	Rejected   uint64    `json:"rejected"`
	Stale      uint64    `json:"stale"`
	Blocks     uint64    `json:"blocks"`
	Difficulty float64   `json:"difficulty"` // last share's
	DiffSum    float64   `json:"accepted_difficulty"`
	First      time.Time `json:"first_share"`
	Last       time.Time `json:"last_share"`
	// HashRate estimates hashes per second: accepted difficulty × 2^32
	// over the time since the first share.
	HashRate float64 `json:"hashrate"`
}

// Stats is the server's state for RPC and metrics.
type Stats struct {
	Connections int           `json:"connections"`
	Accepted    uint64        `json:"accepted"`
	Rejected    uint64        `json:"rejected"`
	Stale       uint64        `json:"stale"`
	Blocks      uint64        `json:"blocks"`
	Mode        Mode          `json:"mode"`
	Workers     []WorkerStats `json:"workers"`
	Found       []FoundBlock  `json:"found"`
}

func (s *Server) workerStats(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.workers[name]; !ok && len(s.workers) < 4*s.cfg.MaxConns {
		s.workers[name] = &WorkerStats{Name: name}
	}
}

// Stats returns a snapshot of the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Connections: len(s.sessions), Accepted: s.accepted.Load(), Rejected: s.rejected.Load(),
		Stale: s.stale.Load(), Blocks: s.blocks.Load(), Mode: s.cfg.Mode, Found: append([]FoundBlock(nil), s.found...)}
	now := s.cfg.Now()
	for _, w := range s.workers {
		c := *w
		if el := now.Sub(c.First).Seconds(); !c.First.IsZero() && el > 0 {
			c.HashRate = c.DiffSum * (1 << 32) / max(el, 1)
		}
		st.Workers = append(st.Workers, c)
	}
	return st
}

// outcome records a share's result for a worker.
type outcome int

const (
	shareAccepted outcome = iota
	shareRejected
	shareStale
)

func (s *Server) record(worker string, o outcome, diff float64, block bool) {
	switch o {
	case shareAccepted:
		s.accepted.Add(1)
	case shareRejected:
		s.rejected.Add(1)
	case shareStale:
		s.stale.Add(1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.workers[worker]
	if !ok {
		return
	}
	now := s.cfg.Now()
	switch o {
	case shareAccepted:
		w.Accepted++
		w.DiffSum += diff
		w.Difficulty = diff
		if w.First.IsZero() {
			w.First = now
		}
		w.Last = now
	case shareRejected:
		w.Rejected++
	case shareStale:
		w.Stale++
	}
	if block {
		w.Blocks++
	}
}

func parseHex32(s string) (uint32, bool) {
	if len(s) != 8 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	return uint32(v), err == nil
}

// submit checks a share: [worker, job_id, extranonce2, ntime, nonce,
// (version_bits)].
func (ss *session) submit(ps []json.RawMessage) (any, *Error) {
	worker, _ := str(ps, 0)
	res, e, o, diff, block := ss.checkShare(ps)
	switch {
	case e == nil:
		ss.good++
	case o == shareStale:
	default:
		ss.bad++
	}
	if e != nil && o == shareAccepted {
		o = shareRejected
	}
	ss.s.record(worker, o, diff, block)
	return res, e
}

func (ss *session) checkShare(ps []json.RawMessage) (any, *Error, outcome, float64, bool) {
	s := ss.s
	ss.mu.Lock()
	subscribed := ss.subscribed
	ss.mu.Unlock()
	if !subscribed {
		return nil, errNotSubscribed, shareRejected, 0, false
	}
	if len(ps) < 5 || len(ps) > 6 {
		return nil, errBadParams, shareRejected, 0, false
	}
	var f [6]string
	for i := range ps {
		v, ok := str(ps, i)
		if !ok {
			return nil, errBadParams, shareRejected, 0, false
		}
		f[i] = v
	}
	ss.mu.Lock()
	lock, authorized := ss.workers[f[0]]
	var sj *sessionJob
	for _, j := range ss.jobs {
		if j.ID == f[1] {
			sj = j
		}
	}
	rolling, mask := ss.rolling, ss.mask
	ss.mu.Unlock()
	if !authorized {
		return nil, errUnauthorized, shareRejected, 0, false
	}
	if sj == nil {
		return nil, errJobNotFound, shareStale, 0, false
	}
	if w := s.currentWork(); w == nil || w.Parent.Hash != sj.Work.Parent.Hash {
		return nil, errStale, shareStale, 0, false
	}
	en2, err := hex.DecodeString(f[2])
	if err != nil || len(en2) != Extranonce2Size {
		return nil, errExtranonce2, shareRejected, 0, false
	}
	ntime, ok := parseHex32(f[3])
	if !ok || int64(ntime) < sj.Work.MinTime || int64(ntime) > s.cfg.Now().Add(s.cfg.NTimeAhead).Unix() {
		return nil, errNTime, shareRejected, 0, false
	}
	nonce, ok := parseHex32(f[4])
	if !ok {
		return nil, errNonce, shareRejected, 0, false
	}
	version := sj.Version
	var vbits uint32
	if len(ps) == 6 {
		vb, ok := parseHex32(f[5])
		if !ok || (vb != 0 && !rolling) || vb&^mask != 0 {
			return nil, errVersionBits, shareRejected, 0, false
		}
		vbits = vb
		version = version&^mask | vb
	}
	key := shareKey{ntime: ntime, nonce: nonce, version: vbits}
	copy(key.en2[:], en2)
	ss.mu.Lock()
	_, dup := sj.seen[key]
	if !dup && len(sj.seen) < 1<<16 {
		sj.seen[key] = struct{}{}
	}
	ss.mu.Unlock()
	if dup {
		return nil, errDuplicate, shareRejected, 0, false
	}
	h, _ := sj.Header(ss.en1, en2, ntime, nonce, version)
	hash := h.BlockHash()
	if !pow.HashMeetsTarget(&hash, &sj.target) {
		return nil, errLowDiff, shareRejected, 0, false
	}
	// The share enters the window before a block it finds is submitted:
	// the submission moves the tip, and the next job's payouts must
	// already count it.
	if s.cfg.Mode == ModePool {
		s.pplns.Add(f[0], lock, sj.diff, s.cfg.Now())
	}
	block := pow.HashMeetsTarget(&hash, &sj.Work.Target)
	if block {
		ss.foundBlock(sj, f[0], en2, h)
	}
	ss.vardiff()
	return true, nil, shareAccepted, sj.diff, block
}

func (ss *session) foundBlock(sj *sessionJob, worker string, en2 []byte, h wire.BlockHeader) {
	s := ss.s
	b := sj.Block(ss.en1, en2, h)
	res, err := mining.SubmitResult(s.cfg.Submit(b))
	hash := h.BlockHash()
	if err != nil || res != nil {
		s.log.Error("stratum block not accepted", "hash", hash.String(), "result", res, "err", err)
		return
	}
	s.blocks.Add(1)
	s.log.Info("stratum block found", "hash", hash.String(), "height", sj.Work.Height, "worker", worker)
	s.mu.Lock()
	s.found = append(s.found, FoundBlock{Hash: hash.String(), Height: sj.Work.Height, Worker: worker,
		Time: s.cfg.Now(), Payouts: sj.Payouts})
	if len(s.found) > 1000 {
		s.found = s.found[len(s.found)-1000:]
	}
	s.mu.Unlock()
	s.cfg.Manager.TipChanged()
}

// vardiff retargets after an accepted share when the period is over.
func (ss *session) vardiff() {
	v := &ss.s.cfg.Vardiff
	now := ss.s.cfg.Now()
	ss.mu.Lock()
	ss.periodShares++
	elapsed := now.Sub(ss.periodStart)
	if elapsed < v.Retarget && ss.periodShares < v.RetargetShares {
		ss.mu.Unlock()
		return
	}
	next, change := v.nextDifficulty(ss.diff, ss.periodShares, elapsed)
	ss.periodStart, ss.periodShares = now, 0
	if change {
		ss.diff = next
	}
	ss.mu.Unlock()
	if change {
		go func() { // after the submit's reply
			ss.sendDifficulty()
			ss.sendJob(false)
		}()
	}
}

// retargetIdle lowers the difficulty of a connection that sent no share
// for a whole period.
func (ss *session) retargetIdle() {
	v := &ss.s.cfg.Vardiff
	now := ss.s.cfg.Now()
	ss.mu.Lock()
	elapsed := now.Sub(ss.periodStart)
	if ss.periodShares > 0 || elapsed < 2*v.Retarget || len(ss.workers) == 0 {
		ss.mu.Unlock()
		return
	}
	next, change := v.nextDifficulty(ss.diff, 0, elapsed)
	ss.periodStart = now
	if change {
		ss.diff = next
	}
	ss.mu.Unlock()
	if change {
		ss.sendDifficulty()
		ss.sendJob(false)
	}
}

// shouldBan reports a client that sent only bad shares, BanAfter of them.
func (ss *session) shouldBan() bool {
	return ss.good == 0 && ss.bad >= ss.s.cfg.BanAfter
}

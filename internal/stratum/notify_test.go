package stratum

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// pipeSession serves one connection over a pipe, with no listener and no
// work loop: the test decides when the loop starts.
func pipeSession(t *testing.T, h *harness, ctx context.Context) *Client {
	t.Helper()
	srvConn, cliConn := net.Pipe()
	var wg sync.WaitGroup
	wg.Go(func() { h.srv.serve(ctx, srvConn) })
	c := newClient(cliConn)
	t.Cleanup(func() { c.Close(); srvConn.Close(); wg.Wait() })
	return c
}

// A miner can log in and find a block before the work loop's goroutine
// first runs (it did under load). The loop must still announce the work
// on the new tip instead of adopting it silently, which left the miner
// without a job.
func TestWorkLoopAnnouncesWorkFromBeforeItStarted(t *testing.T) {
	h := buildHarness(t, params.Regtest(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	c := pipeSession(t, h, ctx)
	j := h.login(c)
	en2 := []byte{0, 0, 0, 1}
	n, _ := solve(c, j, en2, true)
	if err := c.Submit(ctxT(t), h.user, j.ID, en2, j.Time, n, 0); err != nil {
		t.Fatal(err)
	}
	if st := h.srv.Stats(); st.Blocks != 1 {
		t.Fatalf("share was not a block: %+v", st)
	}
	var wg sync.WaitGroup
	wg.Go(func() { h.srv.workLoop(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	next := nextJob(t, c)
	if !next.Clean || next.PrevHash == j.PrevHash {
		t.Fatalf("job after the block: clean %v, same parent %v", next.Clean, next.PrevHash == j.PrevHash)
	}
}

// Pool mode: the share that finds a block is in the PPLNS window before
// the block moves the tip, so a job built the moment the tip moves
// already pays it.
func TestPoolBlockShareCountsForNextJob(t *testing.T) {
	pool := chaingen.KeyLock(chaingen.KeyFromSeed("pool"))
	var h *harness
	payouts := make(chan []Payout, 1)
	h = buildHarness(t, params.Regtest(), func(c *Config) {
		c.Mode, c.PoolPayout, c.PPLNSWindow = ModePool, pool, 1
		submit := c.Submit
		c.Submit = func(b *wire.Block) (chain.Outcome, error) {
			out, err := submit(b)
			// What a work loop that wins the race does first.
			h.srv.setWork(h.srv.cfg.Manager.Current())
			j, jerr := h.srv.jobFor(wire.Lock{})
			if jerr != nil {
				t.Error(jerr)
				return out, err
			}
			payouts <- j.Payouts
			return out, err
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := pipeSession(t, h, ctx)
	j := h.login(c)
	en2 := []byte{0, 0, 0, 7}
	n, _ := solve(c, j, en2, true)
	if err := c.Submit(ctxT(t), h.user, j.ID, en2, j.Time, n, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-payouts:
		if len(p) != 1 || !p[0].Lock.Equal(h.lock) || p[0].FirstSeq != 1 {
			t.Fatalf("next job pays %+v, want the block's share", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no block submitted")
	}
}

// A miner that does not take its jobs must not stall the client's reader:
// replies still arrive, and Jobs keeps the newest jobs.
func TestClientDropsOldestJob(t *testing.T) {
	srvConn, cliConn := net.Pipe()
	c := newClient(cliConn)
	t.Cleanup(func() { c.Close(); srvConn.Close() })
	go func() {
		for i := range clientJobs + 3 {
			line := notification("mining.notify", strconv.Itoa(i), strings.Repeat("00", 32), "", "",
				[]string{}, "20000000", "207fffff", "00000000", false)
			if _, err := srvConn.Write(line); err != nil {
				return
			}
		}
		r := bufio.NewReader(srvConn)
		line, err := r.ReadBytes('\n')
		if err != nil {
			return
		}
		var m Message
		if json.Unmarshal(line, &m) != nil {
			return
		}
		_, _ = srvConn.Write(response(m.ID, true, nil))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Call(ctx, "mining.extranonce.subscribe"); err != nil {
		t.Fatalf("reply behind a full job queue: %v", err)
	}
	if len(c.Jobs) != clientJobs {
		t.Fatalf("%d jobs queued", len(c.Jobs))
	}
	if first := <-c.Jobs; first.ID != "3" {
		t.Fatalf("oldest kept job %s, want 3", first.ID)
	}
}

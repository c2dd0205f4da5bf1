package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/venue"
)

// The WebSocket fan-out benchmark of docs/benchmarks.md. The server (venue
// and API) runs in the test process; the subscribers run in a child
// process (this test binary again, TestWSFanoutClients), so the server's
// heap and RSS are measured alone and each process holds one side's file
// descriptors. Trades are made by real orders through the venue; a venue
// subscriber registered by the test stamps each trade when it is published,
// and the child stamps each receipt (both CLOCK_REALTIME on one machine).
//
// Sizes come from the environment; the defaults run in the normal suite:
//
//	BALLAST_FANOUT_SUBS    fast subscribers (default 100)
//	BALLAST_FANOUT_SLOW    subscribers that never read (default 2 + SUBS/1000)
//	BALLAST_FANOUT_TRADES  trades to make (default 150)
//	BALLAST_FANOUT_RATE    trades per second (default 150; 0: as fast as the venue allows)
//	BALLAST_FANOUT_MEMPROFILE  write the server's heap profile, subscribers connected, here
//
// Fast subscribers use /stream (combined payloads) for trade, bookTicker
// and depth@100ms; slow ones also subscribe to every kline stream so they
// overflow quickly. Asserted: every fast subscriber receives every trade
// in order, every slow one is disconnected, no fast one is, and the
// server's memory under load stays within a per-subscriber bound.

const fanoutSymbol = "BLSTTUSD"

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// fanoutCmd is what the parent sends the child on stdin once all trades
// are made: the publish time of trade id FirstID+i is Events[i].
type fanoutCmd struct {
	FirstID uint64
	Events  []int64 // unix ns
}

// fanoutReport is the child's answer (one JSON line prefixed "fanout: ").
type fanoutReport struct {
	Fast, Slow                 int
	MinTrades, MaxTrades       int   // trades received per fast subscriber
	OutOfOrder                 int   // trade messages received out of id order
	Msgs, Bytes                int64 // everything fast subscribers received
	FirstEventNS, LastRecvNS   int64
	P50US, P99US, P999US, MaxU int64 // event -> receipt, µs, over all fast subscribers and trades
	SlowClosed                 int   // slow subscribers the server disconnected
	FastClosed                 int   // fast subscribers that saw their connection end early
	CloseCodes                 map[string]int
	CPUSeconds                 float64 // the client process's, from ready to report
}

// cpuSeconds is the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)).Seconds()
}

func TestWSFanout(t *testing.T) {
	if os.Getenv("BALLAST_FANOUT_CHILD") != "" {
		t.Skip("child process")
	}
	n := envInt("BALLAST_FANOUT_SUBS", 100)
	slow := envInt("BALLAST_FANOUT_SLOW", 2+n/1000)
	trades := envInt("BALLAST_FANOUT_TRADES", 150)
	rate := envInt("BALLAST_FANOUT_RATE", 150)
	raiseNoFile(t, n+slow+1000)

	ctx, cancel := context.WithCancel(context.Background())
	v := openTestVenue(t, ctx) // its market is fanoutSymbol
	var maker, taker uint64
	for i, email := range []string{"maker@x", "taker@x"} {
		u, err := v.SignUp(ctx, email, "password!")
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Transfer(ctx, u, "BLST", 1_000_0000_0000, "t")
		_ = v.Transfer(ctx, u, "TUSD", 1_000_000_000_0000_0000, "t")
		if i == 0 {
			maker = u
		} else {
			taker = u
		}
	}
	s, err := New(Config{Listen: "127.0.0.1:0", MaxStreamConns: n + slow + 100}, v)
	if err != nil {
		t.Fatal(err)
	}
	vdone, sdone := make(chan struct{}), make(chan struct{})
	go func() { _ = v.Run(ctx); close(vdone) }()
	go func() { _ = s.Run(ctx); close(sdone) }()
	defer func() { cancel(); <-sdone; <-vdone }()

	// Publish times by trade id, stamped by a venue subscriber (called
	// in order under the market's lock, as the stream dispatcher is).
	var evMu sync.Mutex
	var events []int64
	var firstID uint64
	unsub := v.Subscribe(func(u *venue.Update) {
		now := time.Now().UnixNano()
		evMu.Lock()
		for _, tr := range u.Trades {
			if firstID == 0 {
				firstID = tr.ID
			}
			events = append(events, now)
		}
		evMu.Unlock()
	})
	defer unsub()
	// A standing bid so the book has two sides.
	if _, err := v.PlaceOrder(ctx, fanoutSymbol, venue.NewOrder{Account: taker, Side: matching.Buy, Type: matching.Limit,
		TIF: matching.GTC, Price: 900_00, Qty: 100_000}); err != nil {
		t.Fatal(err)
	}

	before := sampleMem()
	start := time.Now()
	child := startFanoutChild(t, s.Addr(), n, slow, trades)
	defer child.kill()
	child.waitLine(t, "ready", 10*time.Minute)
	// Subscriptions are registered after the handshake: wait for them.
	name := strings.ToLower(fanoutSymbol) + "@trade"
	for deadline := time.Now().Add(time.Minute); ; {
		s.st.mu.Lock()
		got := 0
		if set := s.st.byName[name]; set != nil {
			got = len(set.conns)
		}
		s.st.mu.Unlock()
		if got == n+slow {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d subscriptions registered", got, n+slow)
		}
		time.Sleep(10 * time.Millisecond)
	}
	connectTime := time.Since(start)
	connected := sampleMem()
	if path := os.Getenv("BALLAST_FANOUT_MEMPROFILE"); path != "" {
		// The heap with every subscriber connected and idle.
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		_ = pprof.WriteHeapProfile(f)
		f.Close()
	}

	// Load: a maker sell and a taker market buy per trade (the journal
	// fsyncs each), paced at rate per second if set.
	var peak memSample
	stopSampler := make(chan struct{})
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampler:
				return
			case <-tick.C:
				peak = peak.max(readMem())
			}
		}
	}()
	loadStart := time.Now()
	cpu0, frames0, flushes0 := cpuSeconds(), s.st.frames.Load(), s.st.flushes.Load()
	for i := range trades {
		if rate > 0 {
			if d := time.Until(loadStart.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
				time.Sleep(d)
			}
		}
		if _, err := v.PlaceOrder(ctx, fanoutSymbol, venue.NewOrder{Account: maker, Side: matching.Sell, Type: matching.Limit,
			TIF: matching.GTC, Price: 1000_00 + int64(i%10), Qty: 1000}); err != nil {
			t.Fatal(err)
		}
		if _, err := v.PlaceOrder(ctx, fanoutSymbol, venue.NewOrder{Account: taker, Side: matching.Buy, Type: matching.Market,
			Qty: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	loadTime := time.Since(loadStart)
	evMu.Lock()
	cmd := fanoutCmd{FirstID: firstID, Events: slices.Clone(events)}
	evMu.Unlock()
	if len(cmd.Events) != trades {
		t.Fatalf("%d trades published, want %d", len(cmd.Events), trades)
	}
	// The slow subscribers overflowed their queues during the load:
	// they are gone from the server (give a loaded machine time).
	for deadline := time.Now().Add(time.Minute); s.st.conns.Load() != int64(n) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	conns := s.st.conns.Load()
	child.send(t, cmd)
	line := child.waitLine(t, "fanout: ", 10*time.Minute)
	close(stopSampler)
	<-samplerDone
	cpu, frames, flushes := cpuSeconds()-cpu0, s.st.frames.Load()-frames0, s.st.flushes.Load()-flushes0
	var rep fanoutReport
	if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "fanout: ")), &rep); err != nil {
		t.Fatal(err)
	}
	after := sampleMem()
	child.kill()

	dur := time.Duration(rep.LastRecvNS - rep.FirstEventNS)
	t.Logf("subscribers %d fast + %d slow, connected in %v", n, slow, connectTime.Round(time.Millisecond))
	t.Logf("trades %d in %v (%.0f/s); fast subscribers received %d-%d trades each, %d messages, %.1f MB in %v: %.0f msgs/s",
		trades, loadTime.Round(time.Millisecond), float64(trades)/loadTime.Seconds(), rep.MinTrades, rep.MaxTrades,
		rep.Msgs, float64(rep.Bytes)/1e6, dur.Round(time.Millisecond), float64(rep.Msgs)/dur.Seconds())
	t.Logf("trade latency publish -> receipt: p50 %d µs, p99 %d µs, p99.9 %d µs, max %d µs", rep.P50US, rep.P99US, rep.P999US, rep.MaxU)
	t.Logf("server: %d frames in %d socket writes (%.1f per write); CPU %.1f s (%.1f µs per frame); client process CPU %.1f s",
		frames, flushes, float64(frames)/float64(max(flushes, 1)), cpu, cpu*1e6/float64(max(frames, 1)), rep.CPUSeconds)
	t.Logf("slow subscribers disconnected %d of %d (close codes %v); fast disconnected %d; server connections after %d",
		rep.SlowClosed, slow, rep.CloseCodes, rep.FastClosed, conns)
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n+slow) / 1024 }
	t.Logf("server memory: before %s", before)
	t.Logf("server memory: connected %s (%.1f KiB heap+stack, %.1f KiB RSS per subscriber)", connected,
		per(connected.heapStack(), before.heapStack()), per(connected.RSS, before.RSS))
	t.Logf("server memory: peak under load %s (%.1f KiB heap+stack per subscriber over idle, garbage included)", peak,
		per(peak.heapStack(), connected.heapStack()))
	t.Logf("server memory: after %s", after)

	if rep.MinTrades != trades || rep.MaxTrades != trades || rep.OutOfOrder != 0 {
		t.Errorf("fast subscribers received %d-%d trades (%d out of order), want all %d in order", rep.MinTrades, rep.MaxTrades, rep.OutOfOrder, trades)
	}
	if rep.FastClosed != 0 {
		t.Errorf("%d fast subscribers were disconnected", rep.FastClosed)
	}
	if rep.SlowClosed != slow || conns != int64(n) {
		t.Errorf("%d of %d slow subscribers disconnected, %d server connections left (want %d)", rep.SlowClosed, slow, conns, n)
	}
	// Bounded: a queued message is shared, so load adds at most the
	// queues' pointers and the writers' buffers; allow 64 KiB per
	// subscriber plus 64 MiB of slack for the venue, GC and sampling.
	if grow := int64(peak.heapStack()) - int64(connected.heapStack()); grow > int64(n+slow)*64<<10+64<<20 {
		t.Errorf("server heap+stack grew by %d MiB under load", grow>>20)
	}
}

// memSample is the server process's memory.
type memSample struct {
	HeapInuse, StackInuse, Sys, RSS uint64
	Goroutines                      int
}

func (m memSample) heapStack() uint64 { return m.HeapInuse + m.StackInuse }

func (m memSample) max(o memSample) memSample {
	return memSample{max(m.HeapInuse, o.HeapInuse), max(m.StackInuse, o.StackInuse), max(m.Sys, o.Sys), max(m.RSS, o.RSS),
		max(m.Goroutines, o.Goroutines)}
}

func (m memSample) String() string {
	return fmt.Sprintf("heap %.1f MiB, stacks %.1f MiB, RSS %.1f MiB, %d goroutines",
		float64(m.HeapInuse)/(1<<20), float64(m.StackInuse)/(1<<20), float64(m.RSS)/(1<<20), m.Goroutines)
}

// sampleMem collects garbage first: the memory in use at rest.
func sampleMem() memSample {
	runtime.GC()
	return readMem()
}

// readMem reads without collecting (under load: live data and garbage not
// yet collected, which is what the process holds).
func readMem() memSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Sys: ms.Sys, RSS: readRSS(), Goroutines: runtime.NumGoroutine()}
}

func readRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// raiseNoFile lifts RLIMIT_NOFILE to at least want (raising the hard limit
// needs privilege; without it the soft limit goes as high as allowed).
func raiseNoFile(t *testing.T, want int) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur >= uint64(want) {
		return
	}
	nr := syscall.Rlimit{Cur: uint64(want), Max: max(r.Max, uint64(want))}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &nr); err != nil {
		nr = syscall.Rlimit{Cur: r.Max, Max: r.Max}
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &nr)
		t.Logf("RLIMIT_NOFILE: wanted %d, have %d", want, r.Max)
	}
}

type fanoutChild struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	once  sync.Once
}

func startFanoutChild(t *testing.T, addr string, n, slow, trades int) *fanoutChild {
	cmd := exec.Command(os.Args[0], "-test.run=^TestWSFanoutClients$", "-test.v", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), "BALLAST_FANOUT_CHILD=1", "BALLAST_FANOUT_ADDR="+addr,
		"BALLAST_FANOUT_SUBS="+strconv.Itoa(n), "BALLAST_FANOUT_SLOW="+strconv.Itoa(slow),
		"BALLAST_FANOUT_TRADES="+strconv.Itoa(trades))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &fanoutChild{cmd: cmd, in: in, lines: make(chan string, 64)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

func (c *fanoutChild) waitLine(t *testing.T, prefix string, d time.Duration) string {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("client process ended before %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			if strings.Contains(l, "FAIL") || strings.Contains(l, "panic") {
				t.Logf("client: %s", l)
			}
		case <-timeout:
			t.Fatalf("no %q from the client process in %v", prefix, d)
		}
	}
}

func (c *fanoutChild) send(t *testing.T, v any) {
	b, _ := json.Marshal(v)
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
}

func (c *fanoutChild) kill() {
	c.once.Do(func() {
		_ = c.in.Close()
		done := make(chan struct{})
		go func() { _ = c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-done
		}
	})
}

// fanoutSub is one subscriber of the client process.
type fanoutSub struct {
	c      *websocket.Conn
	recv   []int64 // receipt time (unix ns), indexed by trade id - 1
	trades int
	lastID atomic.Uint64
	ooo    int
	msgs   int64
	bytes  int64
	lastNS int64
	closed atomic.Bool
	early  bool // the connection ended before the client closed it
}

// TestWSFanoutClients is the client side of TestWSFanout; it runs only as
// that test's child process.
func TestWSFanoutClients(t *testing.T) {
	if os.Getenv("BALLAST_FANOUT_CHILD") == "" {
		t.Skip("runs as TestWSFanout's client process")
	}
	addr := os.Getenv("BALLAST_FANOUT_ADDR")
	n, slow, trades := envInt("BALLAST_FANOUT_SUBS", 0), envInt("BALLAST_FANOUT_SLOW", 0), envInt("BALLAST_FANOUT_TRADES", 0)
	raiseNoFile(t, n+slow+1000)
	sym := strings.ToLower(fanoutSymbol)
	fastURL := "ws://" + addr + "/stream?streams=" + sym + "@trade/" + sym + "@bookTicker/" + sym + "@depth@100ms"
	slowStreams := []string{sym + "@trade", sym + "@aggTrade", sym + "@bookTicker", sym + "@depth@100ms"}
	for _, iv := range klineIntervals {
		slowStreams = append(slowStreams, sym+"@kline_"+iv)
	}
	slowURL := "ws://" + addr + "/stream?streams=" + strings.Join(slowStreams, "/")

	// Clients are spread over 16 loopback source addresses so the
	// ephemeral ports of one address never run out.
	clients := make([]*http.Client, 16)
	slowClients := make([]*http.Client, 16)
	for i := range clients {
		src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(10+i))}
		clients[i] = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: src}).DialContext}}
		// Slow subscribers get a small receive buffer so the kernel
		// does not hide their backlog from the server for long.
		slowClients[i] = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: src,
			Control: func(_, _ string, rc syscall.RawConn) error {
				var serr error
				err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
				if err != nil {
					return err
				}
				return serr
			}}).DialContext}}
	}
	subs := make([]*fanoutSub, n+slow)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	errs := make(chan error, 1)
	for i := range subs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			u, hc := fastURL, clients[i%16]
			if i >= n {
				u, hc = slowURL, slowClients[i%16]
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: hc})
			if err != nil {
				select {
				case errs <- fmt.Errorf("dial %d: %w", i, err):
				default:
				}
				return
			}
			c.SetReadLimit(1 << 20)
			subs[i] = &fanoutSub{c: c}
			if i < n {
				subs[i].recv = make([]int64, trades)
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	fmt.Println("ready")
	cpu0 := cpuSeconds()

	tradePrefix := []byte(`{"stream":"` + sym + `@trade","data":`)
	var readers sync.WaitGroup
	var stopping atomic.Bool
	for _, s := range subs[:n] {
		readers.Add(1)
		go func() {
			defer readers.Done()
			var buf bytes.Buffer
			for {
				_, r, err := s.c.Reader(context.Background())
				if err == nil {
					buf.Reset()
					_, err = buf.ReadFrom(r)
				}
				if err != nil {
					s.early = !stopping.Load()
					s.closed.Store(true)
					return
				}
				now := time.Now().UnixNano()
				b := buf.Bytes()
				s.msgs++
				s.bytes += int64(len(b))
				s.lastNS = now
				if !bytes.HasPrefix(b, tradePrefix) {
					continue
				}
				// "t" (the trade id) is the payload's last key: encoding/json
				// sorts map keys.
				i := bytes.LastIndex(b, []byte(`"t":`))
				if i < 0 {
					continue
				}
				j := i + 4
				for j < len(b) && b[j] >= '0' && b[j] <= '9' {
					j++
				}
				id, _ := strconv.ParseUint(string(b[i+4:j]), 10, 64)
				if id <= s.lastID.Load() {
					s.ooo++
				}
				s.lastID.Store(id)
				if id >= 1 && int(id) <= len(s.recv) {
					s.recv[id-1] = now
					s.trades++
				}
			}
		}()
	}

	var cmd fanoutCmd
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(nil, 64<<20)
	if !sc.Scan() {
		t.Fatal("no command from the parent")
	}
	if err := json.Unmarshal(sc.Bytes(), &cmd); err != nil {
		t.Fatal(err)
	}
	// Wait until every fast subscriber has every trade (or stops
	// making progress).
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		done := true
		for _, s := range subs[:n] {
			if !s.closed.Load() && s.lastID.Load() < cmd.FirstID+uint64(len(cmd.Events))-1 {
				done = false
				break
			}
		}
		if done {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Let trailing depth and bookTicker messages land, then stop.
	time.Sleep(300 * time.Millisecond)
	stopping.Store(true)
	for _, s := range subs[:n] {
		s.c.CloseNow()
	}
	readers.Wait()

	rep := fanoutReport{Fast: n, Slow: slow, MinTrades: trades, CloseCodes: map[string]int{}}
	var lats []int64
	for _, s := range subs[:n] {
		rep.MinTrades, rep.MaxTrades = min(rep.MinTrades, s.trades), max(rep.MaxTrades, s.trades)
		rep.OutOfOrder += s.ooo
		rep.Msgs += s.msgs
		rep.Bytes += s.bytes
		rep.LastRecvNS = max(rep.LastRecvNS, s.lastNS)
		if s.early {
			rep.FastClosed++
		}
		for i, r := range s.recv {
			id := uint64(i + 1)
			if r == 0 || id < cmd.FirstID || id-cmd.FirstID >= uint64(len(cmd.Events)) {
				continue
			}
			lats = append(lats, (r-cmd.Events[id-cmd.FirstID])/1e3)
		}
	}
	if len(cmd.Events) > 0 {
		rep.FirstEventNS = cmd.Events[0]
	}
	slices.Sort(lats)
	if len(lats) > 0 {
		q := func(p float64) int64 { return lats[min(len(lats)-1, int(p*float64(len(lats))))] }
		rep.P50US, rep.P99US, rep.P999US, rep.MaxU = q(0.50), q(0.99), q(0.999), lats[len(lats)-1]
	}
	// A slow subscriber reads now: whatever the kernel buffered, then
	// the end of the connection if the server dropped it.
	var slowWG sync.WaitGroup
	var slowClosed atomic.Int64
	var codeMu sync.Mutex
	for _, s := range subs[n:] {
		slowWG.Add(1)
		go func() {
			defer slowWG.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for {
				if _, _, err := s.c.Read(ctx); err != nil {
					if ctx.Err() == nil {
						slowClosed.Add(1)
					}
					codeMu.Lock()
					rep.CloseCodes[strconv.Itoa(int(websocket.CloseStatus(err)))]++
					codeMu.Unlock()
					return
				}
			}
		}()
	}
	slowWG.Wait()
	rep.SlowClosed = int(slowClosed.Load())
	rep.CPUSeconds = cpuSeconds() - cpu0
	b, _ := json.Marshal(rep)
	fmt.Println("fanout: " + string(b))
}

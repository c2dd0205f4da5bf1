package api

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
)

// TestOrderLoad is the REST load generator of docs/benchmarks.md: signed
// LIMIT IOC orders on an empty book (alternating sides; each takes its
// hold, is journaled and fsynced, expires and releases the hold, so the
// book and MAX_NUM_ORDERS do not bound the run) from BALLAST_LOAD_CONNS
// keep-alive connections for BALLAST_LOAD_SECONDS. It runs only when
// BALLAST_LOAD_SECONDS is set.
//
// The generator runs in a child process (this test binary again, as
// TestLoadGenerator), so the CPU time of server and generator is measured
// separately (getrusage) and -cpuprofile shows the server alone. With
// BALLAST_LOAD_CLIENT=nethttp it uses net/http's client; by default a lean
// one (as wrk does): raw keep-alive connections, each request built in a
// reused buffer with a fresh timestamp and its own HMAC signature, the
// response parsed just enough to check status and body.
func TestOrderLoad(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("BALLAST_LOAD_SECONDS"))
	if secs == 0 {
		t.Skip("set BALLAST_LOAD_SECONDS to run the load generator")
	}
	conns, _ := strconv.Atoi(os.Getenv("BALLAST_LOAD_CONNS"))
	if conns == 0 {
		conns = 64
	}
	a, _, v := setupVenue(t, Config{Listen: "127.0.0.1:0", WeightPerMinute: 1 << 30, OrdersPer10s: 1 << 30})
	m, _ := v.Market("BLSTTUSD")
	js := m.JournalStats()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BALLAST_LOADGEN_ADDR="+a.base[len("http://"):], "BALLAST_LOADGEN_KEY="+a.key,
		"BALLAST_LOADGEN_SECRET="+a.secret.Reveal(), "BALLAST_LOADGEN_CONNS="+strconv.Itoa(conns),
		"BALLAST_LOADGEN_SECONDS="+strconv.Itoa(secs))
	cmd.Stderr = os.Stderr
	before := selfCPU()
	wall := time.Now()
	out, err := cmd.Output()
	elapsed := time.Since(wall)
	server := selfCPU() - before
	js2 := m.JournalStats()
	syncs := max(js2.Syncs-js.Syncs, 1)
	if err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	var res loadResult
	if i := bytes.LastIndex(out, []byte("LOADRESULT ")); i < 0 {
		t.Fatalf("generator printed no result:\n%s", out)
	} else if err := json.Unmarshal(bytes.TrimSpace(bytes.SplitN(out[i+len("LOADRESULT "):], []byte("\n"), 2)[0]), &res); err != nil {
		t.Fatal(err)
	}
	if res.Orders == 0 {
		t.Fatalf("no successful orders (%d failures)", res.Failures)
	}
	gen := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	total := server + gen
	t.Logf("client=%s conns=%d orders=%d failures=%d rate=%.0f/s p50=%v p99=%v max=%v", res.Client, conns, res.Orders,
		res.Failures, res.Rate, res.P50, res.P99, res.Max)
	t.Logf("cpu: server %.2fs (%.0f%% of 2 cores, %.1f us/order), generator %.2fs (%.0f%% of 2 cores, %.1f us/order); generator share %.0f%%",
		server.Seconds(), 100*server.Seconds()/(2*elapsed.Seconds()), float64(server.Microseconds())/float64(res.Orders),
		gen.Seconds(), 100*gen.Seconds()/(2*elapsed.Seconds()), float64(gen.Microseconds())/float64(res.Orders),
		100*gen.Seconds()/total.Seconds())
	t.Logf("journal: %d fsyncs, %.1f commands per fsync, %v per fsync (longest since start %v)", syncs,
		float64(js2.Commands-js.Commands)/float64(syncs), (js2.SyncTime-js.SyncTime)/time.Duration(syncs), js2.MaxSync)
}

type loadResult struct {
	Client           string
	Orders, Failures int
	Rate             float64
	P50, P99, Max    time.Duration
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLoadGenerator is TestOrderLoad's child process.
func TestLoadGenerator(t *testing.T) {
	addr := os.Getenv("BALLAST_LOADGEN_ADDR")
	if addr == "" {
		t.Skip("run by TestOrderLoad")
	}
	key, secret := os.Getenv("BALLAST_LOADGEN_KEY"), auth.Secret(os.Getenv("BALLAST_LOADGEN_SECRET"))
	conns, _ := strconv.Atoi(os.Getenv("BALLAST_LOADGEN_CONNS"))
	secs, _ := strconv.Atoi(os.Getenv("BALLAST_LOADGEN_SECONDS"))
	client := "lean"
	if os.Getenv("BALLAST_LOAD_CLIENT") == "nethttp" {
		client = "nethttp"
	}
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var mu sync.Mutex
	var lat []time.Duration
	var fails int
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			var mine []time.Duration
			var bad int
			var err error
			if client == "nethttp" {
				mine, bad = netHTTPWorker(addr, key, secret, w, deadline)
			} else {
				mine, bad, err = leanWorker(addr, key, secret, w, deadline)
			}
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			lat = append(lat, mine...)
			fails += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	res := loadResult{Client: client, Orders: len(lat), Failures: fails, Rate: float64(len(lat)) / float64(secs)}
	if len(lat) > 0 {
		pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
		res.P50, res.P99, res.Max = pct(0.5), pct(0.99), lat[len(lat)-1]
	}
	b, _ := json.Marshal(res)
	fmt.Printf("LOADRESULT %s\n", b)
}

// orderSide alternates BUY below and SELL above the empty book's range.
func orderSide(w, i int) (side, price string) {
	if (w+i)%2 == 1 {
		return "SELL", "1100.00"
	}
	return "BUY", "900.00"
}

func netHTTPWorker(addr, key string, secret auth.Secret, w int, deadline time.Time) ([]time.Duration, int) {
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
	var lat []time.Duration
	bad := 0
	for i := 0; time.Now().Before(deadline); i++ {
		side, price := orderSide(w, i)
		p := url.Values{"symbol": {"BLSTTUSD"}, "side": {side}, "type": {"LIMIT"}, "timeInForce": {"IOC"},
			"quantity": {"0.01"}, "price": {price}, "newOrderRespType": {"ACK"},
			"timestamp": {strconv.FormatInt(time.Now().UnixMilli(), 10)}}
		q := p.Encode()
		q += "&signature=" + auth.Sign(secret, []byte(q))
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v3/order?"+q, nil)
		req.Header.Set("X-MBX-APIKEY", key)
		start := time.Now()
		resp, err := cl.Do(req)
		if err != nil {
			bad++
			continue
		}
		_, _ = resp.Body.Read(make([]byte, 512))
		resp.Body.Close()
		if resp.StatusCode != 200 {
			bad++
			continue
		}
		lat = append(lat, time.Since(start))
	}
	return lat, bad
}

// leanWorker drives one keep-alive connection with hand-built requests.
// Every request carries a fresh timestamp and its own signature, and the
// server parses and verifies it like any other.
func leanWorker(addr, key string, secret auth.Secret, w int, deadline time.Time) ([]time.Duration, int, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, 0, err
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	mac := hmac.New(sha256.New, []byte(secret.Reveal()))
	var req, sum []byte
	var lat []time.Duration
	bad := 0
	for i := 0; ; i++ {
		now := time.Now()
		if !now.Before(deadline) {
			return lat, bad, nil
		}
		side, price := orderSide(w, i)
		req = append(req[:0], "POST /api/v3/order?"...)
		q := len(req)
		req = append(req, "symbol=BLSTTUSD&side="...)
		req = append(req, side...)
		req = append(req, "&type=LIMIT&timeInForce=IOC&quantity=0.01&price="...)
		req = append(req, price...)
		req = append(req, "&newOrderRespType=ACK&timestamp="...)
		req = strconv.AppendInt(req, now.UnixMilli(), 10)
		mac.Reset()
		mac.Write(req[q:])
		sum = mac.Sum(sum[:0])
		req = append(req, "&signature="...)
		req = hex.AppendEncode(req, sum)
		req = append(req, " HTTP/1.1\r\nHost: "...)
		req = append(req, addr...)
		req = append(req, "\r\nX-MBX-APIKEY: "...)
		req = append(req, key...)
		req = append(req, "\r\nContent-Length: 0\r\n\r\n"...)
		if _, err := c.Write(req); err != nil {
			return lat, bad, err
		}
		status, body, err := readResponse(br)
		if err != nil {
			return lat, bad, err
		}
		if status != 200 || !bytes.HasPrefix(body, []byte(`{"symbol":"BLSTTUSD","orderId":`)) {
			bad++
			continue
		}
		lat = append(lat, time.Since(now))
	}
}

// readResponse reads one HTTP/1.1 response with a Content-Length body and
// returns its status and body (valid until the next read).
func readResponse(br *bufio.Reader) (int, []byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, err
	}
	n := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 16 && (line[0] == 'C' || line[0] == 'c') && bytes.EqualFold(line[:15], []byte("Content-Length:")) {
			n, err = strconv.Atoi(string(bytes.TrimSpace(line[15:])))
			if err != nil {
				return 0, nil, err
			}
		}
	}
	if n < 0 || n > br.Size() {
		return 0, nil, errors.New("response without a usable Content-Length")
	}
	body, err := br.Peek(n)
	if err != nil {
		return 0, nil, err
	}
	_, _ = br.Discard(n)
	return status, body, nil
}

package api

import (
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
)

// TestOrderLoad is the REST load generator of docs/benchmarks.md: signed
// LIMIT IOC orders on an empty book (alternating sides; each takes its
// hold, is journaled and fsynced, expires and releases the hold, so the
// book and MAX_NUM_ORDERS do not bound the run) from
// BALLAST_LOAD_CONNS keep-alive connections for BALLAST_LOAD_SECONDS.
// It runs only when BALLAST_LOAD_SECONDS is set.
func TestOrderLoad(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("BALLAST_LOAD_SECONDS"))
	if secs == 0 {
		t.Skip("set BALLAST_LOAD_SECONDS to run the load generator")
	}
	conns, _ := strconv.Atoi(os.Getenv("BALLAST_LOAD_CONNS"))
	if conns == 0 {
		conns = 64
	}
	a, _ := setupWith(t, Config{Listen: "127.0.0.1:0", WeightPerMinute: 1 << 30, OrdersPer10s: 1 << 30})
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	cl := &http.Client{Transport: tr}
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var mu sync.Mutex
	var lat []time.Duration
	var fails int
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for i := 0; time.Now().Before(deadline); i++ {
				side, price := "BUY", "900.00"
				if (w+i)%2 == 1 {
					side, price = "SELL", "1100.00"
				}
				p := url.Values{"symbol": {"BLSTTUSD"}, "side": {side}, "type": {"LIMIT"}, "timeInForce": {"IOC"},
					"quantity": {"0.01"}, "price": {price}, "newOrderRespType": {"ACK"},
					"timestamp": {strconv.FormatInt(time.Now().UnixMilli(), 10)}}
				q := p.Encode()
				q += "&signature=" + auth.Sign(a.secret, []byte(q))
				req, _ := http.NewRequest("POST", a.base+"/api/v3/order?"+q, nil)
				req.Header.Set("X-MBX-APIKEY", a.key)
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
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			fails += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		t.Fatalf("no successful orders (%d failures)", fails)
	}
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	t.Logf("conns=%d orders=%d failures=%d rate=%.0f/s p50=%v p99=%v max=%v", conns, len(lat), fails,
		float64(len(lat))/float64(secs), pct(0.5), pct(0.99), lat[len(lat)-1])
}

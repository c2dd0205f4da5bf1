package stratum

import (
	"context"
	"encoding/binary"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
)

// BenchmarkShareValidation is the work of checking one share on every core:
// coinbase assembly, txid, merkle branch fold, header hash, target check.
func BenchmarkShareValidation(b *testing.B) {
	h := newHarnessOn(b, params.Mainnet(), nil)
	j, err := h.srv.jobFor(h.lock)
	if err != nil {
		b.Fatal(err)
	}
	target := TargetForDifficulty(1)
	en1 := []byte{1, 2, 3, 4}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var n uint32
		for pb.Next() {
			n++
			en2 := binary.BigEndian.AppendUint32(nil, n)
			hd, _ := j.Header(en1, en2, j.Time, n, j.Version)
			hash := hd.BlockHash()
			_ = pow.HashMeetsTarget(&hash, &target)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "shares/s")
}

// BenchmarkConnections holds 2,000 subscribed and authorized miners and
// reports the server-side heap and goroutine cost per connection.
func BenchmarkConnections(b *testing.B) {
	const conns = 2000
	for range b.N {
		h := newHarnessOn(b, params.Mainnet(), func(c *Config) { c.MaxConns = conns + 10 })
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		cs := make([]net.Conn, 0, conns)
		for i := range conns {
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				b.Fatal(err)
			}
			cs = append(cs, c)
			_, _ = c.Write([]byte(`{"id":1,"method":"mining.subscribe","params":[]}` + "\n" +
				`{"id":2,"method":"mining.authorize","params":["` + h.user + `",""]}` + "\n"))
			_ = i
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		for h.srv.Stats().Connections < conns && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		time.Sleep(200 * time.Millisecond)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		// Client-side conns live in this process too: count half the
		// goroutines as the server's (reader + writer per session).
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/conns, "heapB/conn")
		b.ReportMetric(float64(after.StackInuse-before.StackInuse)/conns, "stackB/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/conns, "goroutines/conn")
		for _, c := range cs {
			c.Close()
		}
	}
}

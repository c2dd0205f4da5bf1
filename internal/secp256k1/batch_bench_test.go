//go:build cgo && libsecp256k1

package secp256k1

import (
	"fmt"
	"testing"
)

// BenchmarkBatchCrossover compares, for small batches, verifying one by one
// with one batch equation, per signature: batchMin is where the equation
// starts to win.
func BenchmarkBatchCrossover(b *testing.B) {
	v := newBatchVerifier(b)
	for _, n := range []int{2, 4, 8, 12, 16, 24, 32, 48, 64} {
		checks := benchChecks(b, n)
		for _, m := range []struct {
			name string
			f    func() bool
		}{
			{"each", func() bool { return verifyEach(checks) }},
			{"equation", func() bool { return v.verifyEquation(checks) }},
		} {
			b.Run(fmt.Sprintf("%d/%s", n, m.name), func(b *testing.B) {
				for b.Loop() {
					if !m.f() {
						b.Fatal("does not verify")
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
			})
		}
	}
}

// BenchmarkVerifyBatchParallel is BenchmarkVerifyBatch with every core
// verifying batches at once, as a node does (per signature, per core).
func BenchmarkVerifyBatchParallel(b *testing.B) {
	v := newBatchVerifier(b)
	for _, n := range []int{256, 512, 1024, 2048, 4096} {
		checks := benchChecks(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !v.VerifyBatch(checks) {
						b.Error("does not verify")
						return
					}
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
		})
	}
}

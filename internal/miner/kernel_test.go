package miner

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// The kernel matches double SHA-256 of the whole header for random headers
// and nonces.
func TestKernelMatchesSHA256(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var hdr [80]byte
		for i := range hdr {
			hdr[i] = byte(r.Uint32())
		}
		k := NewKernel(&hdr)
		for range 20 {
			n := r.Uint32()
			binary.LittleEndian.PutUint32(hdr[76:], n)
			first := sha256.Sum256(hdr[:])
			if want := sha256.Sum256(first[:]); k.Hash(n) != want {
				t.Fatalf("nonce %d: kernel disagrees", n)
			}
		}
	}
}

func TestScanFinds(t *testing.T) {
	var hdr [80]byte
	var target [32]byte
	target[31] = 0x01 // 1 in 128 hashes
	k := NewKernel(&hdr)
	n, ok, hashes := k.Scan(0, 1<<16, &target)
	if !ok || hashes != uint64(n)+1 || k.Hash(n)[31] > 0x01 {
		t.Fatalf("scan: %d %v %d", n, ok, hashes)
	}
}

func naive(hdr *[80]byte, n uint32) [32]byte {
	binary.LittleEndian.PutUint32(hdr[76:], n)
	first := sha256.Sum256(hdr[:])
	return sha256.Sum256(first[:])
}

// benchKernels is the baseline, the crypto/sha256 midstate kernel and each
// multi-nonce kernel this CPU runs, each hashing count nonces of hdr.
func benchKernels() []struct {
	name string
	run  func(hdr *[80]byte, count int)
} {
	var zero [32]byte // no hash meets it: Scan does every nonce
	ks := []struct {
		name string
		run  func(hdr *[80]byte, count int)
	}{
		{"naive", func(hdr *[80]byte, count int) {
			for i := range count {
				naive(hdr, uint32(i))
			}
		}},
		{"midstate", func(hdr *[80]byte, count int) {
			k := newKernel(hdr, nil)
			for i := range count {
				k.Hash(uint32(i))
			}
		}},
	}
	for _, s := range testScanners() {
		ks = append(ks, struct {
			name string
			run  func(hdr *[80]byte, count int)
		}{s.name, func(hdr *[80]byte, count int) {
			k := newKernel(hdr, s)
			for done := 0; done < count; done += 1 << 16 {
				k.Scan(uint32(done), uint32(min(count-done, 1<<16)), &zero)
			}
		}})
	}
	return ks
}

// Single core: naive crypto/sha256 of the whole header, the crypto/sha256
// midstate kernel and the multi-nonce kernels. Hash rate is in MH/s.
func BenchmarkHash(b *testing.B) {
	for _, k := range benchKernels() {
		b.Run(k.name, func(b *testing.B) {
			var hdr [80]byte
			b.ReportAllocs()
			k.run(&hdr, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "MH/s")
		})
	}
}

// All cores: each goroutine its own kernel over its own header.
func BenchmarkHashAllCores(b *testing.B) {
	for _, k := range benchKernels() {
		b.Run(k.name, func(b *testing.B) {
			cores := runtime.GOMAXPROCS(0)
			per := b.N/cores + 1
			var wg sync.WaitGroup
			for c := range cores {
				wg.Go(func() {
					var hdr [80]byte
					hdr[0] = byte(c)
					k.run(&hdr, per)
				})
			}
			wg.Wait()
			b.ReportMetric(float64(per*cores)/b.Elapsed().Seconds()/1e6, "MH/s")
		})
	}
}

package miner

// cpuid and xgetbv are in cpu_amd64.s (golang.org/x/sys/cpu is not a
// dependency; this is the little of it the kernels need).
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// cpuFeatures is what the amd64 kernels need, each usable only when the
// OS also saves the registers involved (XCR0).
type cpuFeatures struct {
	SHA, AVX, AVX2, AVX512 bool
}

func detectCPU() cpuFeatures {
	var f cpuFeatures
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return f
	}
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	bit := func(r uint32, n uint) bool { return r>>n&1 == 1 }
	sse := bit(ecx1, 9) && bit(ecx1, 19) // SSSE3, SSE4.1
	osxsave := bit(ecx1, 27)
	var xcr0 uint32
	if osxsave {
		xcr0, _ = xgetbv()
	}
	osYMM := osxsave && xcr0&0x6 == 0x6
	osZMM := osYMM && xcr0&0xe0 == 0xe0 // opmask, ZMM0-15 upper, ZMM16-31
	f.AVX = sse && bit(ecx1, 28) && osYMM
	f.SHA = f.AVX && bit(ebx7, 29)
	f.AVX2 = f.AVX && bit(ebx7, 5)
	f.AVX512 = f.AVX2 && osZMM && bit(ebx7, 16) && bit(ebx7, 30) && bit(ebx7, 31) // F, BW, VL
	return f
}

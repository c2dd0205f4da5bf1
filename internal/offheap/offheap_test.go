package offheap

import (
	"runtime"
	"testing"
)

func TestMakeIsZeroedWritableAndOffHeap(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tab, err := Make[[4][32]byte](1 << 18) // 32 MiB
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if len(tab) != 1<<18 {
		t.Fatalf("len %d", len(tab))
	}
	if grew := int64(after.HeapSys) - int64(before.HeapSys); grew >= 16<<20 {
		t.Fatalf("the Go heap grew by %d bytes", grew)
	}
	for _, i := range []int{0, 1 << 17, 1<<18 - 1} {
		if tab[i] != ([4][32]byte{}) {
			t.Fatalf("element %d not zero", i)
		}
		tab[i][3][31] = 7
		if tab[i][3][31] != 7 {
			t.Fatal("write lost")
		}
	}
	if _, err := Make[byte](0); err == nil {
		t.Fatal("zero-length allocation accepted")
	}
}

// Package offheap allocates large, long-lived, pointer-free tables outside
// the Go heap.
//
// The garbage collector sizes its heap goal from the live heap: a 32 MiB
// table that lives for the whole process (the signature cache) lets 32 MiB
// more garbage pile up before each collection, whether or not the table is
// ever touched. Mapped anonymously instead, the table costs only the pages
// written to it and nothing in headroom. The memory is never returned: use
// it for tables made once, at start-up.
package offheap

import (
	"fmt"
	"syscall"
	"unsafe"
)

// Make returns a zeroed slice of n Ts in anonymous mapped memory. T must
// contain no pointers (the collector does not scan this memory).
func Make[T any](n int) ([]T, error) {
	var zero T
	size := int(unsafe.Sizeof(zero)) * n
	if n <= 0 || size <= 0 {
		return nil, fmt.Errorf("offheap: cannot allocate %d elements of %d bytes", n, unsafe.Sizeof(zero))
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("offheap: mmap %d bytes: %w", size, err)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[0])), n), nil
}

package pow

import (
	"slices"
	"testing"
)

func TestMedianTime(t *testing.T) {
	tests := []struct {
		name       string
		timestamps []uint32
		want       uint32
	}{
		{"none", nil, 0},
		{"one (genesis)", []uint32{1000}, 1000},
		{"two: upper middle", []uint32{1000, 2000}, 2000},
		{"two reversed", []uint32{2000, 1000}, 2000},
		{"three unsorted", []uint32{30, 10, 20}, 20},
		{"four: element 2 of sorted", []uint32{40, 10, 30, 20}, 30},
		{"eleven ascending", []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6},
		{"eleven shuffled", []uint32{11, 3, 9, 1, 7, 5, 10, 2, 8, 4, 6}, 6},
		{"duplicates", []uint32{5, 5, 5, 1, 9, 9, 9}, 5},
		{"out-of-order miner times", []uint32{100, 700, 200, 600, 300, 500, 400, 1, 0xffffffff, 800, 900}, 500},
		{"more than eleven", []uint32{13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 7},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.timestamps)
		if got := MedianTime(in); got != tt.want {
			t.Errorf("%s: MedianTime(%v) = %d, want %d", tt.name, tt.timestamps, got, tt.want)
		}
		if !slices.Equal(in, tt.timestamps) {
			t.Errorf("%s: MedianTime reordered its argument to %v", tt.name, in)
		}
	}
}

func TestMedianTimeDoesNotAllocate(t *testing.T) {
	ts := []uint32{11, 3, 9, 1, 7, 5, 10, 2, 8, 4, 6}
	if allocs := testing.AllocsPerRun(100, func() { MedianTime(ts) }); allocs != 0 {
		t.Fatalf("MedianTime of %d timestamps allocates %v times", len(ts), allocs)
	}
}

func TestTimeConstants(t *testing.T) {
	if MedianTimeBlocks != 11 || MaxFutureBlockTime != 7200 {
		t.Fatalf("MedianTimeBlocks = %d, MaxFutureBlockTime = %d; the chain's rules are 11 and 7200",
			MedianTimeBlocks, MaxFutureBlockTime)
	}
}

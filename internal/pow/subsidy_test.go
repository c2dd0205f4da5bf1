package pow

import (
	"math"
	"testing"
)

func TestBlockSubsidy(t *testing.T) {
	const (
		coin     = 100_000_000
		initial  = 50 * coin
		interval = 210_000
	)
	tests := []struct {
		height   int32
		initial  int64
		interval int32
		want     int64
	}{
		{0, initial, interval, 50 * coin},
		{209_999, initial, interval, 50 * coin},
		{210_000, initial, interval, 25 * coin},
		{419_999, initial, interval, 25 * coin},
		{420_000, initial, interval, 1_250_000_000},
		{630_000, initial, interval, 625_000_000},
		{840_000, initial, interval, 312_500_000},
		{32 * interval, initial, interval, 1}, // 5e9 >> 32
		{33 * interval, initial, interval, 0}, // shifted out
		{-1, initial, interval, 0},            // no such block
		{math.MaxInt32, initial, interval, 0}, // 10225 halvings
		{62, math.MaxInt64, 1, 1},             // 2^63-1 >> 62
		{63, math.MaxInt64, 1, 0},             // 2^63-1 >> 63
		{64, math.MaxInt64, 1, 0},             // the >= 64 guard
		{math.MaxInt32, math.MaxInt64, 1, 0},  // huge halving count
		{10, 1000, 20, 1000},                  // other networks' parameters
		{20, 1000, 20, 500},
		{45, 1001, 20, 250}, // rounds down
	}
	for _, tt := range tests {
		if got := BlockSubsidy(tt.height, tt.initial, tt.interval); got != tt.want {
			t.Errorf("BlockSubsidy(%d, %d, %d) = %d, want %d", tt.height, tt.initial, tt.interval, got, tt.want)
		}
	}
}

// TestBlockSubsidyTotal sums every block's subsidy under Bitcoin's parameters
// to Bitcoin's known supply cap, 20,999,999.9769 BTC.
func TestBlockSubsidyTotal(t *testing.T) {
	const interval = 210_000
	var total int64
	for h := int32(0); h < 64*interval; h += interval {
		s := BlockSubsidy(h, 50*100_000_000, interval)
		if BlockSubsidy(h+interval-1, 50*100_000_000, interval) != s {
			t.Fatalf("subsidy changes inside the era starting at %d", h)
		}
		total += s * interval
	}
	if total != 2_099_999_997_690_000 {
		t.Fatalf("total subsidy = %d, want 2099999997690000", total)
	}
}

func TestBlockSubsidyPanicsOnBadInterval(t *testing.T) {
	for _, interval := range []int32{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BlockSubsidy with interval %d did not panic", interval)
				}
			}()
			BlockSubsidy(1, 50, interval)
		}()
	}
}

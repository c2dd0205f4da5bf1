package pow

import "slices"

// Block time rules. A block's timestamp must be greater than the median time
// past of its parent, MedianTime of the timestamps of the MedianTimeBlocks
// blocks ending with the parent (fewer near genesis), and at most
// MaxFutureBlockTime seconds ahead of the validating node's clock.
const (
	MedianTimeBlocks   = 11
	MaxFutureBlockTime = 2 * 60 * 60 // seconds
)

// MedianTime returns the median of timestamps, in any order, as Bitcoin
// Core's GetMedianTimePast does: sort and take element len/2, so for an even
// count it is the upper of the two middle values. It returns 0 for no
// timestamps and does not modify the caller's slice. Up to MedianTimeBlocks
// timestamps it does not allocate.
func MedianTime(timestamps []uint32) uint32 {
	if len(timestamps) == 0 {
		return 0
	}
	var buf [MedianTimeBlocks]uint32
	sorted := buf[:0]
	if len(timestamps) > len(buf) {
		sorted = make([]uint32, 0, len(timestamps))
	}
	sorted = append(sorted, timestamps...)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

package venue

import "github.com/ballast-chain/ballast/internal/matching"

// hub fans market events out to stream subscribers. The WebSocket streams
// are not wired yet; the hook sits where events are applied in order.
type hub struct{}

func (h *hub) publish(*Market, []matching.Event) {}

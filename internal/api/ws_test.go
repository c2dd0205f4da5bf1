package api

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestDepthStreamSyncsWithSnapshot subscribes to depth@100ms and trade
// over SUBSCRIBE, trades, and checks Binance's sync rule: diffs are
// contiguous (U = previous u + 1) and the first one after a REST snapshot
// covers lastUpdateId + 1.
func TestDepthStreamSyncsWithSnapshot(t *testing.T) {
	a, b := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(a.base, "http", "ws", 1)+"/stream?streams=blsttusd@trade", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	send := func(v any) {
		bs, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, bs); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]any {
		_, bs, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(bs, &m)
		return m
	}
	send(map[string]any{"method": "SUBSCRIBE", "params": []string{"blsttusd@depth@100ms"}, "id": 1})
	if m := read(); m["id"] != 1.0 || m["result"] != nil {
		t.Fatalf("subscribe reply %v", m)
	}
	send(map[string]any{"method": "LIST_SUBSCRIPTIONS", "id": 2})
	if m := read(); len(m["result"].([]any)) != 2 {
		t.Fatalf("list %v", m)
	}
	_, snap, _ := a.do("GET", "/api/v3/depth", url.Values{"symbol": {"BLSTTUSD"}}, false)
	last := uint64(snap["lastUpdateId"].(float64))
	for i, px := range []string{"1000.00", "1001.00", "1002.00"} {
		a.do("POST", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "side": {"SELL"}, "type": {"LIMIT"},
			"timeInForce": {"GTC"}, "quantity": {"1"}, "price": {px}}, true)
		if i == 1 {
			b.do("POST", "/api/v3/order", url.Values{"symbol": {"BLSTTUSD"}, "side": {"BUY"}, "type": {"MARKET"}, "quantity": {"0.5"}}, true)
		}
	}
	var prevU uint64
	sawTrade, synced := false, false
	for !(sawTrade && synced) {
		m := read()
		data := m["data"].(map[string]any)
		switch m["stream"] {
		case "blsttusd@trade":
			sawTrade = data["p"] == "1000.00" && data["q"] == "0.50000"
		case "blsttusd@depth@100ms":
			U, u := uint64(data["U"].(float64)), uint64(data["u"].(float64))
			if prevU != 0 && U != prevU+1 {
				t.Fatalf("gap: U=%d after u=%d", U, prevU)
			}
			if prevU == 0 && (U > last+1 || u < last+1) {
				t.Fatalf("first diff U=%d u=%d does not cover %d", U, u, last+1)
			}
			prevU = u
			_, now, _ := a.do("GET", "/api/v3/depth", url.Values{"symbol": {"BLSTTUSD"}}, false)
			synced = len(now["asks"].([]any)) == 3 && u >= uint64(now["lastUpdateId"].(float64))
		}
	}
}

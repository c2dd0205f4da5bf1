package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := New()
	c := r.NewCounter("ballast_blocks_connected_total", "Blocks connected.")
	c.Add(3)
	r.NewGaugeFunc("ballast_height", "Best height.", func() float64 { return 42 })
	h := r.NewHistogram("ballast_block_validation_seconds", "Validation time.", []float64{0.1, 1})
	h.Observe(0.05)
	h.Observe(0.5)
	h.Observe(5)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	got := string(body)
	for _, want := range []string{
		"# TYPE ballast_blocks_connected_total counter\nballast_blocks_connected_total 3\n",
		"ballast_height 42\n",
		`ballast_block_validation_seconds_bucket{le="0.1"} 1`,
		`ballast_block_validation_seconds_bucket{le="1"} 2`,
		`ballast_block_validation_seconds_bucket{le="+Inf"} 3`,
		"ballast_block_validation_seconds_sum 5.55\nballast_block_validation_seconds_count 3\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatal("content type")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate series accepted")
		}
	}()
	r.NewCounter("ballast_height", "dup")
}

package cli

import (
	"bytes"
	"context"
	"testing"
)

func TestMinerNeedsServer(t *testing.T) {
	var out bytes.Buffer
	err := minerCommand().run(context.Background(), []string{"-user", "x"}, Env{Stdout: &out, Stderr: &out})
	if err == nil {
		t.Fatal("miner ran without -stratum")
	}
}

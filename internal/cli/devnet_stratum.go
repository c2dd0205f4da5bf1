package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/stratum"
)

// stratumPart starts a solo Stratum server on the devnet's block work and
// prints its address and how to mine through it.
func (d *devnet) stratumPart(ctx context.Context) (func(context.Context) error, error) {
	n := d.node
	if n.MiningManager() == nil {
		return nil, errors.New("devnet: node has no block work manager")
	}
	cfg := stratum.Config{Params: d.cfg.Params, Manager: n.MiningManager(), Submit: n.SubmitBlock,
		Listen: "127.0.0.1:0", StartDifficulty: 1e-6}
	if d.cfg.Logger != nil {
		cfg.Logger = d.cfg.Logger.With("svc", "stratum")
	}
	srv, err := stratum.New(cfg)
	if err != nil {
		return nil, err
	}
	run := func(ctx context.Context) error { return srv.Run(ctx) }
	go func() {
		a := srv.Addr(ctx)
		if a == nil {
			return
		}
		user, _ := address.Encode(d.cfg.Params.Bech32HRP, d.minerLock)
		fmt.Fprintf(d.env.Stdout, "  Stratum v1      stratum+tcp://%s  (solo: username = payout address, e.g. %s.rig1)\n"+
			"    try: ballast miner -stratum %s -user %s.rig1\n", a, user, a, user)
	}()
	return run, nil
}

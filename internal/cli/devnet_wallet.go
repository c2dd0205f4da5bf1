package cli

import "context"

// walletPart sets up the devnet's wallet (nothing yet).
func (d *devnet) walletPart(context.Context) (func(context.Context) error, error) {
	return nil, nil
}

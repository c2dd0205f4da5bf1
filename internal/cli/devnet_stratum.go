package cli

import "context"

// stratumPart sets up the devnet's stratum (nothing yet).
func (d *devnet) stratumPart(context.Context) (func(context.Context) error, error) {
	return nil, nil
}

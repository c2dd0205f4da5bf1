package cli

import "context"

// assetsPart sets up the devnet's assets (nothing yet).
func (d *devnet) assetsPart(context.Context) (func(context.Context) error, error) {
	return nil, nil
}

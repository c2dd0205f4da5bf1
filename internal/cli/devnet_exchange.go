package cli

import "context"

// exchangePart sets up the devnet's exchange (nothing yet).
func (d *devnet) exchangePart(context.Context) (func(context.Context) error, error) {
	return nil, nil
}

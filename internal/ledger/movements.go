package ledger

// Movement constructors. Each returns a balanced movement; Post checks
// balances.

// Credit moves amount of asset from External to acct's free balance (a
// deposit, or an admin credit until custody lands).
func Credit(acct AccountID, asset Asset, amount int64) Movement {
	return Movement{Kind: Deposit, Entries: []Entry{
		{Account: External, Asset: asset, Amount: -amount},
		{Account: acct, Asset: asset, Amount: amount},
	}}
}

// Debit moves amount from acct's free balance to External (a withdrawal).
func Debit(acct AccountID, asset Asset, amount int64) Movement {
	return Movement{Kind: Withdrawal, Entries: []Entry{
		{Account: acct, Asset: asset, Amount: -amount},
		{Account: External, Asset: asset, Amount: amount},
	}}
}

// Lock moves amount from free to locked (an order's hold).
func Lock(acct AccountID, asset Asset, amount int64) Movement {
	return Movement{Kind: Hold, Entries: []Entry{
		{Account: acct, Asset: asset, Amount: -amount},
		{Account: acct, Asset: asset, Locked: true, Amount: amount},
	}}
}

// Unlock moves amount from locked back to free (an order's unused hold).
func Unlock(acct AccountID, asset Asset, amount int64) Movement {
	return Movement{Kind: Release, Entries: []Entry{
		{Account: acct, Asset: asset, Locked: true, Amount: -amount},
		{Account: acct, Asset: asset, Amount: amount},
	}}
}

// Fill is one trade to settle: the buyer pays Quote out of its locked quote
// and receives Base less BuyerFee; the seller pays Base out of its locked
// base and receives Quote less SellerFee; the fees go to Fees.
type Fill struct {
	Buyer, Seller         AccountID
	BaseAsset, QuoteAsset Asset
	Base, Quote           int64
	BuyerFee              int64 // in base
	SellerFee             int64 // in quote
}

// Settle returns the movement settling f: both sides and the fees at once.
func Settle(f Fill) Movement {
	return Movement{Kind: Trade, Entries: []Entry{
		{Account: f.Buyer, Asset: f.QuoteAsset, Locked: true, Amount: -f.Quote},
		{Account: f.Seller, Asset: f.QuoteAsset, Amount: f.Quote - f.SellerFee},
		{Account: Fees, Asset: f.QuoteAsset, Amount: f.SellerFee},
		{Account: f.Seller, Asset: f.BaseAsset, Locked: true, Amount: -f.Base},
		{Account: f.Buyer, Asset: f.BaseAsset, Amount: f.Base - f.BuyerFee},
		{Account: Fees, Asset: f.BaseAsset, Amount: f.BuyerFee},
	}}
}

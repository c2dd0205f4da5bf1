package matching

// Side is the side of an order. The zero value is invalid.
type Side uint8

// Sides.
const (
	Buy  Side = 1
	Sell Side = 2
)

func (s Side) valid() bool { return s == Buy || s == Sell }

// Opposite returns the other side.
func (s Side) Opposite() Side { return 3 - s }

// String returns the Binance spelling.
func (s Side) String() string {
	switch s {
	case Buy:
		return "BUY"
	case Sell:
		return "SELL"
	}
	return "INVALID_SIDE"
}

// OrderType is a Binance spot order type. The zero value is invalid.
type OrderType uint8

// Order types.
const (
	Limit           OrderType = 1
	Market          OrderType = 2
	LimitMaker      OrderType = 3
	StopLoss        OrderType = 4
	StopLossLimit   OrderType = 5
	TakeProfit      OrderType = 6
	TakeProfitLimit OrderType = 7
)

func (t OrderType) valid() bool { return t >= Limit && t <= TakeProfitLimit }

// isStop reports whether the type waits for a trigger price.
func (t OrderType) isStop() bool { return t >= StopLoss }

// hasPrice reports whether the type carries a limit price.
func (t OrderType) hasPrice() bool {
	return t == Limit || t == LimitMaker || t == StopLossLimit || t == TakeProfitLimit
}

// triggered returns the type a stop order becomes when its trigger fires.
func (t OrderType) triggered() OrderType {
	switch t {
	case StopLoss, TakeProfit:
		return Market
	case StopLossLimit, TakeProfitLimit:
		return Limit
	}
	return t
}

// String returns the Binance spelling.
func (t OrderType) String() string {
	switch t {
	case Limit:
		return "LIMIT"
	case Market:
		return "MARKET"
	case LimitMaker:
		return "LIMIT_MAKER"
	case StopLoss:
		return "STOP_LOSS"
	case StopLossLimit:
		return "STOP_LOSS_LIMIT"
	case TakeProfit:
		return "TAKE_PROFIT"
	case TakeProfitLimit:
		return "TAKE_PROFIT_LIMIT"
	}
	return "INVALID_TYPE"
}

// TimeInForce is a Binance time in force. TIFNone is used by order types
// that take no time in force (MARKET, LIMIT_MAKER, STOP_LOSS, TAKE_PROFIT).
type TimeInForce uint8

// Times in force.
const (
	TIFNone TimeInForce = 0
	GTC     TimeInForce = 1
	IOC     TimeInForce = 2
	FOK     TimeInForce = 3
)

// String returns the Binance spelling.
func (t TimeInForce) String() string {
	switch t {
	case TIFNone:
		return ""
	case GTC:
		return "GTC"
	case IOC:
		return "IOC"
	case FOK:
		return "FOK"
	}
	return "INVALID_TIF"
}

// STPMode is a self-trade prevention mode. STPDefault means "use the
// market's default", which is resolved when the order is accepted: the
// Accepted event always carries a concrete mode.
type STPMode uint8

// Self-trade prevention modes.
const (
	STPDefault     STPMode = 0
	STPNone        STPMode = 1
	STPExpireTaker STPMode = 2
	STPExpireMaker STPMode = 3
	STPExpireBoth  STPMode = 4
	STPDecrement   STPMode = 5
)

// String returns the Binance spelling.
func (m STPMode) String() string {
	switch m {
	case STPDefault:
		return "DEFAULT"
	case STPNone:
		return "NONE"
	case STPExpireTaker:
		return "EXPIRE_TAKER"
	case STPExpireMaker:
		return "EXPIRE_MAKER"
	case STPExpireBoth:
		return "EXPIRE_BOTH"
	case STPDecrement:
		return "DECREMENT"
	}
	return "INVALID_STP"
}

// Reason says why an order was rejected, expired or cancelled. Rejection
// reasons map to a Binance error code and message (Code, Message) so the API
// layer can answer exactly as Binance does.
type Reason uint8

// Reasons. The rejection messages are Binance's; the few marked "Ballast"
// have no Binance equivalent and are worded in the same style.
const (
	ReasonNone Reason = iota

	// Rejections of new orders, -1013 filter failures.
	RejectPriceFilter
	RejectLotSize
	RejectNotional
	RejectIcebergParts
	RejectMaxNumOrders
	// Rejections of new orders, parameter errors.
	RejectInvalidSide
	RejectInvalidType
	RejectInvalidTIF
	RejectInvalidSTP
	RejectMissingParameter
	RejectUnsupportedCombination
	// Rejections of new orders by the matching engine, -2010.
	RejectIcebergExceedsQty
	RejectWouldMatch
	RejectWouldTrigger
	RejectNoLiquidity
	// Rejections of cancels, -2011, and amends, -2013 / -2010.
	RejectUnknownOrder
	RejectAmendUnknownOrder
	RejectAmendQty
	RejectInvalidCommand

	// Expiry reasons.
	ExpireIOC // IOC or MARKET remainder after matching
	ExpireFOK // FOK that could not fill completely
	ExpireSTP // expired in match by self-trade prevention

	// Cancel reasons.
	CancelUser
	CancelAll
	CancelReplaced

	reasonCount
)

type reasonInfo struct {
	code int16
	msg  string
}

var reasons = [reasonCount]reasonInfo{
	ReasonNone:                   {0, ""},
	RejectPriceFilter:            {-1013, "Filter failure: PRICE_FILTER"},
	RejectLotSize:                {-1013, "Filter failure: LOT_SIZE"},
	RejectNotional:               {-1013, "Filter failure: NOTIONAL"},
	RejectIcebergParts:           {-1013, "Filter failure: ICEBERG_PARTS"},
	RejectMaxNumOrders:           {-1013, "Filter failure: MAX_NUM_ORDERS"},
	RejectInvalidSide:            {-1117, "Invalid side."},
	RejectInvalidType:            {-1116, "Invalid orderType."},
	RejectInvalidTIF:             {-1115, "Invalid timeInForce."},
	RejectInvalidSTP:             {-1013, "This symbol does not allow the specified self-trade prevention mode."},
	RejectMissingParameter:       {-1102, "A mandatory parameter was not sent, was empty/null, or malformed."},
	RejectUnsupportedCombination: {-2010, "Unsupported order combination"},
	RejectIcebergExceedsQty:      {-2010, "IcebergQty exceeds QTY."},
	RejectWouldMatch:             {-2010, "Order would immediately match and take."},
	RejectWouldTrigger:           {-2010, "Order would trigger immediately."},
	RejectNoLiquidity:            {-2010, "Order book liquidity is less than symbol minimum quantity."},
	RejectUnknownOrder:           {-2011, "Unknown order sent."},
	RejectAmendUnknownOrder:      {-2013, "Order does not exist."},
	RejectAmendQty:               {-2010, "New quantity must be less than the order quantity and more than its executed quantity."}, // Ballast
	RejectInvalidCommand:         {-1100, "Illegal characters found in a parameter."},
	ExpireIOC:                    {0, "EXPIRED"},
	ExpireFOK:                    {0, "EXPIRED"},
	ExpireSTP:                    {0, "EXPIRED_IN_MATCH"},
	CancelUser:                   {0, "CANCELED"},
	CancelAll:                    {0, "CANCELED"},
	CancelReplaced:               {0, "CANCELED"},
}

// Code returns the Binance error code of a rejection reason, 0 otherwise.
func (r Reason) Code() int16 {
	if r >= reasonCount {
		return 0
	}
	return reasons[r].code
}

// Message returns the Binance error message of a rejection reason, or the
// Binance order status a non-rejection reason leads to.
func (r Reason) Message() string {
	if r >= reasonCount {
		return "UNKNOWN_REASON"
	}
	return reasons[r].msg
}

package matching

import "encoding/binary"

// CommandKind selects what a Command does.
type CommandKind uint8

// Command kinds.
const (
	// CmdNew places a new order.
	CmdNew CommandKind = 1
	// CmdCancel cancels OrderID.
	CmdCancel CommandKind = 2
	// CmdCancelAll cancels every open order of Account in this market.
	CmdCancelAll CommandKind = 3
	// CmdAmend reduces OrderID's quantity to Qty, keeping its priority.
	CmdAmend CommandKind = 4
	// CmdCancelReplace cancels OrderID and places the new order described
	// by the other fields (Binance cancelReplace, STOP_ON_FAILURE).
	CmdCancelReplace CommandKind = 5
)

// String names the kind.
func (k CommandKind) String() string {
	switch k {
	case CmdNew:
		return "NEW"
	case CmdCancel:
		return "CANCEL"
	case CmdCancelAll:
		return "CANCEL_ALL"
	case CmdAmend:
		return "AMEND"
	case CmdCancelReplace:
		return "CANCEL_REPLACE"
	}
	return "INVALID_COMMAND"
}

// Command is one input to the engine. It is a plain value so commands can be
// journaled, replayed and compared. Fields a kind does not use must be zero
// for the encoding to be canonical, but the engine ignores them.
type Command struct {
	Kind CommandKind
	Side Side
	Type OrderType
	TIF  TimeInForce
	STP  STPMode
	// Account owns the order (or the orders, for CmdCancelAll).
	Account uint64
	// OrderID is the target of cancel, amend and cancel-replace.
	OrderID uint64
	// Ref is an opaque client reference (the API edge's hash of
	// newClientOrderId, or a request id) echoed in the command's
	// Accepted/Rejected/Cancelled/Amended events.
	Ref uint64
	// Price is the limit price; StopPrice the trigger price of stop types.
	Price, StopPrice int64
	// Qty is the base quantity (the new quantity, for CmdAmend). QuoteQty
	// is the quote amount of a MARKET order sent with quoteOrderQty.
	Qty, QuoteQty int64
	// IcebergQty is the visible part of an iceberg order.
	IcebergQty int64
}

// CommandSize is the length of an encoded Command.
const CommandSize = 5 + 3*8 + 5*8

// AppendCommand appends the fixed-size little-endian encoding of c to b.
func AppendCommand(b []byte, c *Command) []byte {
	b = append(b, byte(c.Kind), byte(c.Side), byte(c.Type), byte(c.TIF), byte(c.STP))
	b = binary.LittleEndian.AppendUint64(b, c.Account)
	b = binary.LittleEndian.AppendUint64(b, c.OrderID)
	b = binary.LittleEndian.AppendUint64(b, c.Ref)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.Price))
	b = binary.LittleEndian.AppendUint64(b, uint64(c.StopPrice))
	b = binary.LittleEndian.AppendUint64(b, uint64(c.Qty))
	b = binary.LittleEndian.AppendUint64(b, uint64(c.QuoteQty))
	b = binary.LittleEndian.AppendUint64(b, uint64(c.IcebergQty))
	return b
}

// DecodeCommand decodes a Command encoded by AppendCommand. It checks the
// length and the command kind; the order fields are validated by the engine,
// which rejects bad values with the Binance error a client expects.
func DecodeCommand(b []byte) (Command, error) {
	var c Command
	if len(b) != CommandSize {
		return c, ruleError(ErrMalformedCommand, "command is %d bytes, want %d", len(b), CommandSize)
	}
	c.Kind = CommandKind(b[0])
	if c.Kind < CmdNew || c.Kind > CmdCancelReplace {
		return c, ruleError(ErrMalformedCommand, "unknown command kind %d", b[0])
	}
	c.Side, c.Type, c.TIF, c.STP = Side(b[1]), OrderType(b[2]), TimeInForce(b[3]), STPMode(b[4])
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[5+8*i:]) }
	c.Account, c.OrderID, c.Ref = u(0), u(1), u(2)
	c.Price, c.StopPrice = int64(u(3)), int64(u(4))
	c.Qty, c.QuoteQty, c.IcebergQty = int64(u(5)), int64(u(6)), int64(u(7))
	return c, nil
}

// CCXT end to end against a Ballast venue: binance's class with every URL
// pointed at BALLAST_URL. Driven by internal/api's TestCCXT, which passes
// the base URL and two funded accounts' keys in the environment.
import ccxt from 'ccxt';

const base = process.env.BALLAST_URL; // http://127.0.0.1:port
const ws = base.replace('http', 'ws');
const symbol = 'BLST/TUSD';

function venue(key, secret) {
  const ex = new ccxt.pro.binance({ apiKey: key, secret, enableRateLimit: false,
    options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot', adjustForTimeDifference: false, warnOnFetchOpenOrdersWithoutSymbol: false } });
  const api = ex.urls.api;
  for (const k of ['public', 'private', 'v3', 'v1']) api[k] = base + '/api/v3';
  api.ws = { spot: ws + '/ws', margin: ws + '/ws', 'ws-api': { spot: ws + '/ws-api/v3' } };
  return ex;
}

function check(cond, what) {
  if (!cond) { throw new Error('check failed: ' + what); }
  console.log('ok', what);
}

const maker = venue(process.env.KEY_A, process.env.SECRET_A);
const taker = venue(process.env.KEY_B, process.env.SECRET_B);
try {
  await maker.loadHttpProxyAgent();
  await taker.loadHttpProxyAgent();
  const markets = await maker.loadMarkets();
  check(markets[symbol] && markets[symbol].precision.price > 0, 'loadMarkets lists ' + symbol);
  await taker.loadMarkets();

  // Watch the book and our orders before trading.
  const bookP = maker.watchOrderBook(symbol);
  const ordersP = maker.watchOrders(symbol);
  await new Promise((r) => setTimeout(r, 500));

  const sell = await maker.createOrder(symbol, 'limit', 'sell', 2, 1000);
  check(sell.id && sell.status === 'open', 'limit sell placed ' + sell.id);
  const watched = await ordersP;
  check(watched.length >= 1 && watched[0].id === sell.id, 'watchOrders saw the new order');
  const book = await bookP;
  let ob = book;
  for (let i = 0; i < 20 && !(ob.asks.length && ob.asks[0][0] === 1000); i++) ob = await maker.watchOrderBook(symbol);
  check(ob.asks[0][0] === 1000 && ob.asks[0][1] === 2, 'watchOrderBook shows the ask');

  const fetched = await maker.fetchOrderBook(symbol);
  check(fetched.asks[0][0] === 1000, 'fetchOrderBook');
  const buy = await taker.createOrder(symbol, 'market', 'buy', 0.5);
  check(buy.status === 'closed' && buy.filled === 0.5, 'market buy filled');
  const ticker = await taker.fetchTicker(symbol);
  check(ticker.last === 1000, 'fetchTicker last=1000');
  const ohlcv = await taker.fetchOHLCV(symbol, '1m');
  check(ohlcv.length >= 1 && ohlcv[ohlcv.length - 1][4] === 1000, 'fetchOHLCV');
  const got = await maker.fetchOrder(sell.id, symbol);
  check(got.filled === 0.5 && got.remaining === 1.5, 'fetchOrder partially filled');
  const open = await maker.fetchOpenOrders(symbol);
  check(open.length === 1, 'fetchOpenOrders');
  const trades = await taker.fetchMyTrades(symbol);
  check(trades.length === 1 && trades[0].side === 'buy', 'fetchMyTrades');
  const bal = await maker.fetchBalance();
  check(bal.BLST.used === 1.5, 'fetchBalance locked 1.5 BLST');
  const cancelled = await maker.cancelOrder(sell.id, symbol);
  check(cancelled.status === 'canceled', 'cancelOrder');
  const pub = await taker.fetchTrades(symbol);
  check(pub.length === 1, 'fetchTrades');
  console.log('CCXT E2E PASSED');
} finally {
  await maker.close();
  await taker.close();
}

// Domain values for tests, shaped exactly as they cross IPC.

import type {
  AccountEntry,
  Balance,
  Candle,
  Capabilities,
  DepositInvoice,
  Fill,
  Instrument,
  InstrumentId,
  LmexDeadMan_Serialize,
  LmexFundingRow,
  LmexOverview_Serialize,
  LnmFundingFee,
  LnmFundingSettlement,
  LnmLeader,
  LnmOverview,
  LnmTransferRow_Serialize,
  MarketFrame,
  Order,
  Position,
  QrCode,
  SettingsView,
  Trade,
  VenueForm,
  WalletView_Serialize,
} from "../lib/bindings/bindings";

export const BTC: InstrumentId = { venue: "demo", symbol: "BTC-PERP" };
export const ETH: InstrumentId = { venue: "demo", symbol: "ETH-PERP" };

export function btcPerp(over: Partial<Instrument> = {}): Instrument {
  return {
    id: BTC,
    display_name: "BTC/USD perpetual",
    kind: { type: "perpetual" },
    contract: "linear",
    base: "BTC",
    quote: "USD",
    settle: "USD",
    price_tick: "0.5",
    size_step: "0.001",
    min_size: "0.001",
    max_size: "100",
    size_unit: "base",
    contract_size: "1",
    max_leverage: "100",
    maker_fee: "0.0002",
    taker_fee: "0.0005",
    ...over,
  };
}

/** LN Markets' perpetual: inverse, sized in 1 USD contracts, settled in BTC. */
export function lnmPerp(over: Partial<Instrument> = {}): Instrument {
  return btcPerp({
    id: { venue: "ln_markets", symbol: "BTCUSD" },
    display_name: "BTC/USD perpetual",
    contract: "inverse",
    settle: "BTC",
    price_tick: "0.5",
    size_step: "1",
    min_size: "1",
    max_size: "500000",
    size_unit: "contracts",
    contract_size: "1",
    ...over,
  });
}

/** LMEX's perpetual: linear, sized in whole contracts of 0.0001 BTC, settled in USDT. */
export function lmexPerp(over: Partial<Instrument> = {}): Instrument {
  return btcPerp({
    id: { venue: "lmex", symbol: "BTC-PERP" },
    display_name: "BTC/USDT perpetual",
    quote: "USDT",
    settle: "USDT",
    price_tick: "0.5",
    size_step: "1",
    min_size: "1",
    max_size: "1000000",
    size_unit: "contracts",
    contract_size: "0.0001",
    ...over,
  });
}

export function caps(over: Partial<Capabilities> = {}): Capabilities {
  return {
    order_types: ["market", "limit", "stop"],
    reduce_only: true,
    post_only: true,
    amend: true,
    position_tp_sl: false,
    trailing_stop: false,
    attached_tp_sl: false,
    adjust_margin: false,
    cash_in: false,
    cross_margin: false,
    isolated_margin: true,
    book_depth: 20,
    private_stream: true,
    query_by_client_id: true,
    simulated: true,
    ...over,
  };
}

export function candle(minute: number, close: string, over: Partial<Candle> = {}): Candle {
  return {
    open_time: minute * 60_000,
    open: close,
    high: close,
    low: close,
    close,
    volume: "1",
    ...over,
  };
}

export function trade(id: string, price = "100", over: Partial<Trade> = {}): Trade {
  return { instrument: BTC, trade_id: id, price, size: "0.1", taker_side: "buy", ts: 1, ...over };
}

export function frame(over: Partial<MarketFrame> = {}): MarketFrame {
  return {
    instrument: BTC,
    frame: 1,
    status: "live",
    ticker: null,
    book: null,
    candles: [],
    trades: [],
    ...over,
  };
}

export function order(id: string, over: Partial<Order> = {}): Order {
  return {
    id: `v-${id}`,
    client_order_id: id,
    instrument: BTC,
    side: "buy",
    order_type: "limit",
    status: "open",
    size: "0.01",
    filled_size: "0",
    price: "90000",
    trigger_price: null,
    avg_fill_price: null,
    reduce_only: false,
    post_only: false,
    leverage: "10",
    created_at: 1000,
    updated_at: 1000,
    reason: null,
    ...over,
  };
}

export function fill(tradeId: string, over: Partial<Fill> = {}): Fill {
  return {
    trade_id: tradeId,
    order_id: "v-1",
    client_order_id: "c-1",
    instrument: BTC,
    side: "buy",
    price: "90000",
    size: "0.01",
    fee: "0.45",
    liquidity: "taker",
    realized_pnl: "0",
    ts: 1000,
    ...over,
  };
}

export function position(over: Partial<Position> = {}): Position {
  return {
    instrument: BTC,
    side: "long",
    size: "0.05",
    entry_price: "90000",
    mark_price: "90100",
    margin: "450",
    leverage: "10",
    margin_mode: "isolated",
    liquidation_price: "81500",
    unrealized_pnl: "5",
    realized_pnl: "0",
    take_profit: null,
    stop_loss: null,
    stop_loss_trail: null,
    updated_at: 1000,
    ...over,
  };
}

/** An LN Markets-like form: one public field, two secrets, defaults for both networks. */
export function lnmForm(over: Partial<VenueForm> = {}): VenueForm {
  return {
    venue: "ln_markets",
    name: "LN Markets",
    available: true,
    unavailable_reason: null,
    fields: [
      { name: "key", label: "API key", kind: "text", secret: false, required: true, help: null },
      {
        name: "secret",
        label: "API secret",
        kind: "text",
        secret: true,
        required: true,
        help: null,
      },
      {
        name: "passphrase",
        label: "Passphrase",
        kind: "text",
        secret: true,
        required: true,
        help: "Set when the key was created",
      },
    ],
    mainnet_rest: "https://api.lnmarkets.com",
    mainnet_ws: "wss://api.lnmarkets.com",
    testnet_rest: "https://api.testnet4.lnmarkets.com",
    testnet_ws: "wss://api.testnet4.lnmarkets.com",
    ...over,
  };
}

/** LMEX's form as Rust lists it: key, secret and the optional dead-man switch in seconds. */
export function lmexForm(over: Partial<VenueForm> = {}): VenueForm {
  return {
    venue: "lmex",
    name: "LMEX",
    available: true,
    unavailable_reason: null,
    fields: [
      { name: "key", label: "API key", kind: "text", secret: false, required: true, help: null },
      {
        name: "secret",
        label: "API secret",
        kind: "text",
        secret: true,
        required: true,
        help: null,
      },
      {
        name: "cancel_after_s",
        label: "Cancel orders if disconnected (s)",
        kind: "seconds",
        secret: false,
        required: false,
        help: "LMEX's dead-man switch. Empty: off.",
      },
    ],
    mainnet_rest: "https://api.lmex.io/futures",
    mainnet_ws: "wss://ws.lmex.io",
    testnet_rest: "https://test-api.lmex.io/futures",
    testnet_ws: "wss://ws.test-api.lmex.io",
    ...over,
  };
}

export function balance(over: Partial<Balance> = {}): Balance {
  return {
    currency: "sats",
    wallet: "1234567",
    available: "1234567",
    margin_used: "0",
    unrealized_pnl: "0",
    equity: "1234567",
    ...over,
  };
}

export function accountEntry(id: string, over: Partial<AccountEntry> = {}): AccountEntry {
  return {
    id,
    venue: "ln_markets",
    label: `Account ${id}`,
    network: "testnet",
    rest_url: null,
    ws_url: null,
    public_fields: [{ name: "key", value: "pk-123" }],
    masked_key_id: "pk-1…23",
    state: "connected",
    error: null,
    balance: null,
    checked_at: null,
    ...over,
  };
}

export function settingsView(over: Partial<SettingsView> = {}): SettingsView {
  return {
    keychain: { available: true, checking: false, message: null },
    store_notice: null,
    accounts: [],
    selection: { account: null, instrument: null, timeframe: null },
    keymap: {},
    preferences: { desktop_notifications: true, sounds: false },
    ...over,
  };
}

export function settlement(over: Partial<LnmFundingSettlement> = {}): LnmFundingSettlement {
  return { time: 1_700_000_000_000, funding_rate: "0.0001", fixing_price: "90000", ...over };
}

export function fundingFee(over: Partial<LnmFundingFee> = {}): LnmFundingFee {
  return {
    time: 1_700_000_000_000,
    trade_id: "b7c1e9a4-52d3-4f0e-9a61-0c2f7d3e8b15",
    fee: "0.00000111",
    ...over,
  };
}

export function leader(rank: number, over: Partial<LnmLeader> = {}): LnmLeader {
  return { rank, username: `trader${String(rank)}`, pl: "0.01", ...over };
}

export function lnmOverview(over: Partial<LnmOverview> = {}): LnmOverview {
  return {
    settlements: [settlement()],
    fees: [fundingFee()],
    leaderboard: [leader(1)],
    not_offered: ["Options: LN Markets' v3 API has none."],
    ...over,
  };
}

/** The dead-man switch as LMEX accounts start: off. */
export function lmexDeadMan(over: Partial<LmexDeadMan_Serialize> = {}): LmexDeadMan_Serialize {
  return { timeout_s: null, armed_at: null, last_error: null, ...over };
}

/** LMEX's BTC-PERP as `lmex_overview` answers: 0.0001 BTC contracts settled in USDT, funding
 * every 8 hours, the account at 20× cross, the dead-man switch off. */
export function lmexOverview(
  over: Partial<LmexOverview_Serialize> = {},
  history: LmexFundingRow[] = [],
): LmexOverview_Serialize {
  return {
    symbol: "BTC-PERP",
    contract_size: "0.0001",
    base: "BTC",
    settle: "USDT",
    price_tick: "0.5",
    min_size: "1",
    max_size: "1000000",
    funding_rate: "0.0001",
    next_funding_at: null,
    funding_interval_minutes: 480,
    funding_history: history,
    leverage: "20",
    margin_mode: "CROSS",
    dead_man: lmexDeadMan(),
    ...over,
  };
}

/** A 5×5 code small enough to check module by module ("1" dark):
 *  11100 / 10001 / 00000 / 01110 / 11011. */
export function qrCode(over: Partial<QrCode> = {}): QrCode {
  return { size: 5, modules: "11100" + "10001" + "00000" + "01110" + "11011", ...over };
}

/** A Lightning invoice for 25,000 sats (250 µBTC), long as real ones are. */
export const INVOICE_25K = `lnbc250u1pnkestrelpp5${"qz7x3h9d".repeat(24)}cqpjrzjq`;

export function depositInvoice(over: Partial<DepositInvoice["invoice"]> = {}): DepositInvoice {
  return {
    invoice: {
      deposit_id: "dep-1",
      payment_request: INVOICE_25K,
      amount_sats: 25_000,
      ...over,
    },
    qr: qrCode(),
  };
}

export function transferRow(
  over: Partial<LnmTransferRow_Serialize> = {},
): LnmTransferRow_Serialize {
  return {
    id: "dep-1",
    direction: "deposit",
    network: "lightning",
    amount_sats: 25_000,
    fee_sats: null,
    destination: null,
    status: "pending",
    time: 1_700_000_000_000,
    ...over,
  };
}

export const DEPOSIT_ADDRESS = "tb1qkestrel0deposit0address0xyz7m3p9q2w";

export function walletView(
  history: LnmTransferRow_Serialize[] = [],
  address = DEPOSIT_ADDRESS,
): WalletView_Serialize {
  return { wallet: { bitcoin_address: address, history }, address_qr: qrCode() };
}

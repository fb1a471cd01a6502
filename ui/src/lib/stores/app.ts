// The app's one instance of each store, wired to the real IPC layer.

import { Alerts } from "../alerts";
import {
  lnmCashIn,
  lnmCross,
  lnmCrossLeverage,
  lnmCrossTransfer,
  lnmDepositLightning,
  lnmInvoiceAmount,
  lnmOverview,
  lnmWallet,
  lnmWithdraw,
} from "../ipc/lnmarkets";
import { lmexOverview } from "../ipc/lmex";
import { candleHistory } from "../ipc/market";
import { notificationPermitted, notifyDesktop } from "../ipc/notification";
import { orderLatency, venueHealth } from "../ipc/health";
import {
  addMargin,
  amendOrder,
  cancelAllOrders,
  cancelOrder,
  clickTime,
  closeAllPositions,
  closePosition,
  placeOrder,
  setTpSl,
} from "../ipc/orders";
import {
  addAccount,
  removeAccount,
  saveKeymap,
  savePreferences,
  testConnection,
  updateAccount,
  venueForms,
  watchSettings,
} from "../ipc/settings";
import { AccountStore } from "./account.svelte";
import { arming } from "./arming.svelte";
import { HealthStore } from "./health.svelte";
import { HotkeyStore } from "./hotkeys.svelte";
import { LadderStore } from "./ladder.svelte";
import { LmexStore } from "./lmex.svelte";
import { LnCrossStore } from "./lncross.svelte";
import { LnMarketsStore } from "./lnmarkets.svelte";
import { LnWalletStore } from "./lnwallet.svelte";
import { MarketStore } from "./market.svelte";
import { NukeStore } from "./nuke.svelte";
import { OrdersStore } from "./orders.svelte";
import { Session } from "./session.svelte";
import { SettingsStore } from "./settings.svelte";
import { TicketStore } from "./ticket.svelte";
import { Toasts } from "./toasts.svelte";
import { Trading } from "./trading";
import { playTone } from "../tones";

export const market = new MarketStore(candleHistory);
export const account = new AccountStore();
export const orders = new OrdersStore();
export const ticket = new TicketStore();
export const toasts = new Toasts();
// Read when an alert fires: `settings` is built below.
export const alerts = new Alerts(
  {
    focused: () => document.hasFocus(),
    permitted: notificationPermitted,
    notify: notifyDesktop,
    tone: playTone,
  },
  () => settings.preferences,
);
export const trading = new Trading(
  { placeOrder, cancelOrder, amendOrder, closePosition, setTpSl, addMargin, cashIn: lnmCashIn },
  orders,
  toasts,
  Date.now,
  alerts,
);
export const session = new Session({ market, account, orders, ticket, toasts, alerts });
export const lnmarkets = new LnMarketsStore(lnmOverview);
export const lmex = new LmexStore(lmexOverview);
export const lnwallet = new LnWalletStore(
  {
    wallet: lnmWallet,
    depositLightning: lnmDepositLightning,
    invoiceAmount: lnmInvoiceAmount,
    withdraw: lnmWithdraw,
  },
  toasts,
);
export const lncross = new LnCrossStore(
  { cross: lnmCross, transfer: lnmCrossTransfer, leverage: lnmCrossLeverage },
  toasts,
);
// The switcher lists what Rust has connected, so it is re-listed whenever Settings changes.
export const settings = new SettingsStore(
  {
    venueForms,
    watchSettings,
    addAccount,
    updateAccount,
    removeAccount,
    testConnection,
    savePreferences,
  },
  {
    onAccountsChanged: () => {
      void session.refreshAccounts();
    },
  },
);
export const health = new HealthStore({ venueHealth, orderLatency });
export const nuke = new NukeStore({ cancelAllOrders, closeAllPositions }, toasts);
export const hotkeys = new HotkeyStore({
  trading,
  nuke,
  arming,
  toasts,
  saveKeymap,
  clickTime,
});
export const ladder = new LadderStore({
  trading,
  orders,
  toasts,
  arming,
  clickTime,
});

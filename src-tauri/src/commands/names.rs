// Every app command, by its IPC name. build.rs feeds this list to Tauri's AppManifest
// (without it Tauri does not ACL-check app commands at all); a test checks it against the
// commands actually registered.
const COMMANDS: &[&str] = &[
    "list_accounts",
    "list_instruments",
    "candle_history",
    "subscribe_market",
    "unsubscribe_market",
    "subscribe_account",
    "unsubscribe_account",
    "account_snapshot",
    "place_order",
    "cancel_order",
    "close_position",
    "set_tp_sl",
    "add_margin",
    "lnm_overview",
    "lnm_cash_in",
    "venue_forms",
    "watch_settings",
    "add_account",
    "update_account",
    "remove_account",
    "test_connection",
    "remember_selection",
];

//! The IPC layer under Tauri's mock runtime, with the app's real capability files: what
//! the main window may call, what another window may not, and how the backend answers
//! input that never went through the form.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewUrl, WebviewWindowBuilder};

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn app() -> tauri::App<tauri::test::MockRuntime> {
    let specta = kestrel_app::specta_builder::<tauri::test::MockRuntime>();
    let builder = mock_builder().invoke_handler(specta.invoke_handler());
    kestrel_app::with_state(builder)
        .build(tauri::generate_context!())
        .unwrap()
}

fn ticket(order_type: &str, size: &str, price: Option<&str>) -> Value {
    json!({
        "account": "demo",
        "ticket": {
            "instrument": { "venue": "demo", "symbol": "BTC-PERP" },
            "side": "buy",
            "order_type": order_type,
            "size": size,
            "price": price,
            "trigger_price": null,
            "time_in_force": "gtc",
            "reduce_only": false,
            "post_only": false,
            "leverage": null
        }
    })
}

#[test]
fn main_window_may_call_granted_commands_and_other_windows_may_not() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .unwrap();
    let accounts = get_ipc_response(&main, request("list_accounts", json!({}))).unwrap();
    let accounts: Value = accounts.deserialize().unwrap();
    assert_eq!(accounts[0]["id"], "demo");

    // A window no capability names is refused by the ACL before the command runs.
    let popup = WebviewWindowBuilder::new(&app, "popup", WebviewUrl::default())
        .build()
        .unwrap();
    let refused = get_ipc_response(
        &popup,
        request("place_order", ticket("limit", "1", Some("1"))),
    )
    .unwrap_err();
    assert!(refused.to_string().contains("not allowed"), "{refused}");
    // And so is a command that does not exist.
    assert!(get_ipc_response(&main, request("read_secret", json!({}))).is_err());
}

#[test]
fn backend_refuses_bad_orders_sent_straight_to_the_command() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .unwrap();
    struct Case {
        body: Value,
        field: &'static str,
    }
    let cases = [
        Case {
            body: ticket("limit", "0.0001", Some("90000")),
            field: "size",
        },
        Case {
            body: ticket("limit", "0.01", Some("90000.3")),
            field: "price",
        },
        Case {
            body: ticket("limit", "NaN", Some("90000")),
            field: "size",
        },
        Case {
            body: ticket("limit", "-1", Some("90000")),
            field: "size",
        },
        Case {
            body: ticket("limit", "0.01", Some("NaN")),
            field: "price",
        },
        Case {
            body: ticket("limit", "0.0015", Some("90000")),
            field: "size",
        },
    ];
    for (i, c) in cases.into_iter().enumerate() {
        let err = get_ipc_response(&main, request("place_order", c.body)).unwrap_err();
        assert_eq!(err["code"], "invalid_order", "case {i}: {err}");
        assert_eq!(err["field"], c.field, "case {i}: {err}");
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "case {i}"
        );
    }
    // Nothing reached the venue.
    let snapshot = get_ipc_response(
        &main,
        request("account_snapshot", json!({"account": "demo"})),
    )
    .unwrap()
    .deserialize::<Value>()
    .unwrap();
    assert_eq!(snapshot["open_orders"].as_array().map(Vec::len), Some(0));
    assert_eq!(snapshot["fills"].as_array().map(Vec::len), Some(0));
}

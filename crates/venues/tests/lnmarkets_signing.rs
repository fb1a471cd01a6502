//! LN Markets signing against vectors computed by the official `@ln-markets/sdk@2.0.2`
//! (its own `buildSignaturePayload`/`signRequest` and `buildAuthPayload`/`signAuth`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_venues::lnmarkets::auth::{
    rest_headers, sign, signature_payload, signed_data, stream_signature, LnmCredentials,
};
use kestrel_venues::net::Method;
use secrecy::SecretString;
use serde_json::Value;

fn vectors() -> Value {
    let text = include_str!("data/lnmarkets_sign_vectors.json");
    serde_json::from_str(text).unwrap()
}

fn method(name: &str) -> Method {
    match name {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        other => panic!("method {other}"),
    }
}

#[test]
fn rest_signatures_match_the_official_sdk() {
    let v = vectors();
    let secret = SecretString::from(v["inputs"]["secret"].as_str().unwrap());
    let mut checked = 0;
    for case in v["cases"].as_array().unwrap() {
        let kind = case["kind"].as_str().unwrap();
        if !kind.starts_with("rest_v3") {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let m = method(case["method"].as_str().unwrap());
        let query = case["query"].as_str().unwrap_or("");
        let body = case["body"].as_str();
        let ts = case["timestamp"].as_i64().unwrap();
        let path = case["path"].as_str().unwrap();
        let data = signed_data(query, body);
        assert_eq!(data, case["data"].as_str().unwrap(), "{id}: data");
        let payload = signature_payload(ts, m, path, &data);
        assert_eq!(payload, case["payload"].as_str().unwrap(), "{id}: payload");
        assert_eq!(
            sign(&secret, &payload),
            case["signature"].as_str().unwrap(),
            "{id}"
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} REST vectors");
}

#[test]
fn headers_carry_key_passphrase_timestamp_and_signature() {
    let v = vectors();
    let credentials = LnmCredentials {
        key: v["inputs"]["key"].as_str().unwrap().into(),
        secret: SecretString::from(v["inputs"]["secret"].as_str().unwrap()),
        passphrase: SecretString::from(v["inputs"]["passphrase"].as_str().unwrap()),
    };
    let case = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "post_cancel")
        .unwrap();
    let headers = rest_headers(
        &credentials,
        case["timestamp"].as_i64().unwrap(),
        Method::Post,
        case["path"].as_str().unwrap(),
        "",
        case["body"].as_str(),
    );
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("lnm-access-key"), v["inputs"]["key"].as_str());
    assert_eq!(
        get("lnm-access-passphrase"),
        v["inputs"]["passphrase"].as_str()
    );
    assert_eq!(get("lnm-access-timestamp"), Some("1700000000000"));
    assert_eq!(get("lnm-access-signature"), case["signature"].as_str());
}

#[test]
fn stream_authenticate_signatures_match_the_official_sdk() {
    let v = vectors();
    let secret = SecretString::from(v["inputs"]["secret"].as_str().unwrap());
    let mut checked = 0;
    for case in v["cases"].as_array().unwrap() {
        if !case["kind"].as_str().unwrap().starts_with("stream_v1") {
            continue;
        }
        let ts = case["timestamp"].as_i64().unwrap();
        let nonce = case["nonce"].as_str().unwrap();
        assert_eq!(
            stream_signature(&secret, ts, nonce),
            case["signature"].as_str().unwrap(),
            "{}",
            case["id"]
        );
        checked += 1;
    }
    assert!(checked >= 1);
}

//! DNS-over-HTTPS, JSON flavour (Cloudflare's `GET /dns-query?name=..&type=A`,
//! `Accept: application/dns-json`), answering from a table the test sets.

use std::collections::HashMap;
use std::net::IpAddr;

use http::StatusCode;
use serde_json::{Value, json};

/// DNS record type A.
const TYPE_A: u16 = 1;
/// DNS record type AAAA.
const TYPE_AAAA: u16 = 28;
/// DNS RCODE NXDOMAIN: what an unknown name gets.
const NXDOMAIN: u16 = 3;

#[derive(Debug, Clone)]
struct Entry {
    ips: Vec<IpAddr>,
    ttl: u32,
}

/// The names the DoH endpoint knows.
#[derive(Debug, Default)]
pub(crate) struct DnsTable {
    entries: HashMap<String, Entry>,
    statuses: HashMap<String, u16>,
}

fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl DnsTable {
    pub(crate) fn set(&mut self, name: &str, ips: Vec<IpAddr>, ttl: u32) {
        self.entries.insert(normalize(name), Entry { ips, ttl });
    }

    pub(crate) fn set_status(&mut self, name: &str, status: Option<u16>) {
        match status {
            Some(s) => self.statuses.insert(normalize(name), s),
            None => self.statuses.remove(&normalize(name)),
        };
    }

    /// Answers one query: the HTTP status and the JSON body.
    pub(crate) fn answer(
        &self,
        accept: Option<&str>,
        query: &[(String, String)],
    ) -> (StatusCode, Value) {
        if !accept.is_some_and(|a| a.contains("application/dns-json")) {
            return (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"error": "send Accept: application/dns-json"}),
            );
        }
        let get = |k: &str| {
            query
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let Some(name) = get("name").filter(|n| !n.is_empty()) else {
            return (
                StatusCode::BAD_REQUEST,
                json!({"error": "Invalid query name `name`."}),
            );
        };
        let rtype = match get("type").map(str::to_ascii_uppercase).as_deref() {
            None | Some("A") | Some("1") => TYPE_A,
            Some("AAAA") | Some("28") => TYPE_AAAA,
            Some(_) => {
                return (
                    StatusCode::BAD_REQUEST,
                    json!({"error": "Invalid query type `type`."}),
                );
            }
        };
        let key = normalize(name);
        let bare = name.trim_end_matches('.');
        let mut body = json!({
            "Status": 0, "TC": false, "RD": true, "RA": true, "AD": false, "CD": false,
            "Question": [{"name": format!("{bare}."), "type": rtype}],
        });
        let forced = self.statuses.get(&key).copied();
        let entry = self.entries.get(&key);
        let status = forced.unwrap_or(if entry.is_some() { 0 } else { NXDOMAIN });
        body["Status"] = json!(status);
        if status == 0 {
            if let Some(entry) = entry {
                let answers: Vec<Value> = entry
                    .ips
                    .iter()
                    .filter(|ip| matches!((ip, rtype), (IpAddr::V4(_), TYPE_A) | (IpAddr::V6(_), TYPE_AAAA)))
                    .map(|ip| json!({"name": bare, "type": rtype, "TTL": entry.ttl, "data": ip.to_string()}))
                    .collect();
                if !answers.is_empty() {
                    body["Answer"] = Value::Array(answers);
                }
            }
        }
        (StatusCode::OK, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, t: &str) -> Vec<(String, String)> {
        vec![("name".into(), name.into()), ("type".into(), t.into())]
    }

    #[test]
    fn answers_known_names_by_family() {
        let mut t = DnsTable::default();
        t.set(
            "App-API.pixiv.net",
            vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()],
            300,
        );
        let (s, b) = t.answer(Some("application/dns-json"), &q("app-api.pixiv.net", "A"));
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["Status"], 0);
        assert_eq!(b["Answer"][0]["data"], "127.0.0.1");
        assert_eq!(b["Answer"].as_array().unwrap().len(), 1);
        let (_, b) = t.answer(
            Some("application/dns-json"),
            &q("app-api.pixiv.net.", "AAAA"),
        );
        assert_eq!(b["Answer"][0]["data"], "::1");
        assert_eq!(b["Answer"][0]["type"], 28);
    }

    #[test]
    fn unknown_forced_and_bad_queries() {
        let mut t = DnsTable::default();
        let (_, b) = t.answer(Some("application/dns-json"), &q("nope.example", "A"));
        assert_eq!(b["Status"], 3);
        assert!(b.get("Answer").is_none());
        t.set("x.example", vec!["127.0.0.1".parse().unwrap()], 5);
        t.set_status("x.example", Some(2));
        let (_, b) = t.answer(Some("application/dns-json"), &q("x.example", "A"));
        assert_eq!(b["Status"], 2);
        assert!(b.get("Answer").is_none());
        assert_eq!(
            t.answer(None, &q("x.example", "A")).0,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            t.answer(Some("application/dns-json"), &q("x.example", "MX"))
                .0,
            StatusCode::BAD_REQUEST
        );
    }
}

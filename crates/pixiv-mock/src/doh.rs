//! DNS over HTTPS at `/dns-query`, answering from a table the test sets, in both forms public
//! resolvers serve: RFC 8484 wire format (`POST` with `Content-Type: application/dns-message`, or
//! `GET ?dns=` with the message in unpadded base64url; what hickory-resolver sends) and
//! Cloudflare's JSON API (`GET ?name=..&type=A`, `Accept: application/dns-json`). Messages are
//! read and written with hickory-proto.

use std::collections::HashMap;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use crate::log::LoggedRequest;

/// The media type of an RFC 8484 message.
pub(crate) const DNS_MESSAGE: &str = "application/dns-message";

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

    /// Answers one `/dns-query` request in the form it came in: the HTTP status, the
    /// `Content-Type` and the body.
    pub(crate) fn respond(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &[(String, String)],
        body: &[u8],
    ) -> (StatusCode, &'static str, Vec<u8>) {
        let header =
            |name: http::header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        let accept = header(http::header::ACCEPT);
        let wire = match *method {
            Method::POST => header(http::header::CONTENT_TYPE)
                .filter(|t| t.starts_with(DNS_MESSAGE))
                .map(|_| Ok(body.to_vec())),
            Method::GET => query
                .iter()
                .find(|(k, _)| k == "dns")
                .map(|(_, v)| URL_SAFE_NO_PAD.decode(v.trim_end_matches('='))),
            _ => None,
        };
        match wire {
            Some(Ok(bytes)) => match self.answer_wire(&bytes) {
                Some(answer) => (StatusCode::OK, DNS_MESSAGE, answer),
                None => (
                    StatusCode::BAD_REQUEST,
                    "text/plain",
                    b"not a DNS query".to_vec(),
                ),
            },
            Some(Err(_)) => (
                StatusCode::BAD_REQUEST,
                "text/plain",
                b"bad base64url".to_vec(),
            ),
            None if *method == Method::POST => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "text/plain",
                format!("send Content-Type: {DNS_MESSAGE}").into_bytes(),
            ),
            None => {
                let (status, json) = self.answer(accept, query);
                let bytes = serde_json::to_vec(&json).unwrap_or_default();
                (status, "application/dns-json", bytes)
            }
        }
    }

    /// The RCODE and the addresses for `name` and `rtype` (A or AAAA).
    fn lookup(&self, name: &str, rtype: u16) -> (u16, Vec<IpAddr>, u32) {
        let key = normalize(name);
        let entry = self.entries.get(&key);
        let status = self
            .statuses
            .get(&key)
            .copied()
            .unwrap_or(if entry.is_some() { 0 } else { NXDOMAIN });
        match entry {
            Some(entry) if status == 0 => {
                let ips = entry
                    .ips
                    .iter()
                    .copied()
                    .filter(|ip| {
                        matches!(
                            (ip, rtype),
                            (IpAddr::V4(_), TYPE_A) | (IpAddr::V6(_), TYPE_AAAA)
                        )
                    })
                    .collect();
                (status, ips, entry.ttl)
            }
            _ => (status, Vec::new(), 0),
        }
    }

    /// Answers one wire-format query; `None` when it is not one (or asks no question).
    fn answer_wire(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let request = Message::from_vec(bytes).ok()?;
        let question = request.queries().first()?.clone();
        let mut answer = Message::new();
        answer
            .set_id(request.id())
            .set_message_type(MessageType::Response)
            .set_op_code(OpCode::Query)
            .set_recursion_desired(request.recursion_desired())
            .set_recursion_available(true)
            .add_query(question.clone());
        let rtype = u16::from(question.query_type());
        if rtype != TYPE_A && rtype != TYPE_AAAA {
            answer.set_response_code(ResponseCode::NotImp);
            return answer.to_vec().ok();
        }
        let (status, ips, ttl) = self.lookup(&question.name().to_ascii(), rtype);
        answer.set_response_code(<ResponseCode as From<u16>>::from(status));
        for ip in ips {
            let rdata = match ip {
                IpAddr::V4(v4) => RData::A(A(v4)),
                IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
            };
            answer.add_answer(Record::from_rdata(question.name().clone(), ttl, rdata));
        }
        answer.to_vec().ok()
    }

    /// Answers one JSON API query: the HTTP status and the JSON body.
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
        let bare = name.trim_end_matches('.');
        let (status, ips, ttl) = self.lookup(name, rtype);
        let mut body = json!({
            "Status": status, "TC": false, "RD": true, "RA": true, "AD": false, "CD": false,
            "Question": [{"name": format!("{bare}."), "type": rtype}],
        });
        if !ips.is_empty() {
            let answers: Vec<Value> = ips
                .iter()
                .map(|ip| json!({"name": bare, "type": rtype, "TTL": ttl, "data": ip.to_string()}))
                .collect();
            body["Answer"] = Value::Array(answers);
        }
        (StatusCode::OK, body)
    }
}

impl LoggedRequest {
    /// The question of a `/dns-query` request in either form: the name (lower case, without the
    /// final dot) and the record type (`"A"`, `"AAAA"`, or the type's number). `None` for any
    /// other request.
    pub fn dns_question(&self) -> Option<(String, String)> {
        if self.path != "/dns-query" {
            return None;
        }
        let value = |k: &str| self.query.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let bytes = if self.method == Method::POST {
            Some(self.body.to_vec())
        } else {
            value("dns").and_then(|v| URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok())
        };
        if let Some(bytes) = bytes {
            let message = Message::from_vec(&bytes).ok()?;
            let question = message.queries().first()?;
            let rtype = match question.query_type() {
                RecordType::A => "A".to_owned(),
                RecordType::AAAA => "AAAA".to_owned(),
                other => u16::from(other).to_string(),
            };
            return Some((normalize(&question.name().to_ascii()), rtype));
        }
        let name = normalize(value("name")?);
        let rtype = value("type").map_or("A".to_owned(), |t| t.to_ascii_uppercase());
        Some((name, rtype))
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

    /// A wire-format query for `name` and `rtype`, id 7.
    fn wire_query(name: &str, rtype: RecordType) -> Vec<u8> {
        let mut m = Message::new();
        m.set_id(7).set_recursion_desired(true);
        m.add_query(hickory_proto::op::Query::query(
            hickory_proto::rr::Name::from_ascii(name).unwrap(),
            rtype,
        ));
        m.to_vec().unwrap()
    }

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn wire_format_by_post_and_by_get() {
        let mut t = DnsTable::default();
        t.set(
            "app-api.pixiv.net",
            vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()],
            300,
        );
        let query = wire_query("APP-API.pixiv.net.", RecordType::A);
        let (s, kind, body) = t.respond(&Method::POST, &headers(DNS_MESSAGE), &[], &query);
        assert_eq!((s, kind), (StatusCode::OK, DNS_MESSAGE));
        let answer = Message::from_vec(&body).unwrap();
        assert_eq!(answer.id(), 7);
        assert_eq!(answer.message_type(), MessageType::Response);
        assert_eq!(answer.response_code(), ResponseCode::NoError);
        let data: Vec<_> = answer
            .answers()
            .iter()
            .map(|r| (r.data().clone(), r.ttl()))
            .collect();
        assert_eq!(data, [(RData::A(A::new(127, 0, 0, 1)), 300)]);

        let get = [(
            "dns".to_owned(),
            URL_SAFE_NO_PAD.encode(wire_query("app-api.pixiv.net.", RecordType::AAAA)),
        )];
        let (s, _, body) = t.respond(&Method::GET, &HeaderMap::new(), &get, &[]);
        assert_eq!(s, StatusCode::OK);
        let answer = Message::from_vec(&body).unwrap();
        assert_eq!(answer.answers().len(), 1);
        assert_eq!(
            answer.answers()[0].data(),
            &RData::AAAA(AAAA(std::net::Ipv6Addr::LOCALHOST))
        );
    }

    #[test]
    fn wire_format_rcodes_and_bad_requests() {
        let mut t = DnsTable::default();
        let post = |t: &DnsTable, name: &str, rtype| {
            let (s, _, body) = t.respond(
                &Method::POST,
                &headers(DNS_MESSAGE),
                &[],
                &wire_query(name, rtype),
            );
            assert_eq!(s, StatusCode::OK);
            Message::from_vec(&body).unwrap()
        };
        assert_eq!(
            post(&t, "nope.example.", RecordType::A).response_code(),
            ResponseCode::NXDomain
        );
        t.set("x.example", vec!["127.0.0.1".parse().unwrap()], 5);
        t.set_status("x.example", Some(2));
        let failed = post(&t, "x.example.", RecordType::A);
        assert_eq!(failed.response_code(), ResponseCode::ServFail);
        assert!(failed.answers().is_empty());
        assert_eq!(
            post(&t, "x.example.", RecordType::MX).response_code(),
            ResponseCode::NotImp
        );
        let garbage = t.respond(&Method::POST, &headers(DNS_MESSAGE), &[], b"\x01");
        assert_eq!(garbage.0, StatusCode::BAD_REQUEST);
        let untyped = t.respond(&Method::POST, &headers("text/plain"), &[], b"x");
        assert_eq!(untyped.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let bad64 = [("dns".to_owned(), "!!!".to_owned())];
        assert_eq!(
            t.respond(&Method::GET, &HeaderMap::new(), &bad64, &[]).0,
            StatusCode::BAD_REQUEST
        );
    }
}

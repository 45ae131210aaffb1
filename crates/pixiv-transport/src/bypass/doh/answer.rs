//! Reading one answer of the JSON API (`application/dns-json`): the addresses it gives and how
//! long to cache them.
//!
//! [`parse`] wants `Status` 0; an `Answer` that is missing or `null` holds no record. The records
//! of the asked type (`type` 1 for A, 28 for AAAA) give the addresses, in their order, and each
//! must have the API's shape and hold an address of that family. Records of other types (a CNAME
//! chain, type 5, comes first) give no address and are skipped whatever their shape, so an odd
//! record the client never reads cannot fail the answer. The addresses are cached for the
//! smallest `TTL` among them and the answer's CNAME records: an address reached through a CNAME
//! may be kept only as long as every link of the chain (RFC 1034 section 3.6.2). A record without
//! a `TTL` counts as 0 (not cached), and so does a CNAME whose `TTL` is not a whole number. The
//! time is at most [`MAX_DOH_CACHE_TTL`]. Anything else is a [`BadAnswer`], whose text becomes the
//! endpoint's [`DohFailure`](super::DohFailure) reason.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::{Family, MAX_DOH_CACHE_TTL};

/// DNS record type CNAME.
const CNAME: u64 = 5;

/// The JSON API's answer (the fields we read). The records are read one by one (see [`parse`]),
/// so that a record of a type never read cannot fail the answer.
#[derive(Deserialize)]
struct DohMessage {
    #[serde(rename = "Status")]
    status: u32,
    /// `None` when missing or `null`.
    #[serde(rename = "Answer", default)]
    answer: Option<Vec<Value>>,
}

/// A record of the asked type, as the API gives it.
#[derive(Deserialize)]
struct DohRecord {
    #[serde(rename = "TTL", default)]
    ttl: u32,
    data: String,
}

/// Why an answer gave no address.
#[derive(Debug)]
pub(super) enum BadAnswer {
    /// Not JSON, or JSON without the API's fields and types.
    NotJson(serde_json::Error),
    /// A `Status` (the DNS RCODE) other than 0.
    Status(u32),
    /// A record of the asked type whose data is not an address of that family.
    NotAnAddress(String),
    /// No record of the asked type.
    NoRecord(Family),
}

impl fmt::Display for BadAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "not a DNS JSON answer ({e})"),
            Self::Status(code) => write!(f, "Status {code} ({}), not 0", rcode_name(*code)),
            Self::NotAnAddress(data) => write!(f, "record data {data:?} is not an address"),
            Self::NoRecord(family) => write!(f, "no {} record in the answer", family.name()),
        }
    }
}

/// The addresses of `family` in one answer body and the time to cache them for. See the
/// [module docs](self).
pub(super) fn parse(body: &[u8], family: Family) -> Result<(Vec<IpAddr>, Duration), BadAnswer> {
    let message: DohMessage = serde_json::from_slice(body).map_err(BadAnswer::NotJson)?;
    if message.status != 0 {
        return Err(BadAnswer::Status(message.status));
    }
    let mut ttl = MAX_DOH_CACHE_TTL;
    let mut ips = Vec::new();
    for record in message.answer.unwrap_or_default() {
        let rtype = record.get("type").and_then(Value::as_u64);
        if rtype == Some(u64::from(family.code())) {
            let record: DohRecord = serde_json::from_value(record).map_err(BadAnswer::NotJson)?;
            match record.data.parse::<IpAddr>() {
                Ok(ip) if family.matches(&ip) => {
                    ips.push(ip);
                    ttl = ttl.min(Duration::from_secs(u64::from(record.ttl)));
                }
                _ => return Err(BadAnswer::NotAnAddress(record.data)),
            }
        } else if rtype == Some(CNAME) {
            let secs = record.get("TTL").and_then(Value::as_u64).unwrap_or(0);
            ttl = ttl.min(Duration::from_secs(secs));
        }
    }
    if ips.is_empty() {
        return Err(BadAnswer::NoRecord(family));
    }
    Ok((ips, ttl))
}

/// The name of a DNS RCODE (RFC 1035 section 4.1.1, RFC 6895).
fn rcode_name(code: u32) -> &'static str {
    match code {
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::*;

    /// DNS record type CNAME.
    const CNAME: u16 = 5;

    fn record(rtype: u16, ttl: u32, data: &str) -> Value {
        json!({"name": "app-api.pixiv.net", "type": rtype, "TTL": ttl, "data": data})
    }

    fn body(status: u32, records: &[Value]) -> Vec<u8> {
        json!({"Status": status, "TC": false, "Answer": records})
            .to_string()
            .into_bytes()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_records_give_their_addresses_in_order_for_the_smallest_ttl() {
        let answer = body(
            0,
            &[
                record(CNAME, 600, "app-api.pixiv.net.cdn.cloudflare.net."),
                record(1, 300, "210.140.139.155"),
                record(1, 120, "210.140.139.158"),
            ],
        );
        let (ips, ttl) = parse(&answer, Family::A).unwrap();
        assert_eq!(ips, [ip("210.140.139.155"), ip("210.140.139.158")]);
        assert_eq!(ttl, Duration::from_secs(120));
    }

    #[test]
    fn a_cname_in_the_chain_shortens_the_ttl() {
        let a = record(1, 300, "210.140.139.155");
        let cname = |ttl| record(CNAME, ttl, "app-api.pixiv.net.cdn.cloudflare.net.");
        for (records, want) in [
            (vec![cname(30), a.clone()], 30),
            (vec![a.clone(), cname(30)], 30),
            (vec![cname(600), cname(45), a.clone()], 45),
            (vec![cname(u32::MAX), a.clone()], 300),
        ] {
            let (ips, ttl) = parse(&body(0, &records), Family::A).unwrap();
            assert_eq!(ips, [ip("210.140.139.155")]);
            assert_eq!(ttl, Duration::from_secs(want), "{records:?}");
        }
        // A type neither asked nor CNAME (46, RRSIG) is not part of the chain.
        let rrsig = record(46, 1, "A 13 3 300 ...");
        let (_, ttl) = parse(&body(0, &[rrsig, a]), Family::A).unwrap();
        assert_eq!(ttl, Duration::from_secs(300));
    }

    #[test]
    fn a_cname_without_a_readable_ttl_counts_as_0() {
        for cname in [
            json!({"type": 5, "data": "a.example."}),
            json!({"type": 5, "TTL": null, "data": "a.example."}),
            json!({"type": 5, "TTL": "300", "data": "a.example."}),
            json!({"type": 5, "TTL": -1, "data": "a.example."}),
            json!({"type": 5, "TTL": 300.5, "data": "a.example."}),
        ] {
            let answer = body(0, &[cname.clone(), record(1, 300, "127.0.0.1")]);
            let (ips, ttl) = parse(&answer, Family::A).unwrap();
            assert_eq!(ips, [ip("127.0.0.1")]);
            assert_eq!(ttl, Duration::ZERO, "{cname}");
        }
    }

    #[test]
    fn records_of_other_types_are_skipped_whatever_their_shape() {
        let odd = [
            json!({"type": 5, "TTL": 300, "data": 7}),
            json!({"type": 5, "TTL": 300}),
            json!({"type": 46, "TTL": "x", "data": {"sig": [1, 2]}}),
            json!({"type": 28, "TTL": 300, "data": null}),
            json!({"type": "1", "TTL": 1, "data": "not an ip"}),
            json!({"type": 1.5, "TTL": 1, "data": "not an ip"}),
            json!({"type": -1, "TTL": 1, "data": "not an ip"}),
            json!({"type": null, "data": "not an ip"}),
            json!({"TTL": 1, "data": "not an ip"}),
            json!({}),
            json!(7),
            json!("x"),
            json!(null),
            json!([1, "127.0.0.2"]),
        ];
        let mut records = odd.to_vec();
        records.insert(3, record(1, 300, "127.0.0.1"));
        let (ips, ttl) = parse(&body(0, &records), Family::A).unwrap();
        assert_eq!(ips, [ip("127.0.0.1")]);
        assert_eq!(ttl, Duration::from_secs(300));
        let err = parse(&body(0, &odd), Family::A).unwrap_err();
        assert!(matches!(err, BadAnswer::NoRecord(Family::A)), "{err:?}");
    }

    #[test]
    fn a_null_answer_holds_no_record() {
        let err = parse(br#"{"Status":0,"Answer":null}"#, Family::A).unwrap_err();
        assert!(matches!(err, BadAnswer::NoRecord(Family::A)), "{err:?}");
        let err = parse(br#"{"Status":3,"Answer":null}"#, Family::Aaaa).unwrap_err();
        assert!(matches!(err, BadAnswer::Status(3)), "{err:?}");
    }

    #[test]
    fn aaaa_asked_reads_only_aaaa_records() {
        let answer = body(0, &[record(1, 60, "127.0.0.1"), record(28, 60, "::1")]);
        assert_eq!(parse(&answer, Family::Aaaa).unwrap().0, [ip("::1")]);
        assert_eq!(parse(&answer, Family::A).unwrap().0, [ip("127.0.0.1")]);
    }

    #[test]
    fn ttl_is_capped_and_a_missing_ttl_is_zero() {
        let long = body(0, &[record(1, u32::MAX, "127.0.0.1")]);
        assert_eq!(parse(&long, Family::A).unwrap().1, MAX_DOH_CACHE_TTL);
        let none = br#"{"Status":0,"Answer":[{"type":1,"data":"127.0.0.1"}]}"#;
        assert_eq!(parse(none, Family::A).unwrap().1, Duration::ZERO);
    }

    #[test]
    fn status_other_than_0_is_named_whatever_the_records() {
        let answer = body(2, &[record(1, 60, "127.0.0.1")]);
        let err = parse(&answer, Family::A).unwrap_err();
        assert!(matches!(err, BadAnswer::Status(2)), "{err:?}");
        assert_eq!(err.to_string(), "Status 2 (SERVFAIL), not 0");
        let nx = parse(&body(3, &[]), Family::A).unwrap_err();
        assert_eq!(nx.to_string(), "Status 3 (NXDOMAIN), not 0");
    }

    #[test]
    fn no_answer_and_cname_only_are_no_record() {
        let cases: [&[u8]; 4] = [
            br#"{"Status":0}"#,
            br#"{"Status":0,"Answer":null}"#,
            br#"{"Status":0,"Answer":[]}"#,
            br#"{"Status":0,"Answer":[{"type":5,"TTL":9,"data":"a.example."}]}"#,
        ];
        for case in cases {
            let err = parse(case, Family::A).unwrap_err();
            assert!(matches!(err, BadAnswer::NoRecord(Family::A)), "{err:?}");
            assert_eq!(err.to_string(), "no A record in the answer");
        }
    }

    #[test]
    fn garbage_data_in_an_asked_record_is_not_an_address() {
        for (family, data) in [
            (Family::A, "not an ip"),
            (Family::A, "::1"),
            (Family::Aaaa, "127.0.0.1"),
            (Family::A, " 127.0.0.1"),
        ] {
            let answer = body(0, &[record(family.code(), 60, data)]);
            let err = parse(&answer, family).unwrap_err();
            assert!(
                matches!(&err, BadAnswer::NotAnAddress(d) if d == data),
                "{err:?}"
            );
        }
    }

    #[test]
    fn not_the_apis_shape_is_not_json() {
        let cases: [&[u8]; 11] = [
            b"",
            b"<html>",
            b"[]",
            br#"{"Answer":[]}"#,
            br#"{"Status":-1}"#,
            br#"{"Status":0,"Answer":{}}"#,
            br#"{"Status":0,"Answer":"127.0.0.1"}"#,
            // An asked record must have the API's shape.
            br#"{"Status":0,"Answer":[{"type":1,"TTL":60,"data":7}]}"#,
            br#"{"Status":0,"Answer":[{"type":1,"TTL":60}]}"#,
            br#"{"Status":0,"Answer":[{"type":1,"TTL":"60","data":"127.0.0.1"}]}"#,
            br#"{"Status":0,"Answer":[{"type":1,"TTL":-1,"data":"127.0.0.1"}]}"#,
        ];
        for case in cases {
            let err = parse(case, Family::A).unwrap_err();
            assert!(matches!(err, BadAnswer::NotJson(_)), "{err:?}");
            assert!(
                err.to_string().starts_with("not a DNS JSON answer ("),
                "{err}"
            );
        }
    }

    fn arb_family() -> impl Strategy<Value = Family> {
        prop_oneof![Just(Family::A), Just(Family::Aaaa)]
    }

    fn arb_addr(family: Family) -> BoxedStrategy<IpAddr> {
        match family {
            Family::A => any::<Ipv4Addr>().prop_map(IpAddr::V4).boxed(),
            Family::Aaaa => any::<Ipv6Addr>().prop_map(IpAddr::V6).boxed(),
        }
    }

    /// A record of any type but `family`'s, with any data (an address of the other family too).
    fn arb_other_record(family: Family) -> impl Strategy<Value = Value> {
        let rtype = prop_oneof![
            Just(CNAME),
            Just(Family::A.code()),
            Just(Family::Aaaa.code()),
            any::<u16>(),
        ]
        .prop_filter("not the asked type", move |t| *t != family.code());
        let data = prop_oneof![
            any::<Ipv4Addr>().prop_map(|ip| ip.to_string()),
            any::<Ipv6Addr>().prop_map(|ip| ip.to_string()),
            any::<String>(),
        ];
        (rtype, any::<u32>(), data).prop_map(|(t, ttl, data)| record(t, ttl, &data))
    }

    /// Data that is not an address of `family`.
    fn arb_garbage(family: Family) -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            any::<Ipv4Addr>().prop_map(|ip| ip.to_string()),
            any::<Ipv6Addr>().prop_map(|ip| ip.to_string()),
            "[0-9.:a-f ]{0,40}",
        ]
        .prop_filter("not an address of the family", move |s| {
            !s.parse::<IpAddr>().is_ok_and(|ip| family.matches(&ip))
        })
    }

    /// `records` with each of `others` inserted at its index (the records keep their order).
    fn interleave(records: Vec<Value>, others: Vec<(prop::sample::Index, Value)>) -> Vec<Value> {
        let mut all = records;
        for (at, other) in others {
            all.insert(at.index(all.len() + 1), other);
        }
        all
    }

    /// Any JSON value, a few levels deep.
    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "(127.0.0.1|::1|1|5|28|0)".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(arb_key(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// Keys, biased towards the API's.
    fn arb_key() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => any::<String>(),
            3 => prop::sample::select(vec!["Status", "Answer", "type", "TTL", "data", "name"])
                .prop_map(str::to_owned),
        ]
    }

    /// `key: value`, or no field.
    fn arb_field(
        key: &'static str,
        value: BoxedStrategy<Value>,
    ) -> BoxedStrategy<Option<(String, Value)>> {
        prop::option::of(value)
            .prop_map(move |v| v.map(|v| (key.to_owned(), v)))
            .boxed()
    }

    /// A record of the API's shape with any value in each field: a right or wrong type, present
    /// or not.
    fn arb_record_shaped() -> impl Strategy<Value = Value> {
        let field = arb_field;
        let rtype = prop_oneof![
            Just(json!(1)),
            Just(json!(28)),
            Just(json!(CNAME)),
            arb_json()
        ];
        let data = prop_oneof![
            any::<Ipv4Addr>().prop_map(|ip| json!(ip.to_string())),
            any::<Ipv6Addr>().prop_map(|ip| json!(ip.to_string())),
            arb_json(),
        ];
        let ttl = prop_oneof![any::<u32>().prop_map(|t| json!(t)), arb_json()];
        (
            field("type", rtype.boxed()),
            field("TTL", ttl.boxed()),
            field("data", data.boxed()),
        )
            .prop_map(|(t, ttl, d)| Value::Object([t, ttl, d].into_iter().flatten().collect()))
    }

    /// Anything in `Answer` that is not a record of `family`'s type nor a CNAME: a record of
    /// another type with any fields, a record whose `type` is no whole number, or no record at
    /// all.
    fn arb_stranger(family: Family) -> impl Strategy<Value = Value> {
        let other_type = any::<u16>()
            .prop_filter("neither asked nor CNAME", move |t| {
                *t != family.code() && *t != CNAME
            })
            .prop_map(|t| json!(t));
        let rtype = prop_oneof![
            other_type,
            arb_json().prop_filter("no whole number", |v| v.as_u64().is_none()),
        ];
        let odd_record = (
            arb_field("type", rtype.boxed()),
            arb_field("TTL", arb_json().boxed()),
            arb_field("data", arb_json().boxed()),
            arb_field("name", arb_json().boxed()),
        )
            .prop_map(|(t, ttl, d, n)| {
                Value::Object([t, ttl, d, n].into_iter().flatten().collect())
            });
        prop_oneof![
            3 => odd_record,
            1 => arb_json().prop_filter("not a record", |v| !v.is_object()),
        ]
    }

    /// The outcome of [`parse`] without the parser's position in a [`BadAnswer::NotJson`] (which
    /// moves when records are added).
    fn outcome(result: Result<(Vec<IpAddr>, Duration), BadAnswer>) -> String {
        match result {
            Err(BadAnswer::NotJson(_)) => "NotJson".to_owned(),
            other => format!("{other:?}"),
        }
    }

    /// The API's shape with any value in each field: a right or wrong type, present or not.
    fn arb_answer_shaped() -> impl Strategy<Value = Value> {
        let field = arb_field;
        let answer = prop_oneof![
            prop::collection::vec(arb_record_shaped(), 0..6).prop_map(Value::Array),
            arb_json()
        ];
        let status = prop_oneof![
            Just(json!(0)),
            any::<u32>().prop_map(|s| json!(s)),
            arb_json()
        ];
        (
            field("Status", status.boxed()),
            field("Answer", answer.boxed()),
        )
            .prop_map(|(s, a)| Value::Object([s, a].into_iter().flatten().collect()))
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_without_panicking(
            bytes in prop::collection::vec(any::<u8>(), 0..512),
            family in arb_family(),
        ) {
            let _ = parse(&bytes, family);
        }

        #[test]
        fn any_json_is_read_without_panicking(value in arb_json(), family in arb_family()) {
            let _ = parse(value.to_string().as_bytes(), family);
        }

        #[test]
        fn answer_shaped_json_is_read_without_panicking(
            value in arb_answer_shaped(),
            family in arb_family(),
        ) {
            let _ = parse(value.to_string().as_bytes(), family);
        }

        #[test]
        fn the_asked_records_give_exactly_their_addresses_and_smallest_ttl(
            (family, asked, others) in arb_family().prop_flat_map(|family| (
                Just(family),
                prop::collection::vec((arb_addr(family), any::<u32>()), 1..8),
                prop::collection::vec((any::<prop::sample::Index>(), arb_other_record(family)), 0..6),
            )),
        ) {
            let records = asked
                .iter()
                .map(|(ip, ttl)| record(family.code(), *ttl, &ip.to_string()))
                .collect();
            let cname_ttls: Vec<u32> = others
                .iter()
                .filter(|(_, r)| r["type"] == json!(CNAME))
                .map(|(_, r)| u32::try_from(r["TTL"].as_u64().unwrap()).unwrap())
                .collect();
            let answer = body(0, &interleave(records, others));
            let (ips, ttl) = parse(&answer, family).unwrap();
            let want: Vec<IpAddr> = asked.iter().map(|(ip, _)| *ip).collect();
            prop_assert_eq!(ips, want);
            let smallest = asked.iter().map(|(_, t)| *t).chain(cname_ttls).min().unwrap_or(0);
            prop_assert_eq!(ttl, Duration::from_secs(u64::from(smallest)).min(MAX_DOH_CACHE_TTL));
        }

        #[test]
        fn records_neither_asked_nor_cname_never_change_the_outcome(
            (family, status, records, strangers) in arb_family().prop_flat_map(|family| (
                Just(family),
                prop_oneof![Just(0u32), any::<u32>()],
                prop::collection::vec(
                    prop_oneof![
                        arb_record_shaped().boxed(),
                        arb_addr(family)
                            .prop_map(move |ip| record(family.code(), 60, &ip.to_string()))
                            .boxed(),
                        arb_other_record(family).boxed(),
                    ],
                    0..6,
                ),
                prop::collection::vec((any::<prop::sample::Index>(), arb_stranger(family)), 1..6),
            )),
        ) {
            let without = parse(&body(status, &records), family);
            let with = parse(&body(status, &interleave(records, strangers)), family);
            prop_assert_eq!(outcome(with), outcome(without));
        }

        #[test]
        fn one_garbage_asked_record_fails_the_whole_answer(
            (family, asked, garbage, at, others) in arb_family().prop_flat_map(|family| (
                Just(family),
                prop::collection::vec(arb_addr(family), 0..6),
                arb_garbage(family),
                any::<prop::sample::Index>(),
                prop::collection::vec((any::<prop::sample::Index>(), arb_other_record(family)), 0..4),
            )),
        ) {
            let mut records: Vec<Value> = asked
                .iter()
                .map(|ip| record(family.code(), 60, &ip.to_string()))
                .collect();
            records.insert(at.index(records.len() + 1), record(family.code(), 60, &garbage));
            let answer = body(0, &interleave(records, others));
            match parse(&answer, family) {
                Err(BadAnswer::NotAnAddress(data)) => prop_assert_eq!(data, garbage),
                other => prop_assert!(false, "expected NotAnAddress, got {:?}", other),
            }
        }

        #[test]
        fn without_an_asked_record_there_is_no_address(
            (family, others) in arb_family().prop_flat_map(|family| (
                Just(family),
                prop::collection::vec(arb_other_record(family), 0..6),
            )),
        ) {
            let err = parse(&body(0, &others), family).unwrap_err();
            prop_assert!(matches!(err, BadAnswer::NoRecord(f) if f == family), "{:?}", err);
        }

        #[test]
        fn a_status_other_than_0_fails_whatever_the_records(
            status in 1u32..,
            (family, asked) in arb_family().prop_flat_map(|family| (
                Just(family),
                prop::collection::vec(arb_addr(family), 0..4),
            )),
        ) {
            let records: Vec<Value> = asked
                .iter()
                .map(|ip| record(family.code(), 60, &ip.to_string()))
                .collect();
            let err = parse(&body(status, &records), family).unwrap_err();
            prop_assert!(matches!(err, BadAnswer::Status(s) if s == status), "{:?}", err);
            prop_assert!(err.to_string().starts_with(&format!("Status {status} (")), "{}", err);
        }
    }
}

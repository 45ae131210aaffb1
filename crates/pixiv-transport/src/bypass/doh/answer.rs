//! Reading hickory-resolver's result for one query: the addresses and how long to cache them,
//! or the reason the endpoint gave none.
//!
//! The records of the asked type give the addresses, in their order. The addresses are cached for
//! the smallest TTL among them and the answer's CNAME records: an address reached through a
//! CNAME may be kept only as long as every link of the chain (RFC 1034 section 3.6.2), at most
//! [`MAX_DOH_CACHE_TTL`]. An RCODE other than NOERROR, or an answer without a record of the asked
//! type, is a failure named by its RCODE (RFC 1035 section 4.1.1).

use std::net::IpAddr;
use std::time::Duration;

use hickory_resolver::ResolveError;
use hickory_resolver::lookup::Lookup;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, Record, RecordType};

use super::{Family, MAX_DOH_CACHE_TTL};

/// The addresses of `family` in `records` and the time to cache them for; `None` without any.
pub(super) fn addresses(records: &[Record], family: Family) -> Option<(Vec<IpAddr>, Duration)> {
    let mut ttl = MAX_DOH_CACHE_TTL;
    let mut ips = Vec::new();
    for record in records {
        let ip = match record.data() {
            RData::A(a) if family == Family::A => IpAddr::V4(a.0),
            RData::AAAA(aaaa) if family == Family::Aaaa => IpAddr::V6(aaaa.0),
            _ if record.record_type() == RecordType::CNAME => {
                ttl = ttl.min(Duration::from_secs(u64::from(record.ttl())));
                continue;
            }
            _ => continue,
        };
        ips.push(ip);
        ttl = ttl.min(Duration::from_secs(u64::from(record.ttl())));
    }
    (!ips.is_empty()).then_some((ips, ttl))
}

/// The addresses of one lookup, or why there are none.
pub(super) fn read(
    result: Result<Lookup, ResolveError>,
    family: Family,
) -> Result<(Vec<IpAddr>, Duration), String> {
    match result {
        Ok(lookup) => addresses(lookup.records(), family)
            .ok_or_else(|| format!("no {} record in the answer", family.name())),
        Err(e) => Err(reason(&e, family)),
    }
}

/// The text of one failure: the RCODE by name when the server answered, else hickory's words.
fn reason(e: &ResolveError, family: Family) -> String {
    if let Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) = e.proto().map(|p| p.kind())
    {
        return rcode_text(*response_code, family);
    }
    e.to_string()
}

fn rcode_text(code: ResponseCode, family: Family) -> String {
    let name = match code {
        ResponseCode::NoError => return format!("no {} record in the answer", family.name()),
        ResponseCode::FormErr => "FORMERR",
        ResponseCode::ServFail => "SERVFAIL",
        ResponseCode::NXDomain => "NXDOMAIN",
        ResponseCode::NotImp => "NOTIMP",
        ResponseCode::Refused => "REFUSED",
        _ => "error",
    };
    format!("RCODE {} ({name})", u16::from(code))
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use hickory_resolver::Name;
    use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME};

    use super::*;

    fn rec(ttl: u32, data: RData) -> Record {
        Record::from_rdata(Name::from_ascii("app-api.pixiv.net.").unwrap(), ttl, data)
    }

    fn a(ttl: u32, last: u8) -> Record {
        rec(ttl, RData::A(A(Ipv4Addr::new(127, 0, 0, last))))
    }

    fn cname(ttl: u32) -> Record {
        let target = Name::from_ascii("app-api.pixiv.net.cdn.cloudflare.net.").unwrap();
        rec(ttl, RData::CNAME(CNAME(target)))
    }

    #[test]
    fn asked_records_give_their_addresses_in_order_for_the_smallest_ttl() {
        let (ips, ttl) = addresses(&[cname(600), a(300, 1), a(120, 2)], Family::A).unwrap();
        assert_eq!(
            ips,
            [IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 2])]
        );
        assert_eq!(ttl, Duration::from_secs(120));
    }

    #[test]
    fn a_cname_in_the_chain_shortens_the_ttl_and_the_cap_holds() {
        for (records, want) in [
            (vec![cname(30), a(300, 1)], 30),
            (vec![a(300, 1), cname(30)], 30),
            (vec![cname(600), cname(45), a(300, 1)], 45),
            (
                vec![cname(u32::MAX), a(u32::MAX, 1)],
                MAX_DOH_CACHE_TTL.as_secs(),
            ),
        ] {
            let (_, ttl) = addresses(&records, Family::A).unwrap();
            assert_eq!(ttl, Duration::from_secs(want), "{records:?}");
        }
    }

    #[test]
    fn only_the_asked_family_counts() {
        let v6 = rec(60, RData::AAAA(AAAA(Ipv6Addr::LOCALHOST)));
        let records = [a(60, 1), v6];
        assert_eq!(
            addresses(&records, Family::Aaaa).unwrap().0,
            [IpAddr::from(Ipv6Addr::LOCALHOST)]
        );
        assert_eq!(
            addresses(&records, Family::A).unwrap().0,
            [IpAddr::from([127, 0, 0, 1])]
        );
        assert!(addresses(&[cname(60)], Family::A).is_none());
        assert!(addresses(&[], Family::A).is_none());
    }

    #[test]
    fn rcodes_are_named() {
        assert_eq!(
            rcode_text(ResponseCode::ServFail, Family::A),
            "RCODE 2 (SERVFAIL)"
        );
        assert_eq!(
            rcode_text(ResponseCode::NXDomain, Family::A),
            "RCODE 3 (NXDOMAIN)"
        );
        assert_eq!(
            rcode_text(ResponseCode::NoError, Family::Aaaa),
            "no AAAA record in the answer"
        );
    }
}

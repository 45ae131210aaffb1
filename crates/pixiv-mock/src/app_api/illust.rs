//! Works: `/v1/illust/detail`, `/v2/illust/related`, `/v1/ugoira/metadata`.

use serde_json::{Value, json};

use super::paging::{next_url, page};
use super::state::Viewer;
use super::{ApiRequest, AppApi, Handled, error, params};
use crate::data;

/// The `illust_id` of a call, which must name a work that exists (404 otherwise).
pub(super) fn existing_illust(pairs: &[(String, String)]) -> Result<u64, super::ApiResponse> {
    let id = params::id(pairs, "illust_id")?;
    if data::exists(id) {
        Ok(id)
    } else {
        Err(error::illust_not_found())
    }
}

/// `GET /v1/illust/detail?illust_id=` → `{"illust": {..}}` (see [`data::illust`] for the shape),
/// with the viewer's `is_bookmarked` and `user.is_followed`.
pub(super) fn detail(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_illust(req.query)?;
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    Ok(json!({ "illust": viewer.illust(id, req.base_url) }))
}

/// The values of a list parameter in the order sent, whichever way it was written: Pixiv's
/// indexed `name[0]`, `name[1]`.. (its `next_url`s) or PHP-style `name[]` (PixivPy sends those,
/// having folded the indexed keys with `parse_qs`).
fn list_param<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| is_list_key(k, name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Whether `key` is `name[]` or `name[<index>]`.
fn is_list_key(key: &str, name: &str) -> bool {
    key.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('['))
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|index| index.is_empty() || index.parse::<usize>().is_ok())
}

/// `GET /v2/illust/related?illust_id=&seed_illust_ids[0]=..&viewed[0]=..&offset=` →
/// `{"illusts": [..30], "next_url"}`, 3 pages of [`data::related_ids`].
///
/// As Pixiv's, the `next_url` names the works seen so far with indexed keys:
/// `seed_illust_ids[0]`.. (the request's seeds, or `illust_id` when it had none) and
/// `viewed[0]`.. (the request's, then this page's: `viewed[0]`..`viewed[29]` after the first
/// page), with the new `offset`; the other keys as requested. Both `name[]` and `name[i]` are
/// read, so PixivPy's `parse_qs` (which keeps only the last `viewed[i]`) still pages.
pub(super) fn related(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_illust(req.query)?;
    let offset = params::offset(req.query)?;
    let seeds = list_param(req.query, "seed_illust_ids");
    if seeds.iter().any(|s| s.parse::<u64>().is_err()) {
        return Err(error::bad_request("Invalid seed_illust_ids"));
    }
    let all = data::related_ids(id);
    let (ids, next) = page(&all, offset);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = ids
        .iter()
        .map(|&i| viewer.illust(i, req.base_url))
        .collect();
    let next_url = match next {
        None => Value::Null,
        Some(next) => {
            let kept: Vec<(String, String)> = req
                .query
                .iter()
                .filter(|(k, _)| !is_list_key(k, "seed_illust_ids") && !is_list_key(k, "viewed"))
                .cloned()
                .collect();
            let mut seeds: Vec<String> = seeds.iter().map(|s| (*s).to_owned()).collect();
            if seeds.is_empty() {
                seeds.push(id.to_string());
            }
            let viewed: Vec<String> = list_param(req.query, "viewed")
                .into_iter()
                .map(str::to_owned)
                .chain(ids.iter().map(u64::to_string))
                .collect();
            let mut replace = vec![("offset".to_owned(), next.to_string())];
            replace.extend(
                seeds
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| (format!("seed_illust_ids[{i}]"), s)),
            );
            replace.extend(
                viewed
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (format!("viewed[{i}]"), v)),
            );
            let replace: Vec<(&str, String)> = replace
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            next_url(
                &ApiRequest {
                    query: &kept,
                    ..*req
                },
                &replace,
            )
            .into()
        }
    };
    Ok(json!({ "illusts": illusts, "next_url": next_url }))
}

/// `GET /v1/ugoira/metadata?illust_id=` → see [`data::ugoira_metadata`]. A work that does not
/// exist is a 404; one that is not an ugoira (or that the account may not see) a 400.
pub(super) fn ugoira_metadata(_api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_illust(req.query)?;
    data::ugoira_metadata(id, req.base_url).ok_or_else(|| {
        error::bad_request("Invalid illust_id: the work is not an ugoira the account may see")
    })
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;
    use crate::data;

    #[test]
    fn detail_is_deterministic_and_shaped_as_pixiv() {
        let api = AppApi::new();
        for id in [
            1,
            2,
            12,
            13,
            14,
            21,
            22,
            26,
            77,
            999_999_999_999,
            1_000_000_000_000,
        ] {
            let a = get(&api, "/v1/illust/detail", &[("illust_id", &id.to_string())]);
            let b = get(
                &AppApi::new(),
                "/v1/illust/detail",
                &[("illust_id", &id.to_string())],
            );
            assert_eq!(a.status, 200, "{id}: {}", a.body);
            assert_eq!(a.body, b.body, "same id, same JSON");
            assert_eq!(
                a.body["illust"],
                data::illust(id, BASE),
                "the API sends data::illust"
            );
            assert_illust_shape(&a.body["illust"]);
        }
    }

    #[test]
    fn single_page_multi_page_ugoira_and_restricted_works() {
        let api = AppApi::new();
        let detail = |id: u64| {
            get(&api, "/v1/illust/detail", &[("illust_id", &id.to_string())]).body["illust"].clone()
        };

        // 10: one page (10 % 5 + 1), an illust by user 1.
        let one = detail(10);
        assert_eq!(one["page_count"], 1);
        assert_eq!(one["type"], "illust");
        assert_eq!(
            one["meta_single_page"]["original_image_url"],
            format!("{BASE}/img-original/img/2024/01/01/00/00/00/10_p0.png")
        );
        assert_eq!(one["meta_pages"], serde_json::json!([]));
        assert_eq!(
            one["image_urls"]["large"],
            format!("{BASE}/c/600x1200_90/img-master/img/2024/01/01/00/00/00/10_p0_master1200.jpg")
        );
        assert_eq!(
            one["image_urls"]["medium"],
            format!("{BASE}/c/540x540_70/img-master/img/2024/01/01/00/00/00/10_p0_master1200.jpg")
        );
        assert_eq!(
            one["image_urls"]["square_medium"],
            format!("{BASE}/c/360x360_70/img-master/img/2024/01/01/00/00/00/10_p0_square1200.jpg")
        );
        assert_eq!(
            one["user"]["profile_image_urls"]["medium"],
            format!("{BASE}/user-profile/img/2024/01/01/00/00/00/1_170.jpg")
        );

        // 12: three pages, manga; originals listed per page, meta_single_page empty.
        let many = detail(12);
        assert_eq!(many["page_count"], 3);
        assert_eq!(many["type"], "manga");
        assert_eq!(many["meta_single_page"], serde_json::json!({}));
        let originals: Vec<&str> = many["meta_pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["image_urls"]["original"].as_str().unwrap())
            .collect();
        assert_eq!(originals, data::original_urls(12, BASE));
        assert_eq!(
            originals[2],
            format!("{BASE}/img-original/img/2024/01/01/00/00/00/12_p2.png")
        );
        for p in many["meta_pages"].as_array().unwrap() {
            for key in ["square_medium", "medium", "large", "original"] {
                assert!(p["image_urls"][key].is_string(), "{p}");
            }
        }

        // 14: ugoira (14 % 7 == 0): one page even though 14 % 5 + 1 == 5.
        let ugoira = detail(14);
        assert_eq!(ugoira["type"], "ugoira");
        assert_eq!(ugoira["page_count"], 1);
        assert!(ugoira["meta_single_page"]["original_image_url"].is_string());
        assert_eq!(data::original_urls(14, BASE).len(), 1);

        // 22: restricted: placeholders, no original anywhere, not visible.
        let restricted = detail(22);
        let placeholder = format!("{BASE}/common/images/limit_sanity_level_360.png");
        for key in ["square_medium", "medium", "large"] {
            assert_eq!(restricted["image_urls"][key], placeholder);
        }
        assert_eq!(restricted["meta_single_page"], serde_json::json!({}));
        assert_eq!(restricted["meta_pages"], serde_json::json!([]));
        assert_eq!(restricted["visible"], false);
        assert!(data::original_urls(22, BASE).is_empty());
        assert!(!restricted.to_string().contains("img-original"));

        // 26: R-18 (26 % 13 == 0).
        let r18 = detail(26);
        assert_eq!(r18["x_restrict"], 1);
        assert_eq!(r18["tags"][0]["name"], "R-18");
    }

    #[test]
    fn detail_errors() {
        let api = AppApi::new();
        for missing in ["0", "1000000000001", "18446744073709551615"] {
            let r = get(&api, "/v1/illust/detail", &[("illust_id", missing)]);
            let expect = if missing == "0" { 400 } else { 404 };
            assert_eq!(r.status, expect, "{missing}: {}", r.body);
            assert_error_shape(&r.body);
            if expect == 404 {
                assert_eq!(
                    r.body["error"]["user_message"],
                    super::error::ILLUST_NOT_FOUND
                );
            }
        }
        for bad in [
            &[][..],
            &[("illust_id", "abc")][..],
            &[("illust_id", "")][..],
        ] {
            let r = get(&api, "/v1/illust/detail", bad);
            assert_eq!(r.status, 400);
            assert_eq!(r.body["error"]["message"], "Invalid illust_id");
        }
    }

    #[test]
    fn related_pages_three_times_and_repeats_its_seeds() {
        let api = AppApi::new();
        let (pages, queries) = follow_pages(
            &api,
            "/v2/illust/related",
            &[("illust_id", "13"), ("filter", "for_ios")],
        );
        assert_eq!(pages.len(), 3);
        let all: Vec<u64> = pages.iter().flat_map(ids).collect();
        assert_eq!(all, data::related_ids(13));
        assert_eq!(all.len(), 90);
        assert!(!all.contains(&13));
        for p in &pages {
            assert_eq!(ids(p).len(), 30);
            p["illusts"]
                .as_array()
                .unwrap()
                .iter()
                .for_each(assert_illust_shape);
        }
        // Every next_url names its seed work and the works seen with indexed keys, as Pixiv's:
        // seed_illust_ids[0], viewed[0]..viewed[29] after the first page, and keeps the rest.
        for (n, q) in queries.iter().enumerate() {
            let seeds: Vec<(&str, &str)> = q
                .iter()
                .filter(|(k, _)| k.starts_with("seed_illust_ids"))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            assert_eq!(seeds, [("seed_illust_ids[0]", "13")], "page {n}");
            let viewed: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k.starts_with("viewed"))
                .map(|(k, _)| k.as_str())
                .collect();
            let expect: Vec<String> = (0..30 * (n + 1)).map(|i| format!("viewed[{i}]")).collect();
            assert_eq!(viewed, expect, "page {n}");
            assert!(q.contains(&("illust_id".to_owned(), "13".to_owned())));
            assert!(q.contains(&("filter".to_owned(), "for_ios".to_owned())));
            assert!(q.contains(&("offset".to_owned(), (30 * (n + 1)).to_string())));
        }
        // On the wire the brackets are percent-encoded.
        let raw = pages[0]["next_url"].as_str().unwrap();
        assert!(raw.contains("seed_illust_ids%5B0%5D=13"), "{raw}");
        assert!(raw.contains("viewed%5B29%5D="), "{raw}");
        assert!(!raw.contains("viewed%5B30%5D="), "{raw}");
    }

    #[test]
    fn related_reads_php_style_lists_as_pixivpy_sends_them() {
        // PixivPy's parse_qs folds viewed[0]..viewed[29] into the last value only, and sends
        // `viewed[]`/`seed_illust_ids[]`: the mock still pages, and renumbers them.
        let api = AppApi::new();
        let r = get(
            &api,
            "/v2/illust/related",
            &[
                ("illust_id", "13"),
                ("offset", "30"),
                ("seed_illust_ids[]", "13"),
                ("viewed[]", "7"),
            ],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(ids(&r.body), data::related_ids(13)[30..60]);
        let url = url::Url::parse(r.body["next_url"].as_str().unwrap()).unwrap();
        let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert!(keys.contains(&"viewed[0]".to_owned()) && keys.contains(&"viewed[30]".to_owned()));
        assert!(!keys.iter().any(|k| k.ends_with("[]")), "{keys:?}");
    }

    #[test]
    fn related_keeps_the_callers_seeds() {
        let api = AppApi::new();
        let r = get(
            &api,
            "/v2/illust/related",
            &[
                ("illust_id", "13"),
                ("seed_illust_ids[]", "5"),
                ("seed_illust_ids[]", "6"),
            ],
        );
        let url = url::Url::parse(r.body["next_url"].as_str().unwrap()).unwrap();
        let seeds: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k.starts_with("seed_illust_ids"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(seeds, ["seed_illust_ids[0]=5", "seed_illust_ids[1]=6"]);
        let r = get(
            &api,
            "/v2/illust/related",
            &[("illust_id", "13"), ("seed_illust_ids[]", "x")],
        );
        assert_eq!(r.status, 400);
        let r = get(&api, "/v2/illust/related", &[("illust_id", "0")]);
        assert_eq!(r.status, 400);
    }

    #[test]
    fn ugoira_metadata_for_ugoira_only() {
        let api = AppApi::new();
        let r = get(&api, "/v1/ugoira/metadata", &[("illust_id", "14")]);
        assert_eq!(r.status, 200);
        let m = &r.body["ugoira_metadata"];
        assert_eq!(
            m["zip_urls"]["medium"],
            format!("{BASE}/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira600x600.zip")
        );
        let frames = m["frames"].as_array().unwrap();
        assert_eq!(frames.len(), 22, "id % 20 + 8 frames");
        assert_eq!(frames[0]["file"], "000000.jpg");
        assert_eq!(frames[1]["file"], "000001.jpg");
        assert!(frames.iter().all(|f| f["delay"].is_u64()));
        for (id, status) in [("12", 400), ("77", 400), ("0", 400), ("2000000000000", 404)] {
            let r = get(&api, "/v1/ugoira/metadata", &[("illust_id", id)]);
            assert_eq!(r.status, status, "{id}");
            assert_error_shape(&r.body);
        }
    }
}

//! One request: read, log, route, authenticate, apply the fault, answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER, SERVER};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::body::{BodyFault, BoxError, MockBody};
use crate::app_api::ApiRequest;
use crate::faults::{Fault, RetryAfter};
use crate::log::LoggedRequest;
use crate::oauth::invalid_grant_api_body;
use crate::state::{Shared, lock};

/// The most headers a `Fault::Raw` answer carries: below what an `http::HeaderMap` holds, with
/// room for the headers hyper adds.
const MAX_RAW_HEADERS: usize = 20_000;

/// The largest request body the mock reads; Pixiv's requests are small forms.
const MAX_REQUEST_BODY: usize = 8 * 1024 * 1024;

/// What one connection knows about itself.
#[derive(Debug)]
pub(crate) struct ConnCtx {
    pub(crate) shared: Arc<Shared>,
    pub(crate) conn_id: u64,
    pub(crate) sni: Option<String>,
    /// Notified to make the connection task drop the connection with an RST.
    pub(crate) kill: Arc<Notify>,
}

/// The error a request ends with when the mock answers nothing (hyper resets the stream).
#[derive(Debug)]
struct NoAnswer;

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("pixiv-mock: ResetBeforeHeaders fault")
    }
}

impl std::error::Error for NoAnswer {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    OAuth,
    Login,
    Api,
    /// The web host's ajax (`www.pixiv.net/ajax/..`): no Bearer.
    Web,
    Doh,
    Image,
}

fn route_of(path: &str) -> Route {
    if path == "/auth/token" {
        Route::OAuth
    } else if path == "/web/v1/login" {
        Route::Login
    } else if path.starts_with("/v1/")
        || path.starts_with("/v2/")
        || path.starts_with("/v3/")
        || path.starts_with("/web/")
        || path.starts_with("/webview/")
    {
        Route::Api
    } else if path.starts_with("/ajax/") {
        Route::Web
    } else if path == "/dns-query" {
        Route::Doh
    } else {
        Route::Image
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response<MockBody> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let len = bytes.len();
    let mut r = Response::new(MockBody::full(bytes));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// An HTML answer (the novel viewer page).
fn html_response(status: StatusCode, page: String) -> Response<MockBody> {
    let len = page.len();
    let mut r = Response::new(MockBody::full(page));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    r
}

fn pixiv_error_body(user_message: &str, message: &str, reason: &str) -> Value {
    json!({"error": {"user_message": user_message, "message": message, "reason": reason, "user_message_details": {}}})
}

fn status_or_500(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Serves one request; the bytes of its answer's body are counted in `body_bytes_sent`.
pub(crate) async fn handle(
    req: Request<Incoming>,
    ctx: Arc<ConnCtx>,
) -> Result<Response<MockBody>, BoxError> {
    let counter = ctx.shared.body_bytes_sent.clone();
    let resp = answer(req, ctx).await?;
    Ok(resp.map(|body| body.counted(counter)))
}

async fn answer(req: Request<Incoming>, ctx: Arc<ConnCtx>) -> Result<Response<MockBody>, BoxError> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let status = if e.is::<http_body_util::LengthLimitError>() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            return Ok(json_response(
                status,
                &pixiv_error_body("", "could not read the request body", ""),
            ));
        }
    };
    let shared = &ctx.shared;
    let path = parts.uri.path().to_owned();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    if shared.record_requests {
        lock(&shared.log).push(LoggedRequest {
            method: parts.method.clone(),
            uri: parts
                .uri
                .path_and_query()
                .map_or_else(|| Uri::from_static("/"), |pq| Uri::from(pq.clone())),
            host: parts
                .uri
                .authority()
                .map(|a| a.as_str().to_owned())
                .or_else(|| {
                    parts
                        .headers
                        .get(http::header::HOST)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                }),
            path: path.clone(),
            query: query.clone(),
            headers: parts.headers.clone(),
            body: body.clone(),
            at: tokio::time::Instant::now(),
            conn_id: ctx.conn_id,
            version: parts.version,
            sni: ctx.sni.clone(),
        });
    }

    let route = route_of(&path);
    match route {
        Route::OAuth => {
            shared.oauth_calls.fetch_add(1, Ordering::Relaxed);
        }
        Route::Doh => {
            shared.dns_queries.fetch_add(1, Ordering::Relaxed);
        }
        _ => {}
    }

    // The App API checks the Bearer before anything else, faults included.
    let mut user_id = 0;
    if route == Route::Api {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match token.and_then(|t| lock(&shared.auth).check_access_token(t)) {
            Some(user) => user_id = user,
            // What Pixiv serves without login (PixivPy's `req_auth=False`), as user 0.
            None if token.is_none() && crate::app_api::allows_anonymous(&parts.method, &path) => {}
            None => {
                return Ok(json_response(
                    StatusCode::BAD_REQUEST,
                    &invalid_grant_api_body(),
                ));
            }
        }
    }

    let fault = lock(&shared.faults).take(&parts.method, &path);
    let mut body_fault = None;
    if let Some(fault) = fault {
        match fault_answer(fault, &parts, &ctx) {
            FaultAnswer::Respond(r) => return Ok(r),
            FaultAnswer::Delay(d) => tokio::time::sleep(d).await,
            FaultAnswer::Body(f) => body_fault = Some(f),
            FaultAnswer::NoAnswer => {
                if parts.version == Version::HTTP_2 {
                    return Err(Box::new(NoAnswer));
                }
                ctx.kill.notify_one();
                // The connection task drops this connection (and this future) with an RST.
                std::future::pending::<()>().await;
                return Err(Box::new(NoAnswer));
            }
        }
    }

    let response = match route {
        Route::OAuth => {
            if parts.method != Method::POST {
                json_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &pixiv_error_body("", "Method Not Allowed", ""),
                )
            } else {
                let form: Vec<(String, String)> =
                    form_urlencoded::parse(&body).into_owned().collect();
                let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
                let (status, json) = lock(&shared.auth).token(
                    header("x-client-time"),
                    header("x-client-hash"),
                    &form,
                    &shared.base_url,
                );
                json_response(status, &json)
            }
        }
        Route::Login => match lock(&shared.auth).login(&query) {
            Ok(location) => {
                let mut r = Response::new(MockBody::empty());
                *r.status_mut() = StatusCode::FOUND;
                if let Ok(v) = HeaderValue::from_str(&location) {
                    r.headers_mut().insert(LOCATION, v);
                }
                r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(0));
                r
            }
            Err(why) => json_response(StatusCode::BAD_REQUEST, &pixiv_error_body("", why, "")),
        },
        Route::Api => {
            let is_form = parts
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            let form: Vec<(String, String)> = if is_form {
                form_urlencoded::parse(&body).into_owned().collect()
            } else {
                Vec::new()
            };
            let request = ApiRequest {
                method: &parts.method,
                path: &path,
                query: &query,
                form: &form,
                user_id,
                base_url: &shared.base_url,
                accept_language: parts
                    .headers
                    .get(http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            };
            // The novel viewer answers HTML; every other App API call JSON.
            match crate::app_api::novel_web::webview(&request) {
                Some(Ok(page)) => html_response(StatusCode::OK, page),
                Some(Err(answer)) => json_response(answer.status, &answer.body),
                None => {
                    let answer = shared.api.handle(&request);
                    json_response(answer.status, &answer.body)
                }
            }
        }
        Route::Web => {
            let answer = crate::app_api::novel_web::web(&ApiRequest {
                method: &parts.method,
                path: &path,
                query: &query,
                form: &[],
                user_id: 0,
                base_url: &shared.base_url,
                accept_language: None,
            });
            json_response(answer.status, &answer.body)
        }
        Route::Doh => {
            let (status, kind, bytes) =
                lock(&shared.dns).respond(&parts.method, &parts.headers, &query, &body);
            let len = bytes.len();
            let mut r = Response::new(MockBody::full(bytes));
            *r.status_mut() = status;
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
            r.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(len));
            r
        }
        Route::Image => crate::images::respond(
            &parts.method,
            &path,
            &parts.headers,
            shared.etag_generation(),
        ),
    };

    Ok(match body_fault {
        None => response,
        Some(fault) => {
            let (parts_out, body_out) = response.into_parts();
            let total = body_out.len();
            let body_out = match fault {
                PendingBodyFault::Trickle { every } => {
                    body_out.with_fault(BodyFault::Trickle { every, sleep: None })
                }
                PendingBodyFault::Stall { after, stall } => body_out.with_fault(BodyFault::Stall {
                    after,
                    stall,
                    sleep: None,
                    done: false,
                }),
                PendingBodyFault::Reset { after } => {
                    let kill = (parts.version != Version::HTTP_2).then(|| ctx.kill.clone());
                    body_out.with_fault(BodyFault::Reset {
                        after,
                        kill,
                        drained: 0,
                    })
                }
                PendingBodyFault::Short { missing } if missing > 0 => {
                    body_out.with_fault(BodyFault::Short {
                        stop_at: total.saturating_sub(missing),
                        drained: 0,
                    })
                }
                PendingBodyFault::Short { .. } => body_out,
            };
            Response::from_parts(parts_out, body_out)
        }
    })
}

enum PendingBodyFault {
    Trickle { every: Duration },
    Stall { after: u64, stall: Duration },
    Reset { after: u64 },
    Short { missing: u64 },
}

enum FaultAnswer {
    Respond(Response<MockBody>),
    Delay(Duration),
    Body(PendingBodyFault),
    NoAnswer,
}

fn fault_answer(fault: Fault, parts: &http::request::Parts, ctx: &ConnCtx) -> FaultAnswer {
    let shared = &ctx.shared;
    match fault {
        Fault::Status(code) => {
            let status = status_or_500(code);
            let reason = status.canonical_reason().unwrap_or("Error");
            FaultAnswer::Respond(json_response(status, &pixiv_error_body("", reason, "")))
        }
        Fault::TooManyRequests { retry_after } => {
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                &pixiv_error_body("", "Rate Limit", ""),
            );
            let value = match retry_after {
                Some(RetryAfter::Seconds(s)) => Some(s.to_string()),
                Some(RetryAfter::Date(t)) => Some(httpdate::fmt_http_date(t)),
                None => None,
            };
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                r.headers_mut().insert(RETRY_AFTER, v);
            }
            FaultAnswer::Respond(r)
        }
        Fault::RateLimitBody => FaultAnswer::Respond(json_response(
            StatusCode::FORBIDDEN,
            &pixiv_error_body("", "Rate Limit", ""),
        )),
        Fault::InvalidGrant => FaultAnswer::Respond(json_response(
            StatusCode::BAD_REQUEST,
            &invalid_grant_api_body(),
        )),
        Fault::Restricted => FaultAnswer::Respond(json_response(
            StatusCode::FORBIDDEN,
            &pixiv_error_body("Your access is currently restricted.", "", ""),
        )),
        Fault::CloudflareChallenge => {
            let ray = lock(&shared.faults).ray_id();
            let html = cloudflare_page(&ray);
            let len = html.len();
            let mut r = Response::new(MockBody::full(html));
            *r.status_mut() = StatusCode::FORBIDDEN;
            let h = r.headers_mut();
            h.insert(SERVER, HeaderValue::from_static("cloudflare"));
            h.insert(
                HeaderName::from_static("cf-mitigated"),
                HeaderValue::from_static("challenge"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("{ray}-NRT")) {
                h.insert(HeaderName::from_static("cf-ray"), v);
            }
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=UTF-8"),
            );
            h.insert(CONTENT_LENGTH, HeaderValue::from(len));
            h.insert(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=0, no-store, no-cache, must-revalidate"),
            );
            FaultAnswer::Respond(r)
        }
        Fault::DelayHeaders(d) => FaultAnswer::Delay(d),
        Fault::StallBody { after, stall } => {
            FaultAnswer::Body(PendingBodyFault::Stall { after, stall })
        }
        Fault::Trickle { every } => FaultAnswer::Body(PendingBodyFault::Trickle { every }),
        Fault::ResetBody { after } => FaultAnswer::Body(PendingBodyFault::Reset { after }),
        Fault::ResetBeforeHeaders => FaultAnswer::NoAnswer,
        Fault::ShortBody { missing } => FaultAnswer::Body(PendingBodyFault::Short { missing }),
        Fault::Redirect { status, location } => {
            FaultAnswer::Respond(redirect(status_or_500(status), &location))
        }
        Fault::RedirectLoop => {
            let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            FaultAnswer::Respond(redirect(
                StatusCode::FOUND,
                &format!("{}{}", shared.base_url, target),
            ))
        }
        Fault::Raw {
            status,
            headers,
            body,
        } => {
            let len = body.len();
            let mut r = Response::new(MockBody::full(body));
            *r.status_mut() = status_or_500(status);
            let mut has_len = false;
            for (name, value) in headers {
                if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                    has_len |= n == CONTENT_LENGTH;
                    // A HeaderMap holds about 24,000 entries (`append` panics past it), and hyper
                    // adds its own (`date`, ..) with `entry`, which panics on a full map: stop
                    // well before.
                    if r.headers_mut().len() >= MAX_RAW_HEADERS
                        || r.headers_mut().try_append(n, v).is_err()
                    {
                        break;
                    }
                }
            }
            if !has_len {
                // A full map keeps its headers; hyper then frames the body by itself.
                let _ = r
                    .headers_mut()
                    .try_insert(CONTENT_LENGTH, HeaderValue::from(len));
            }
            FaultAnswer::Respond(r)
        }
    }
}

fn redirect(status: StatusCode, location: &str) -> Response<MockBody> {
    let mut r = Response::new(MockBody::empty());
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(LOCATION, v);
    }
    r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(0));
    r
}

fn cloudflare_page(ray: &str) -> Bytes {
    Bytes::from(format!(
        "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>\
<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head><body>\
<div class=\"main-wrapper\" role=\"main\"><div class=\"main-content\"><h1>app-api.pixiv.net</h1>\
<p>Checking if the site connection is secure</p></div></div>\
<script>(function(){{window._cf_chl_opt={{cvId: '3',cZone: \"app-api.pixiv.net\",cType: 'managed',cRay: '{ray}'}};}}());</script>\
</body></html>"
    ))
}

//! From the global options to the libraries' settings: a `TransportBuilder`'s and a
//! `pixiv::Client`. No behaviour of its own: every setting maps onto one library call.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pixiv::transport::retry::RetryPolicy;
use pixiv::transport::wait::WaitReason;
use pixiv::{Client, PixivError, ProxyConfig, TlsConfig, TransportBuilder};

use crate::access_cache;
use crate::cli::{Global, Net, Rate};
use crate::token_store::{self, Source};

/// The transport settings the options ask for (defaults are the libraries'), checked now and
/// applied to a builder by the returned closure: `settings::transport(net)?(Transport::builder())`
/// or `Client::builder().transport(settings::transport(net)?)`.
pub(crate) fn transport(
    net: &Net,
) -> Result<impl FnOnce(TransportBuilder) -> TransportBuilder + use<>, PixivError> {
    let proxy = proxy(net)?;
    let insecure = net.insecure;
    if insecure {
        eprintln!("warning: --insecure: server certificates are not checked");
    }
    let mut pems = Vec::new();
    for path in &net.ca_cert {
        let pem = std::fs::read(path).map_err(|e| PixivError::io(path, e))?;
        // Checked now, so a bad file is named in the error rather than found at build time.
        let _checked = TlsConfig::new().add_root_pem(&pem).map_err(|e| {
            PixivError::invalid_input(format!("CA certificate {}", path.display()), e.to_string())
        })?;
        pems.push(pem);
    }
    let timeout = net
        .timeout
        .map(|secs| {
            Duration::try_from_secs_f64(secs).map_err(|_| {
                PixivError::invalid_input("--timeout", "expected a positive number of seconds")
            })
        })
        .transpose()?;
    let retries = net.retries;
    let rate = net.rate_limit;
    #[cfg(feature = "bypass")]
    let (bypass, doh_url) = (net.bypass, net.doh_url.clone());
    Ok(move |mut t: TransportBuilder| {
        // A long wait is said on stderr, so a capped ten-minute Retry-After is not silent.
        t = t.proxy(proxy).on_wait(|event| {
            // A retry's wait has its own line, with the error (crate::logging).
            if matches!(event.reason, WaitReason::Backoff | WaitReason::RetryAfter) {
                return;
            }
            let d = event.duration;
            let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
            crate::logging::wait_line(&format!("waiting {secs} s: {}", event.reason));
        });
        t = t.on_retry(crate::logging::retry_line);
        #[cfg(feature = "bypass")]
        if bypass {
            t = t.route(pixiv::Route::Bypass);
            if !doh_url.is_empty() {
                t = t.doh_endpoints(doh_url);
            }
        }
        if insecure {
            t = t.tls(TlsConfig::new().danger_accept_invalid_certs(true));
        }
        for pem in pems {
            t = t.add_root_certificate_pem(pem);
        }
        if let Some(timeout) = timeout {
            t = t.timeout(timeout);
        }
        if let Some(retries) = retries {
            t = t.retry(RetryPolicy::new().max_retries(retries));
        }
        match rate {
            None => t,
            Some(Rate::Unlimited) => t.no_rate_limit(),
            Some(Rate::Limit { n, secs }) => t.rate_limit(n, Duration::from_secs_f64(secs)),
        }
    })
}

/// curl's rules: `--proxy` wins, else the environment, unless `--no-proxy`.
fn proxy(net: &Net) -> Result<ProxyConfig, PixivError> {
    if net.no_proxy {
        return Ok(ProxyConfig::none());
    }
    match &net.proxy {
        Some(url) => {
            // NO_PROXY still applies to an explicit proxy, as with curl.
            let no_proxy = ["NO_PROXY", "no_proxy"]
                .iter()
                .find_map(|k| std::env::var(k).ok())
                .unwrap_or_default();
            Ok(ProxyConfig::url(url)?.no_proxy(&no_proxy))
        }
        None => ProxyConfig::from_env(),
    }
}

/// A client for the configured servers, logged in with the stored (or environment's) refresh
/// token. A token Pixiv rotates is written back to the file it came from.
pub(crate) fn client(global: &Global) -> Result<Client, PixivError> {
    let (token, source) = token_store::load()
        // A keyring failure names no file.
        .map_err(
            |e| match token_store::token_path().filter(|_| !token_store::in_keyring()) {
                Some(p) => PixivError::io(p, e),
                None => PixivError::from(e),
            },
        )?
        .ok_or_else(|| {
            PixivError::invalid_input(
                "login",
                format!(
                    "not logged in: run `pixiv login` or set {}",
                    token_store::TOKEN_ENV
                ),
            )
        })?;
    let oauth = oauth_base(global).to_owned();
    let mut builder = client_builder(global)?.refresh_token(token.clone());
    // A cached access token of this account and server: no token call within its hour.
    let cached = access_cache::load(&token, &oauth);
    // `-vv` (docs/cli.md, "Verbosity and retries"); no token, no proxy credentials.
    tracing::trace!(
        api = api_base(global),
        oauth = %oauth,
        token_from = ?source,
        cached_access_token = cached.is_some(),
        "client settings"
    );
    if let Some(access) = cached {
        builder = builder.access_token(access);
    }
    // The refresh token the next run will load, which the cached access token is keyed on: a
    // rotated one when it is written back to the file, the environment's otherwise.
    let current = Arc::new(Mutex::new(token));
    let rotated = Arc::clone(&current);
    builder = builder.on_refresh_token(move |new| {
        if source == Source::Env {
            return;
        }
        match token_store::store_rotated(source, new) {
            Ok(_) => *rotated.lock().unwrap_or_else(PoisonError::into_inner) = new.to_owned(),
            Err(e) => tracing::warn!(error = %e, "could not store the rotated refresh token"),
        }
    });
    let client = builder.build()?;
    client
        .token_source()
        .set_on_access_token(move |access, lifetime| {
            let refresh = current
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            access_cache::store(&refresh, &oauth, access, lifetime);
        });
    Ok(client)
}

/// A client builder with the options' servers and transport settings (no token yet).
pub(crate) fn client_builder(global: &Global) -> Result<pixiv::ClientBuilder, PixivError> {
    let mut builder = Client::builder().transport(transport(&global.net)?);
    if global.net.rate_limit.is_some() {
        // `--rate-limit` is one budget for every request of the run, images included.
        builder = builder.shared_rate_limit();
    }
    if let Some(url) = &global.api_url {
        builder = builder.api_base(url);
    }
    if let Some(url) = &global.oauth_url {
        builder = builder.oauth_base(url);
    }
    if let Some(url) = &global.image_url {
        builder = builder.image_base(url);
    }
    Ok(builder)
}

/// The OAuth base in use.
pub(crate) fn oauth_base(global: &Global) -> &str {
    global
        .oauth_url
        .as_deref()
        .unwrap_or(pixiv::DEFAULT_OAUTH_BASE)
}

/// The App API base in use.
pub(crate) fn api_base(global: &Global) -> &str {
    global.api_url.as_deref().unwrap_or(pixiv::DEFAULT_API_BASE)
}

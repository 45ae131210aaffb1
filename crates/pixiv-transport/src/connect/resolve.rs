//! Name resolution: a small [`Resolve`] trait, the system resolver, and a fixed table.
//!
//! The connector asks the resolver only for host names; IP literals in a URL are used as they are.
//! A port in the answer is ignored unless it is 0, as in hyper-util: the URL's port wins.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use pixiv_transport::connect::{Resolve, StaticResolver};
//! let resolver = StaticResolver::new().with("app-api.pixiv.net", ["127.0.0.1".parse().unwrap()]);
//! let name = "app-api.pixiv.net".parse().unwrap();
//! let addrs = resolver.resolve(name).await.unwrap();
//! assert_eq!(addrs[0].ip().to_string(), "127.0.0.1");
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use hyper_util::client::legacy::connect::dns::GaiResolver;
pub use hyper_util::client::legacy::connect::dns::Name;
use tower_service::Service;

/// Resolves a host name to socket addresses (port 0 means "the URL's port").
pub trait Resolve: Send + Sync + 'static {
    /// Looks `name` up.
    fn resolve(&self, name: Name) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>>;
}

/// The operating system's resolver (`getaddrinfo` on a blocking thread, hyper-util's `GaiResolver`).
#[derive(Clone)]
pub struct SystemResolver {
    inner: GaiResolver,
}

impl SystemResolver {
    /// A resolver using `getaddrinfo`.
    pub fn new() -> Self {
        Self {
            inner: GaiResolver::new(),
        }
    }
}

impl Default for SystemResolver {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SystemResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SystemResolver")
    }
}

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> {
        let mut gai = self.inner.clone();
        Box::pin(async move { Ok(gai.call(name).await?.collect()) })
    }
}

/// A fixed host → addresses table; names not in it fail with `NotFound` (or go to a fallback).
///
/// Used by tests and by the SNI-bypass route (addresses found with DNS-over-HTTPS).
#[derive(Clone, Default)]
#[must_use]
pub struct StaticResolver {
    table: HashMap<String, Vec<IpAddr>>,
    fallback: Option<Arc<dyn Resolve>>,
}

impl StaticResolver {
    /// An empty table without fallback.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `host` (case-insensitive) to `ips`.
    pub fn with(mut self, host: &str, ips: impl IntoIterator<Item = IpAddr>) -> Self {
        self.table
            .insert(host.to_ascii_lowercase(), ips.into_iter().collect());
        self
    }

    /// Asks `fallback` for names not in the table.
    pub fn fallback<R: Resolve>(mut self, fallback: R) -> Self {
        self.fallback = Some(Arc::new(fallback));
        self
    }
}

impl fmt::Debug for StaticResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticResolver")
            .field("table", &self.table)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl Resolve for StaticResolver {
    fn resolve(&self, name: Name) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> {
        if let Some(ips) = self.table.get(&name.as_str().to_ascii_lowercase()) {
            let addrs = ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect();
            return Box::pin(async move { Ok(addrs) });
        }
        match &self.fallback {
            Some(fallback) => fallback.resolve(name),
            None => Box::pin(async move {
                Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{name} is not in the static resolver's table"),
                ))
            }),
        }
    }
}

/// Adapts an `Arc<dyn Resolve>` to hyper-util's resolver interface (`Service<Name>`).
#[derive(Clone)]
pub(crate) struct DynResolver(pub(crate) Arc<dyn Resolve>);

impl Service<Name> for DynResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = BoxFuture<'static, io::Result<Self::Response>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        // Read here, inside the connect's task-local scope (see `address::scope`).
        let from_public = super::address::from_public_now();
        let host = name.as_str().to_owned();
        let fut = self.0.resolve(name);
        Box::pin(async move {
            let addrs = fut.await?;
            // Any refused address refuses the host: a name answering both a public and a
            // metadata address must not get a second chance at the latter.
            for addr in &addrs {
                super::address::check(&host, addr.ip(), from_public).map_err(io::Error::other)?;
            }
            Ok(addrs.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn static_table_and_fallback() {
        let inner = StaticResolver::new().with("b.example", ["10.0.0.2".parse().unwrap()]);
        let r = StaticResolver::new()
            .with("A.example", ["10.0.0.1".parse().unwrap()])
            .fallback(inner);
        let a = r.resolve("a.example".parse().unwrap()).await.unwrap();
        assert_eq!(a, vec!["10.0.0.1:0".parse().unwrap()]);
        let b = r.resolve("b.example".parse().unwrap()).await.unwrap();
        assert_eq!(b, vec!["10.0.0.2:0".parse().unwrap()]);
        let c = r.resolve("c.example".parse().unwrap()).await.unwrap_err();
        assert_eq!(c.kind(), io::ErrorKind::NotFound);
    }
}

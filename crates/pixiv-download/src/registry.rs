//! The download registry: the targets a [`Downloader`](crate::Downloader) and its clones are
//! downloading, so two of their calls never share a `.part`. Owned by the downloader (clones
//! share it), not global to the process: two independent downloaders are kept apart by the
//! cross-process lock (`lock.rs`) like two processes are.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// The targets being downloaded, by normalised path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Registry(Arc<Mutex<BTreeSet<PathBuf>>>);

impl Registry {
    /// Claims `key`: `None` when another call holds it.
    pub(crate) fn claim(&self, key: PathBuf) -> Option<Claim> {
        let fresh = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone());
        // Built only when claimed: a `Claim` dropped here would release the other call's claim
        // (and, under the lock, deadlock).
        fresh.then(|| Claim {
            registry: Arc::clone(&self.0),
            key,
        })
    }
}

/// One target claimed in a [`Registry`]; released on drop.
pub(crate) struct Claim {
    registry: Arc<Mutex<BTreeSet<PathBuf>>>,
    key: PathBuf,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_refused_while_held_and_free_once_dropped_and_registries_are_apart() {
        let registry = Registry::default();
        let clone = registry.clone();
        let first = registry.claim("/d/a.png".into()).unwrap();
        assert!(clone.claim("/d/a.png".into()).is_none(), "clones share it");
        assert!(Registry::default().claim("/d/a.png".into()).is_some());
        drop(first);
        assert!(clone.claim("/d/a.png".into()).is_some());
    }
}

//! The set of known secrets is bounded and forgets the oldest first. In its own test binary (its
//! own process): flooding the process-wide set would make other tests' secrets forgotten.

use pixiv_errors::redact::{MAX_KNOWN_SECRETS, remember_secret, scrub_known_secrets};

#[test]
fn the_set_is_bounded_and_forgets_the_oldest() {
    let first = "bounded-first-value";
    remember_secret(first);
    assert_eq!(scrub_known_secrets(first), "<redacted>");
    for i in 0..MAX_KNOWN_SECRETS {
        remember_secret(&format!("bounded-filler-{i:04}"));
    }
    assert_eq!(scrub_known_secrets(first), first);
    let last = format!("bounded-filler-{:04}", MAX_KNOWN_SECRETS - 1);
    assert_eq!(scrub_known_secrets(&last), "<redacted>");
}

//! Cross-crate integration tests for pixiv-rs live in `tests/`; this library is empty on purpose.

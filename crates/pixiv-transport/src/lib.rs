//! The pixiv-rs HTTP client (skeleton, being written).

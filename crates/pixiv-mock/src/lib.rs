//! A local Pixiv-compatible server (skeleton, being written).

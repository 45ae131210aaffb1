//! Downloads for pixiv-rs (being written): the seed's naming rules, atomic writes, resume with
//! Range/If-Range, bounded batches with progress events.

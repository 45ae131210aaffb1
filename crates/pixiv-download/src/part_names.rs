//! The names of a download's temporary files: `NAME.part` and its resume record `NAME.part.meta`
//! beside the target, shortened (and made unique by a hash) when the name is too long for the
//! suffixes.

use std::path::{Path, PathBuf};

/// Suffix of the temporary file beside the target.
pub(crate) const PART_SUFFIX: &str = ".part";
/// Suffix of its sidecar.
pub(crate) const META_SUFFIX: &str = ".part.meta";

/// The `.part` and `.part.meta` paths beside `target`. A name too long to take the suffixes is
/// shortened and made unique by a hash of the whole name.
pub(crate) fn temp_paths(target: &Path) -> (PathBuf, PathBuf) {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = if name.len() + META_SUFFIX.len() <= crate::target::MAX_NAME_LEN {
        name
    } else {
        let hash = fnv1a(name.as_bytes());
        let mut keep = crate::target::MAX_NAME_LEN - META_SUFFIX.len() - 17;
        while !name.is_char_boundary(keep) {
            keep -= 1;
        }
        format!("{}.{hash:016x}", &name[..keep])
    };
    (
        target.with_file_name(format!("{base}{PART_SUFFIX}")),
        target.with_file_name(format!("{base}{META_SUFFIX}")),
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_fit_the_name_limit() {
        let (p, m) = temp_paths(Path::new("/d/a.png"));
        assert_eq!(p, Path::new("/d/a.png.part"));
        assert_eq!(m, Path::new("/d/a.png.part.meta"));
        let long = "猫".repeat(85); // 255 bytes
        let (p, m) = temp_paths(&Path::new("/d").join(&long));
        let pn = p.file_name().unwrap().to_str().unwrap();
        let mn = m.file_name().unwrap().to_str().unwrap();
        assert!(mn.len() <= crate::target::MAX_NAME_LEN, "{}", mn.len());
        assert!(pn.ends_with(".part") && mn.ends_with(".part.meta"));
        let (p2, _) = temp_paths(&Path::new("/d").join(format!("{}x", &long[..252])));
        assert_ne!(p, p2);
    }

    #[test]
    fn the_hash_is_the_standard_64_bit_fnv_1a() {
        // The published FNV-1a test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn only_names_too_long_for_the_suffix_are_shortened_and_they_use_the_whole_limit() {
        // 245 bytes + `.part.meta` is exactly 255: kept as it is.
        let fits = "a".repeat(crate::target::MAX_NAME_LEN - META_SUFFIX.len());
        let (p, m) = temp_paths(&Path::new("/d").join(&fits));
        assert_eq!(p, Path::new("/d").join(format!("{fits}.part")));
        assert_eq!(m, Path::new("/d").join(format!("{fits}.part.meta")));
        // One byte more: shortened, to exactly 255 bytes with the hash.
        let (_, m) = temp_paths(&Path::new("/d").join(format!("{fits}a")));
        let mn = m.file_name().unwrap().to_str().unwrap();
        assert_eq!(mn.len(), crate::target::MAX_NAME_LEN);
        // A cut that falls inside a character moves back to its start, never past the limit.
        let mixed = format!("a{}", "猫".repeat(84)); // 253 bytes; the cut at 228 is mid-char
        let (_, m) = temp_paths(&Path::new("/d").join(&mixed));
        let mn = m.file_name().unwrap().to_str().unwrap();
        assert!(mn.len() <= crate::target::MAX_NAME_LEN, "{}", mn.len());
        assert!(mn.starts_with(&mixed[..226]), "{mn}");
    }
}

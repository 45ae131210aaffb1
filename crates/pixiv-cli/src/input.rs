//! The items of `pixiv download`: the command line's, then every `--input` file's lines (`-` is
//! stdin), read lazily on a thread of their own through a bounded queue, so a file of a million
//! lines starts downloading at once and takes no more memory than a short one (docs/cli.md,
//! "Reading --input").

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::CliError;
use crate::display_text::cut;

/// Lines read ahead of the downloads at most.
pub(crate) const QUEUE_LINES: usize = 1024;

/// The longest line taken as an item (a URL is far shorter); a longer one is an error that
/// shows its start.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// One thing to download, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Item {
    /// An image URL: no login needed.
    Url(String),
    /// A work: every original page.
    Illust(u64),
}

/// A line of an input that is not an item: what to call it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadLine {
    /// `FILE line N`.
    pub(crate) at: String,
    /// Why, with the line cut to a readable length.
    pub(crate) why: String,
}

/// `1234`, `https://www.pixiv.net/artworks/1234` (any language prefix) or an image URL; the
/// error shows `text` cut to a readable length.
pub(crate) fn parse_item(text: &str) -> Result<Item, String> {
    match crate::source::parse(text) {
        Ok(crate::source::Source::Work(id)) => Ok(Item::Illust(id)),
        Ok(crate::source::Source::File(url)) => Ok(Item::Url(url)),
        // Collections are walked by the queue (selection, archive, one queue across works),
        // which takes them from the command line.
        Ok(other) => Err(format!(
            "{}: collections (users, bookmarks, rankings, searches, series) are given as \
             arguments, not in --input",
            cut(&other.label())
        )),
        Err(CliError::Usage(why)) => Err(why),
        Err(CliError::Pixiv { error, .. }) => Err(error.to_string()),
        Err(CliError::Stopped(_)) => Err("stopped".to_owned()),
    }
}

/// An opened `--input`.
pub(crate) enum Input {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf, File),
}

/// Opens every `--input` now, so a missing file is a usage error before any request.
pub(crate) fn open_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, CliError> {
    paths
        .iter()
        .map(|path| {
            if path == Path::new("-") {
                return Ok(Input::Stdin);
            }
            let file = File::open(path).map_err(|e| {
                CliError::Usage(format!(
                    "--input {}: {}",
                    cut(&path.display().to_string()),
                    e
                ))
            })?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(CliError::Usage(format!(
                    "--input {}: is a folder, not a file",
                    cut(&path.display().to_string())
                )));
            }
            Ok(Input::File(path.clone(), file))
        })
        .collect()
}

/// Starts the reader thread: every line of `inputs`, parsed, into the returned queue. It stops
/// when the queue is dropped; a read error is sent as the last entry.
pub(crate) fn read_lazily(inputs: Vec<Input>) -> mpsc::Receiver<Result<Item, BadLine>> {
    let (tx, rx) = mpsc::channel(QUEUE_LINES);
    // A plain thread: a blocking-pool task would keep the runtime waiting at exit while it
    // blocks on stdin.
    let spawned = std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            for input in inputs {
                let sent = match input {
                    Input::Stdin => send_lines("stdin", io::stdin().lock(), &tx),
                    Input::File(path, file) => {
                        send_lines(&path.display().to_string(), BufReader::new(file), &tx)
                    }
                };
                if !sent {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start the input reader");
    }
    rx
}

/// Sends the items of one input; `false` once the queue is gone or the input failed.
fn send_lines(
    name: &str,
    mut reader: impl BufRead,
    tx: &mpsc::Sender<Result<Item, BadLine>>,
) -> bool {
    let mut line = Vec::new();
    for number in 1_u64.. {
        line.clear();
        let at = || format!("{} line {number}", cut(name));
        let entry = match read_line(&mut reader, &mut line) {
            Ok(None) => return true,
            Ok(Some(len)) if len > line.len() => Err(BadLine {
                at: at(),
                // The length first: the error's own echo cut (200 characters) keeps it.
                why: format!(
                    "too long to be an item ({len} bytes; at most {MAX_LINE}): {}",
                    cut(&format!("{:?}", String::from_utf8_lossy(&line)))
                ),
            }),
            Ok(Some(_)) => match std::str::from_utf8(&line) {
                Err(_) => Err(BadLine {
                    at: at(),
                    why: "not UTF-8 text".to_owned(),
                }),
                Ok(text) => {
                    let text = text.trim();
                    if text.is_empty() || text.starts_with('#') {
                        continue;
                    }
                    parse_item(text).map_err(|why| BadLine { at: at(), why })
                }
            },
            Err(e) => {
                let _ = tx.blocking_send(Err(BadLine {
                    at: cut(name),
                    why: format!("could not read: {e}"),
                }));
                return false;
            }
        };
        if tx.blocking_send(entry).is_err() {
            return false;
        }
    }
    true
}

/// Reads one line (without its `\n`) into `line`, keeping at most [`MAX_LINE`] bytes of it;
/// the line's whole length, or `None` at the end of the input.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<usize>> {
    let mut len = 0;
    loop {
        let (done, used) = {
            let buf = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok((len > 0).then_some(len));
            }
            let (part, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            let room = MAX_LINE.saturating_sub(line.len());
            line.extend_from_slice(&part[..part.len().min(room)]);
            len += part.len();
            (done.is_some(), done.unwrap_or(buf.len()))
        };
        reader.consume(used);
        if done {
            return Ok(Some(len));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_ids_work_pages_or_urls() {
        assert_eq!(parse_item("12").unwrap(), Item::Illust(12));
        assert_eq!(
            parse_item("https://www.pixiv.net/en/artworks/34").unwrap(),
            Item::Illust(34)
        );
        assert_eq!(
            parse_item("https://i.pximg.net/a/1_p0.png").unwrap(),
            Item::Url("https://i.pximg.net/a/1_p0.png".into())
        );
        assert!(parse_item("nonsense").is_err());
        assert!(parse_item("ftp://x/y").is_err());
    }

    #[test]
    fn long_lines_are_cut_and_measured() {
        let text = format!("a\n{}\nb", "x".repeat(MAX_LINE * 3));
        let mut reader = io::Cursor::new(text.into_bytes());
        let mut line = Vec::new();
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(1));
        line.clear();
        assert_eq!(
            read_line(&mut reader, &mut line).unwrap(),
            Some(MAX_LINE * 3)
        );
        assert_eq!(line.len(), MAX_LINE);
        line.clear();
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(1));
        line.clear();
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), None);
    }
}

//! Where the bytes of a transfer go: a `.part` file beside the target, a caller's writer, or
//! memory. One trait so the attempt loop (`transfer.rs`) is written once.

use std::future::Future;

use bytes::BytesMut;
use pixiv_errors::PixivError;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

/// What an answer said about the file: its size and its validators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The whole file's size (Content-Length of a 200, the total of a 206's Content-Range).
    pub(crate) total: Option<u64>,
    /// A strong ETag (a weak one cannot be used in `If-Range`).
    pub(crate) etag: Option<String>,
    /// `Last-Modified`, as sent.
    pub(crate) last_modified: Option<String>,
}

impl Answer {
    /// The `If-Range` value a resume sends: the strong ETag, else Last-Modified.
    pub(crate) fn if_range(&self) -> Option<&str> {
        self.etag.as_deref().or(self.last_modified.as_deref())
    }
}

/// Where a retry can pick up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    /// Bytes already held: the `Range: bytes=N-` start.
    pub(crate) offset: u64,
    /// The `If-Range` value.
    pub(crate) if_range: String,
    /// The whole size the held bytes belong to.
    pub(crate) total: u64,
}

/// A destination for one transfer's bytes.
pub(crate) trait Sink: Send {
    /// Where a new attempt can resume, if anywhere.
    fn resume_point(&mut self) -> impl Future<Output = Option<Resume>> + Send;
    /// An answer arrived whose body starts at `start` (0: start over).
    fn begin(
        &mut self,
        start: u64,
        answer: &Answer,
    ) -> impl Future<Output = Result<(), PixivError>> + Send;
    /// The next bytes.
    fn write(&mut self, data: &[u8]) -> impl Future<Output = Result<(), PixivError>> + Send;
    /// The transfer broke off: make the bytes held so far visible to [`resume_point`](Self::resume_point).
    fn pause(&mut self) -> impl Future<Output = Result<(), PixivError>> + Send;
    /// The body is complete: make it durable.
    fn finish(&mut self) -> impl Future<Output = Result<(), PixivError>> + Send;
    /// Forget every byte held (the server cannot continue them).
    fn discard(&mut self) -> impl Future<Output = Result<(), PixivError>> + Send;
}

/// The resume state of the in-memory sinks.
#[derive(Debug, Default)]
struct Held {
    written: u64,
    answer: Answer,
}

impl Held {
    fn resume_point(&self) -> Option<Resume> {
        let total = self.answer.total?;
        let if_range = self.answer.if_range()?.to_owned();
        (self.written > 0 && self.written < total).then_some(Resume {
            offset: self.written,
            if_range,
            total,
        })
    }
}

fn cannot_rewind() -> PixivError {
    PixivError::decode(
        "the server sent the file from its start again (it changed, or cannot resume), and the \
         bytes already written to the caller's writer cannot be taken back",
        &[],
    )
}

/// [`Downloader::download_to_writer`](crate::Downloader::download_to_writer): a caller's writer,
/// which cannot be rewound, so a resume must continue exactly where it stopped.
pub(crate) struct WriterSink<'a, W> {
    writer: &'a mut W,
    held: Held,
}

impl<'a, W> WriterSink<'a, W> {
    pub(crate) fn new(writer: &'a mut W) -> Self {
        Self {
            writer,
            held: Held::default(),
        }
    }

    pub(crate) fn written(&self) -> u64 {
        self.held.written
    }
}

fn writer_error(e: std::io::Error) -> PixivError {
    PixivError::from(e)
}

impl<W: AsyncWrite + Unpin + Send> Sink for WriterSink<'_, W> {
    async fn resume_point(&mut self) -> Option<Resume> {
        self.held.resume_point()
    }

    async fn begin(&mut self, start: u64, answer: &Answer) -> Result<(), PixivError> {
        if start != self.held.written {
            return Err(cannot_rewind());
        }
        self.held.answer = answer.clone();
        Ok(())
    }

    async fn write(&mut self, data: &[u8]) -> Result<(), PixivError> {
        self.writer.write_all(data).await.map_err(writer_error)?;
        self.held.written += data.len() as u64;
        Ok(())
    }

    async fn pause(&mut self) -> Result<(), PixivError> {
        self.writer.flush().await.map_err(writer_error)
    }

    async fn finish(&mut self) -> Result<(), PixivError> {
        self.writer.flush().await.map_err(writer_error)
    }

    async fn discard(&mut self) -> Result<(), PixivError> {
        if self.held.written > 0 {
            return Err(cannot_rewind());
        }
        Ok(())
    }
}

/// [`Downloader::download_bytes`](crate::Downloader::download_bytes): memory, capped.
pub(crate) struct MemorySink {
    buf: BytesMut,
    limit: u64,
    held: Held,
}

impl MemorySink {
    pub(crate) fn new(limit: u64) -> Self {
        Self {
            buf: BytesMut::new(),
            limit,
            held: Held::default(),
        }
    }

    pub(crate) fn into_bytes(self) -> bytes::Bytes {
        self.buf.freeze()
    }
}

impl Sink for MemorySink {
    async fn resume_point(&mut self) -> Option<Resume> {
        self.held.resume_point()
    }

    async fn begin(&mut self, start: u64, answer: &Answer) -> Result<(), PixivError> {
        if answer.total.is_some_and(|t| t > self.limit) {
            return Err(PixivError::body_too_large(self.limit));
        }
        if start == 0 {
            self.buf.clear();
            self.held.written = 0;
        } else if start != self.held.written {
            return Err(cannot_rewind());
        }
        if let Some(total) = answer.total {
            // Bounded by `limit` just above.
            self.buf
                .reserve(usize::try_from(total - start).unwrap_or(0));
        }
        self.held.answer = answer.clone();
        Ok(())
    }

    async fn write(&mut self, data: &[u8]) -> Result<(), PixivError> {
        if self.held.written + data.len() as u64 > self.limit {
            return Err(PixivError::body_too_large(self.limit));
        }
        self.buf.extend_from_slice(data);
        self.held.written += data.len() as u64;
        Ok(())
    }

    async fn pause(&mut self) -> Result<(), PixivError> {
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), PixivError> {
        Ok(())
    }

    async fn discard(&mut self) -> Result<(), PixivError> {
        self.buf.clear();
        self.held.written = 0;
        Ok(())
    }
}

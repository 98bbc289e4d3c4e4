//! Where output goes: standard output, or a file replaced atomically (a
//! temporary file in the same directory, then rename) so that a reader such
//! as node_exporter's textfile collector never sees half a file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A write that failed, and where.
#[derive(Debug)]
pub struct WriteError(pub String, pub io::Error);

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.0, self.1)
    }
}

/// What became of a write that did not fail.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sent {
    Written,
    /// The reader went away (`| head`): not an error, but nobody reads any more.
    ReaderGone,
}

/// Writes `text` to standard output. A reader that went away is not an
/// error; anything else (a full disk) is.
pub fn stdout(text: &str) -> Result<Sent, WriteError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(Sent::Written),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Sent::ReaderGone),
        Err(e) => Err(WriteError("standard output".into(), e)),
    }
}

/// Replaces `path` with `text`: readers see the old file or the new one, whole.
pub fn file(path: &Path, text: &str) -> Result<Sent, WriteError> {
    let fail = |e| WriteError(path.display().to_string(), e);
    let tmp = temporary_name(path).ok_or_else(|| fail(io::ErrorKind::InvalidInput.into()))?;
    let written = write_new(&tmp, text).and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map(|()| Sent::Written).map_err(fail)
}

/// `.NAME.tmp.PID` next to `path`: hidden, and not `*.prom` (node_exporter skips it).
fn temporary_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy();
    Some(path.with_file_name(format!(".{name}.tmp.{}", std::process::id())))
}

fn write_new(tmp: &Path, text: &str) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o644).open(tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

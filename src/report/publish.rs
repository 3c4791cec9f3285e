//! Publishing output files safely: an output-directory lock, temporary files that never
//! follow a planted symlink, and a directory published as one unit.
//!
//! * [`OutputLock::acquire`] takes an advisory lock (`flock`, released by the kernel when
//!   the process dies, so a lock left by a killed run is taken over without asking) on
//!   `<parent>/.<name>.lock` beside the output directory `<parent>/<name>`. The lock file
//!   records the holder's pid, host, command line and start time, so a second run is told
//!   who holds the directory ([`PublishError::Locked`], an exit-2 error). The lock lives
//!   beside the directory, not in it, because publishing replaces the directory.
//! * [`write_file`] and [`temp_file_beside`] create temporaries with unique names and
//!   `O_CREAT | O_EXCL` (a symlink or any file at that name makes the creation fail and
//!   another name is drawn; nothing is ever opened through a link), then rename them into
//!   place.
//! * [`Publisher`] writes a run's files into a fresh staging directory
//!   `<parent>/.<name>.stage-XXXXXX` and swaps it in on [`Publisher::commit`]; dropped
//!   without a commit (an error on the way), it removes the staging directory.
//!
//! # What a crash at each step of a commit leaves, and how the next run recovers
//!
//! | step | before it completes, `<name>` holds | hidden leftovers |
//! |------|--------------------------------------|------------------|
//! | 1. sync the staged files | the old set | `.<name>.stage-*` |
//! | 2. rename `<name>` to `.<name>.old-*` | the old set | `.<name>.stage-*` |
//! | 3. rename the stage to `<name>` | nothing (the old set is in `.<name>.old-*`) | both |
//! | 4. remove `.<name>.old-*` | the new set | `.<name>.old-*` |
//!
//! A reader never sees a mixture of two runs: the directory is either the complete old
//! set or the complete new one (or, for the instant between steps 2 and 3, absent). The
//! next [`Publisher::begin`] (under the lock) runs [`recover`]: when `<name>` is missing
//! and an `.<name>.old-*` exists, the old set is renamed back; every other staging or old
//! directory of `<name>` is removed. A commit that fails with an error (rather than a
//! crash) undoes itself at once: the staging directory is removed and the old set put back.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tempfile::{NamedTempFile, TempDir};

/// What went wrong while locking or publishing an output directory.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Another process holds the output directory's lock.
    #[error(
        "{} is in use by another ccsim run ({holder}); wait for it to finish or choose another output directory",
        dir.display()
    )]
    Locked {
        /// The output directory.
        dir: PathBuf,
        /// Who holds it, as recorded in the lock file.
        holder: String,
    },
    /// A file-system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "cannot rename".
        action: &'static str,
        /// The file or directory it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl PublishError {
    /// The process exit code this error calls for: 2 (do not retry as is) for a locked
    /// directory, 1 for an I/O failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            PublishError::Locked { .. } => 2,
            PublishError::Io { .. } => 1,
        }
    }
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> PublishError + use<> {
    let path = path.to_path_buf();
    move |source| PublishError::Io {
        action,
        path,
        source,
    }
}

/// `dir` as (parent, name); the parent of a bare name is `.`.
fn split_dir(dir: &Path) -> Result<(PathBuf, OsString), PublishError> {
    if let Some(name) = dir.file_name() {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return Ok((parent.to_path_buf(), name.to_os_string()));
    }
    // `.`, `..` or a path ending in them: name the directory itself.
    let abs = fs::canonicalize(dir).map_err(io_err("cannot resolve", dir))?;
    match (abs.parent(), abs.file_name()) {
        (Some(p), Some(n)) => Ok((p.to_path_buf(), n.to_os_string())),
        _ => Err(PublishError::Io {
            action: "cannot publish into",
            path: dir.to_path_buf(),
            source: io::Error::other("the root directory has no parent to stage in"),
        }),
    }
}

/// `.<name><tail>` as an OS string.
fn hidden(name: &OsStr, tail: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(tail);
    s
}

// ---------------------------------------------------------------------------------------
// The output-directory lock
// ---------------------------------------------------------------------------------------

/// An exclusive, advisory lock on an output directory, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    file: File,
    lock_path: PathBuf,
    dir: PathBuf,
}

impl OutputLock {
    /// Locks `dir` for this process, recording the process's command line; creates the
    /// directory's parent if needed (not the directory itself).
    ///
    /// # Errors
    ///
    /// [`PublishError::Locked`] naming the holder when another process holds it; an I/O
    /// error when the lock file cannot be created (a symlink at its name is refused).
    pub fn acquire(dir: &Path) -> Result<OutputLock, PublishError> {
        let command: Vec<String> = std::env::args().collect();
        Self::acquire_for(dir, &command.join(" "))
    }

    /// [`OutputLock::acquire`] recording `command` as the holder's command line.
    ///
    /// # Errors
    ///
    /// As [`OutputLock::acquire`].
    pub fn acquire_for(dir: &Path, command: &str) -> Result<OutputLock, PublishError> {
        let (parent, name) = split_dir(dir)?;
        fs::create_dir_all(&parent).map_err(io_err("cannot create directory", &parent))?;
        let lock_path = parent.join(hidden(&name, ".lock"));
        let mut attempts = 0;
        let mut file = loop {
            attempts += 1;
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o666)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&lock_path)
                .map_err(io_err("cannot open the lock file", &lock_path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(PublishError::Locked {
                        dir: dir.to_path_buf(),
                        holder: describe_holder(&text),
                    });
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(io_err("cannot lock", &lock_path)(e));
                }
            }
            // The previous holder removes the file when it lets go: make sure the lock we
            // hold is on the file that is at the path now, else start again.
            let ours = file.metadata().map_err(io_err("cannot stat", &lock_path))?;
            match fs::symlink_metadata(&lock_path) {
                Ok(m) if m.dev() == ours.dev() && m.ino() == ours.ino() => break file,
                _ if attempts < 100 => continue,
                _ => {
                    return Err(io_err("cannot lock", &lock_path)(io::Error::other(
                        "the lock file keeps being replaced",
                    )));
                }
            }
        };
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let record = format!(
            "pid={}\nhost={}\nstarted_unix={started}\ncommand={}\n",
            std::process::id(),
            host_name(),
            command.replace('\n', " ")
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(record.as_bytes()))
            .map_err(io_err("cannot write", &lock_path))?;
        Ok(OutputLock {
            file,
            lock_path,
            dir: dir.to_path_buf(),
        })
    }

    /// The locked output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The lock file, `<parent>/.<name>.lock`.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock (a waiter that opened it sees a
        // different or no file at the path and starts again); closing the file unlocks.
        if let (Ok(ours), Ok(now)) = (self.file.metadata(), fs::symlink_metadata(&self.lock_path))
            && ours.dev() == now.dev()
            && ours.ino() == now.ino()
        {
            let _ = fs::remove_file(&self.lock_path);
        }
    }
}

/// What a command does before it simulates: checks that the output directory `dir` and
/// its parent (where the staging directory goes) can be written — bad input naming the
/// directory otherwise ([`crate::report::check_writable`]) — and locks `dir` for this
/// process ([`OutputLock::acquire`]; a directory held by another run is an exit-2 error
/// naming the holder).
///
/// # Errors
///
/// As above; an I/O error when the lock file cannot be created.
pub fn lock_output(dir: &Path) -> crate::Result<OutputLock> {
    crate::report::check_writable(dir)?;
    let (parent, _) = split_dir(dir)?;
    crate::report::check_writable(&parent)?;
    Ok(OutputLock::acquire(dir)?)
}

/// The host name, or `?` when it cannot be read.
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for writes of its length; gethostname NUL-terminates
    // within it on success (a truncated name is cut at the first NUL we find).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "?".to_string();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// A readable account of a lock file's record.
fn describe_holder(text: &str) -> String {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let Some(pid) = field("pid") else {
        return "held by a process that has not recorded itself yet".to_string();
    };
    let mut s = format!("held by pid {pid}");
    if let Some(host) = field("host") {
        s += &format!(" on host {host}");
    }
    if let Some(started) = field("started_unix").and_then(|v| v.parse::<u64>().ok()) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(started, |d| d.as_secs());
        s += &format!(", started {} s ago", now.saturating_sub(started));
    }
    if let Some(cmd) = field("command") {
        s += &format!(", running `{cmd}`");
    }
    s
}

// ---------------------------------------------------------------------------------------
// Temporary files
// ---------------------------------------------------------------------------------------

/// A new, empty temporary file in `target`'s directory, named `.<target name>.XXXXXX.tmp`
/// with a random part, created with `O_EXCL` (never through a symlink) and the usual
/// permissions (0666 less the umask). [`NamedTempFile::persist`] renames it to `target`;
/// dropped, it is removed.
///
/// # Errors
///
/// When the directory cannot be created or written.
pub fn temp_file_beside(target: &Path) -> io::Result<NamedTempFile> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = target.file_name().unwrap_or(OsStr::new("file"));
    super::temp_file_in(dir, &hidden(name, "."), ".tmp")
}

/// Writes `bytes` to `path` whole or not at all: a fresh temporary file beside it
/// ([`temp_file_beside`]), then a rename. A symlink at `path` itself is replaced, not
/// followed.
///
/// # Errors
///
/// When the file cannot be written or renamed (the temporary file is then removed).
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = temp_file_beside(path)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Publishing a directory as one unit
// ---------------------------------------------------------------------------------------

/// A step of [`Publisher::commit`], for fault tests.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Flushing the staged files and directories to disk.
    Sync,
    /// Renaming the current directory to `.<name>.old-*`.
    MoveOldAway,
    /// Renaming the staging directory to the output directory.
    MoveNewIn,
    /// Removing `.<name>.old-*`.
    RemoveOld,
}

/// A fault injected into [`Publisher::commit_with`], for fault tests.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No fault: an ordinary commit.
    None,
    /// The step fails with an I/O error (the commit then undoes itself).
    Error(Step),
    /// The process dies just before the step: nothing is undone, the staging directory
    /// stays; the commit returns an error saying so.
    Crash(Step),
}

/// The files of one run being written, to be published together; see the module doc.
///
/// ```no_run
/// # use ccsim::report::publish::{OutputLock, Publisher, PublishError};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let lock = OutputLock::acquire(std::path::Path::new("out/example"))?;
/// let stage = Publisher::begin(&lock)?;
/// stage.write("summary.csv", b"skill,metric\n")?;
/// stage.commit()?; // out/example now holds exactly the staged files
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Publisher<'l> {
    lock: &'l OutputLock,
    parent: PathBuf,
    name: OsString,
    stage: TempDir,
}

impl<'l> Publisher<'l> {
    /// Recovers what an interrupted earlier commit left ([`recover`]) and creates an
    /// empty staging directory for the locked output directory.
    ///
    /// # Errors
    ///
    /// When the recovery or the creation of the staging directory fails.
    pub fn begin(lock: &'l OutputLock) -> Result<Publisher<'l>, PublishError> {
        recover(lock)?;
        let (parent, name) = split_dir(lock.dir())?;
        let stage = tempfile::Builder::new()
            .prefix(&hidden(&name, ".stage-"))
            .rand_bytes(6)
            .permissions(fs::Permissions::from_mode(0o777))
            .tempdir_in(&parent)
            .map_err(io_err("cannot create a staging directory in", &parent))?;
        Ok(Publisher {
            lock,
            parent,
            name,
            stage,
        })
    }

    /// The staging directory: write the run's files here.
    pub fn path(&self) -> &Path {
        self.stage.path()
    }

    /// Writes `bytes` to `relative` inside the staging directory (creating directories).
    ///
    /// # Errors
    ///
    /// When the file cannot be written, naming it.
    pub fn write(&self, relative: impl AsRef<Path>, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.stage.path().join(relative);
        write_file(&path, bytes).map_err(io_err("cannot write", &path))
    }

    /// Replaces the output directory by the staged files as one unit (see the module doc).
    ///
    /// # Errors
    ///
    /// When a step fails; the output directory then holds the complete old set and the
    /// staging directory is removed.
    pub fn commit(self) -> Result<(), PublishError> {
        self.commit_with(Fault::None)
    }

    /// [`Publisher::commit`] with an injected fault, for fault tests.
    #[doc(hidden)]
    pub fn commit_with(self, fault: Fault) -> Result<(), PublishError> {
        let target = self.lock.dir().to_path_buf();
        let gate = |step: Step| -> Result<bool, io::Error> {
            match fault {
                Fault::Error(s) if s == step => {
                    Err(io::Error::other(format!("simulated failure at {step:?}")))
                }
                Fault::Crash(s) => Ok(s == step),
                _ => Ok(false),
            }
        };
        let crashed = |step: Step| PublishError::Io {
            action: "simulated crash before",
            path: target.clone(),
            source: io::Error::other(format!("{step:?}")),
        };
        let stage_path = self.stage.path().to_path_buf();

        // 1. Flush the staged tree, so that a power cut after the renames cannot expose
        //    files whose data never reached the disk.
        if gate(Step::Sync).map_err(io_err("cannot sync", &stage_path))? {
            let _ = self.stage.keep();
            return Err(crashed(Step::Sync));
        }
        sync_tree(&stage_path).map_err(io_err("cannot sync", &stage_path))?;

        // 2. Move the current directory out of the way (onto an empty, uniquely named
        //    directory, which rename replaces atomically).
        if gate(Step::MoveOldAway).map_err(io_err("cannot move aside", &target))? {
            let _ = self.stage.keep();
            return Err(crashed(Step::MoveOldAway));
        }
        let old = match fs::symlink_metadata(&target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err("cannot stat", &target)(e)),
            Ok(_) => {
                let old = tempfile::Builder::new()
                    .prefix(&hidden(&self.name, ".old-"))
                    .rand_bytes(6)
                    .tempdir_in(&self.parent)
                    .map_err(io_err("cannot create a directory in", &self.parent))?;
                if let Err(e) = fs::rename(&target, old.path()) {
                    return Err(io_err("cannot move aside", &target)(e));
                }
                Some(old.keep())
            }
        };

        // 3. Move the staged set into place; on failure put the old set back.
        let moved = gate(Step::MoveNewIn).and_then(|crash| {
            if !crash {
                fs::rename(&stage_path, &target)?;
            }
            Ok(crash)
        });
        match moved {
            Ok(true) => {
                let _ = self.stage.keep();
                return Err(crashed(Step::MoveNewIn));
            }
            Ok(false) => {
                let _ = self.stage.keep();
            }
            Err(e) => {
                if let Some(old) = &old {
                    let _ = fs::rename(old, &target);
                }
                return Err(io_err("cannot move the new results into", &target)(e));
            }
        }
        if let Ok(dir) = File::open(&self.parent) {
            let _ = dir.sync_all();
        }

        // 4. Remove the old set. The new one is in place whatever happens here; a
        //    leftover is removed by the next run's recovery.
        if let Some(old) = old {
            match gate(Step::RemoveOld) {
                Ok(true) => return Err(crashed(Step::RemoveOld)),
                Ok(false) => {
                    let _ = fs::remove_dir_all(&old);
                }
                Err(_) => {}
            }
        }
        Ok(())
    }
}

/// Flushes every file and directory under `root` (symlinks are not followed).
fn sync_tree(root: &Path) -> io::Result<()> {
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            File::open(entry.path())?.sync_all()?;
        }
    }
    File::open(root)?.sync_all()
}

/// Repairs what an interrupted commit of the locked directory left: when the directory
/// is missing and a moved-aside old set exists, it is renamed back; every other staging
/// or moved-aside directory of it is removed. Holding the lock proves no commit of the
/// same directory is in progress.
///
/// # Errors
///
/// When the parent directory cannot be read or the old set cannot be renamed back.
pub fn recover(lock: &OutputLock) -> Result<(), PublishError> {
    let target = lock.dir();
    let (parent, name) = split_dir(target)?;
    let stage_prefix = hidden(&name, ".stage-");
    let old_prefix = hidden(&name, ".old-");
    let ours = |file: &OsStr, prefix: &OsStr| {
        file.as_bytes()
            .strip_prefix(prefix.as_bytes())
            .is_some_and(|rest| rest.len() == 6 && rest.iter().all(u8::is_ascii_alphanumeric))
    };
    let mut stages = Vec::new();
    let mut olds = Vec::new();
    for entry in fs::read_dir(&parent).map_err(io_err("cannot read directory", &parent))? {
        let entry = entry.map_err(io_err("cannot read directory", &parent))?;
        let file = entry.file_name();
        if ours(&file, &stage_prefix) {
            stages.push(entry.path());
        } else if ours(&file, &old_prefix) {
            olds.push(entry.path());
        }
    }
    olds.sort();
    if !olds.is_empty() && fs::symlink_metadata(target).is_err() {
        let old = olds.remove(0);
        fs::rename(&old, target)
            .map_err(io_err("cannot restore the previous results from", &old))?;
    }
    for p in stages.iter().chain(&olds) {
        let _ = fs::remove_dir_all(p);
    }
    Ok(())
}

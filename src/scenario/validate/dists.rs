//! Distribution specs → samplers, and the CSV columns that empirical
//! distributions and arrival traces read.

use super::super::load::resolve_path;
use super::super::schema::{RawCount, RawDist, parse_duration};
use super::super::{CountDist, Dist};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The longest line accepted in a trace or empirical CSV file: a longer one
/// (or a file with no line breaks, such as `/dev/zero`) is bad input, found
/// before it fills the memory.
pub const MAX_LINE: usize = 1 << 20;

/// Arrival traces already read, shared by the scenarios validated with it
/// (a sweep's points): each distinct (file, column) is read once and its
/// sorted times held once, in one `Arc`.
#[derive(Debug, Default)]
pub struct Traces {
    read: Mutex<HashMap<(PathBuf, Option<String>), Arc<Vec<f64>>>>,
}

impl Traces {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Traces {
        Traces::default()
    }

    /// How many trace files it has read.
    #[must_use]
    pub fn files_read(&self) -> usize {
        self.read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The sorted times of `column` of `path`, read now if not yet read
    /// (errors are not kept: a bad file is read again, and refused again).
    pub(crate) fn times(&self, path: &Path, column: Option<&str>) -> Result<Arc<Vec<f64>>, String> {
        let key = (path.to_path_buf(), column.map(str::to_string));
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(t) = read.get(&key) {
            return Ok(Arc::clone(t));
        }
        let times = Arc::new(sorted_times(path, column)?);
        read.insert(key, Arc::clone(&times));
        Ok(times)
    }
}

/// The values of a trace column, sorted: its arrival times.
pub(crate) fn sorted_times(path: &Path, column: Option<&str>) -> Result<Vec<f64>, String> {
    let mut times = read_column(path, column)?;
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// A reader that fails on a line longer than [`MAX_LINE`]: it looks only
/// for the last line break of each chunk read, so it costs next to nothing
/// on ordinary files. Chunks are [`CHUNK`] bytes at most (the CSV reader's
/// buffer), far shorter than a line it must refuse.
struct LineCap<R> {
    inner: R,
    /// Bytes since the last line break.
    run: usize,
}

/// The CSV reader's buffer, so the chunks [`LineCap`] sees.
const CHUNK: usize = 64 << 10;

/// The message of [`LineCap`]'s error, recognised by [`too_long`].
const TOO_LONG: &str = "a line is too long";

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.run = match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(at) => n - at - 1,
            None => self.run + n,
        };
        if self.run > MAX_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TOO_LONG,
            ));
        }
        Ok(n)
    }
}

/// Whether the CSV reader stopped on [`LineCap`]'s error.
fn too_long(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io)
        if io.kind() == std::io::ErrorKind::InvalidData && io.to_string() == TOO_LONG)
}

/// Reads one numeric column of a CSV file: values as seconds or durations.
/// A line longer than [`MAX_LINE`] is refused, naming the line.
pub fn read_column(path: &Path, column: Option<&str>) -> Result<Vec<f64>, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("cannot read {shown}: file not found")
        } else {
            format!("cannot read {shown}: {e}")
        }
    })?;
    let long = |line: usize| {
        format!(
            "{shown}:{line}: line {line} is longer than {} MiB (is it a CSV file?)",
            MAX_LINE >> 20
        )
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(CHUNK)
        .from_reader(LineCap {
            inner: file,
            run: 0,
        });
    let headers = rdr
        .headers()
        .map_err(|e| {
            if too_long(&e) {
                long(1)
            } else {
                format!("cannot read {shown}: {e}")
            }
        })?
        .clone();
    // A header that is itself a number means the file has no header row.
    let headerless = headers.get(0).is_some_and(|h| parse_duration(h).is_some());
    let idx = match column {
        None => 0,
        Some(c) => headers.iter().position(|h| h.trim() == c).ok_or_else(|| {
            format!(
                "{shown} has no column `{c}` (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })?,
    };
    let mut out = Vec::new();
    if headerless {
        out.push(parse_duration(headers.get(0).unwrap_or_default()).unwrap_or(0.0));
    }
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| {
            if too_long(&e) {
                long(line)
            } else {
                format!("{shown}: {e}")
            }
        })?;
        let cell = rec.get(idx).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v = parse_duration(cell).ok_or_else(|| {
            format!("{shown}:{line}: `{cell}` is not a number of seconds or a duration")
        })?;
        out.push(v);
    }
    if out.is_empty() {
        return Err(format!("{shown} has no values"));
    }
    Ok(out)
}

/// The longest mean duration accepted, in seconds (about 31 years): a
/// longer one is a mistake, and far longer ones overflow while sampling.
pub const MAX_MEAN_DURATION: f64 = 1e9;

/// The largest mean count accepted (messages per conversation).
pub const MAX_MEAN_COUNT: f64 = 1e6;

/// A duration distribution spec → sampler, refused when its mean or its
/// samples could be infinite, NaN or absurdly long.
pub fn resolve_dist(d: &RawDist, base: &Path) -> Result<Dist, String> {
    let dist = sampler(d, base)?;
    bounded(&dist)?;
    Ok(dist)
}

/// The mean is finite and at most [`MAX_MEAN_DURATION`]; no sample can
/// overflow to infinity (then NaN in the simulation's arithmetic).
fn bounded(d: &Dist) -> Result<(), String> {
    if let Dist::Lognormal { mu, sigma, .. } = d
        && !(mu.is_finite() && sigma.is_finite())
    {
        return Err(
            "lognormal mean and sd too large to compute with (sd² overflows): expected realistic durations"
                .to_string(),
        );
    }
    let mean = d.mean();
    if !(mean.is_finite() && mean <= MAX_MEAN_DURATION) {
        return Err(format!(
            "the mean duration {mean:e}s is infinite or longer than {MAX_MEAN_DURATION:e}s (about 31 years): expected a realistic duration"
        ));
    }
    if !d.ceiling().is_finite() {
        return Err(
            "samples of this distribution can overflow to an infinite duration (a Weibull shape near 0, or a huge spread): use a larger shape or a smaller sd"
                .to_string(),
        );
    }
    Ok(())
}

fn sampler(d: &RawDist, base: &Path) -> Result<Dist, String> {
    Ok(match d {
        RawDist::Exponential { mean } => {
            if mean.0 <= 0.0 {
                return Err("exponential mean must be > 0".into());
            }
            Dist::Exponential { mean: mean.0 }
        }
        RawDist::Lognormal { mean, sd } => {
            if mean.0 <= 0.0 {
                return Err("lognormal mean must be > 0".into());
            }
            if sd.0 == 0.0 {
                Dist::Deterministic { value: mean.0 }
            } else {
                Dist::lognormal(mean.0, sd.0)
            }
        }
        RawDist::Gamma { mean, sd } => {
            if mean.0 <= 0.0 {
                return Err("gamma mean must be > 0".into());
            }
            if sd.0 == 0.0 {
                Dist::Deterministic { value: mean.0 }
            } else {
                Dist::gamma(mean.0, sd.0)?
            }
        }
        RawDist::Weibull { shape, scale } => {
            if !(*shape > 0.0 && shape.is_finite()) || scale.0 <= 0.0 {
                return Err("weibull needs shape > 0 and scale > 0".into());
            }
            Dist::Weibull {
                shape: *shape,
                scale: scale.0,
            }
        }
        RawDist::Uniform { min, max } => {
            if min.0 > max.0 {
                return Err(format!(
                    "uniform min ({}s) is above max ({}s)",
                    min.0, max.0
                ));
            }
            Dist::Uniform {
                min: min.0,
                max: max.0,
            }
        }
        RawDist::Deterministic { value } => Dist::Deterministic { value: value.0 },
        RawDist::Empirical { file, column } => {
            let mut sorted = read_column(&resolve_path(base, file), column.as_deref())?;
            sorted.sort_by(f64::total_cmp);
            Dist::Empirical {
                file: file.clone(),
                sorted,
            }
        }
    })
}

/// A count distribution spec → sampler; its mean is at most
/// [`MAX_MEAN_COUNT`].
pub fn resolve_count(d: &RawCount, base: &Path) -> Result<CountDist, String> {
    let c = count_sampler(d, base)?;
    if c.mean() > MAX_MEAN_COUNT {
        return Err(format!(
            "a mean of {:e} messages per conversation is more than {MAX_MEAN_COUNT:e}: expected a realistic count",
            c.mean()
        ));
    }
    Ok(c)
}

fn count_sampler(d: &RawCount, base: &Path) -> Result<CountDist, String> {
    Ok(match d {
        RawCount::Geometric { mean } => {
            if !(*mean >= 1.0 && mean.is_finite()) {
                return Err(format!(
                    "geometric mean {mean} must be >= 1 (counts start at 1)"
                ));
            }
            CountDist::geometric(*mean)
        }
        RawCount::Poisson { mean } => {
            if !(*mean >= 1.0 && mean.is_finite()) {
                return Err(format!(
                    "poisson mean {mean} must be >= 1 (shifted to start at 1)"
                ));
            }
            CountDist::poisson(*mean)?
        }
        RawCount::Deterministic { value } => {
            if *value < 1 || *value > u32::MAX as i64 {
                return Err(format!("count {value} must be >= 1"));
            }
            CountDist::Deterministic {
                value: *value as u32,
            }
        }
        RawCount::Uniform { min, max } => {
            if *min < 1 || min > max || *max > u32::MAX as i64 {
                return Err(format!(
                    "uniform counts need 1 <= min <= max, got {min}..{max}"
                ));
            }
            CountDist::Uniform {
                min: *min as u32,
                max: *max as u32,
            }
        }
        RawCount::Empirical { file, column } => {
            let vals = read_column(&resolve_path(base, file), column.as_deref())?;
            let mut values = Vec::with_capacity(vals.len());
            for v in vals {
                if v < 1.0 || v.fract() != 0.0 {
                    return Err(format!("{file}: count {v} must be a whole number >= 1"));
                }
                values.push(v as u32);
            }
            CountDist::Empirical {
                file: file.clone(),
                values,
            }
        }
    })
}

//! Static chart rendering for reports: grouped bar charts with confidence whiskers, line
//! charts with confidence bands, empirical CDFs and annotated heatmaps.
//!
//! This module owns everything about turning already-computed numbers into pictures:
//! font registration (DejaVu Sans from the `dejavu` crate, registered with plotters'
//! `ab_glyph` text engine under the family `"sans-serif"`), the series color palette,
//! axis ranges and ticks, layout (title, axes, legends outside the plotting area) and
//! writing the files. Every chart is written twice, as `<stem>.svg` and `<stem>.png`
//! ([`WIDTH`] × [`HEIGHT`] pixels); the suffix is appended to the stem, so a stem of
//! `out/wait.p90` gives `out/wait.p90.svg`. Both files are first rendered into temporary
//! files in the target directory and then renamed into place, so they are written whole
//! or not at all. Output is deterministic: the same inputs give byte-identical files.
//!
//! Non-finite values (NaN, ±∞) are skipped everywhere; a chart without any drawable data
//! is still written, with empty axes and a "no data" note.
//!
//! The public API lives here; each concept has its own file: `render` (fonts,
//! files, temporary names), `text` (sizes, fitting, title, legend), `axes` (ranges and
//! ticks) and one file per chart kind (`bars`, `lines`, `cdf`, `heatmap`).

mod axes;
mod bars;
mod cdf;
mod heatmap;
mod lines;
mod render;
#[cfg(test)]
mod tests;
mod text;

pub use bars::grouped_bars;
pub use cdf::cdf;
pub use heatmap::{format_sig3, heatmap};
pub use lines::lines;

use plotters::style::RGBColor;

/// Width of every chart in pixels (PNG) or user units (SVG).
pub const WIDTH: u32 = 1000;
/// Height of every chart in pixels (PNG) or user units (SVG).
pub const HEIGHT: u32 = 600;

const FONT: &str = "sans-serif";
const TITLE_SIZE: f64 = 26.0;
const AXIS_DESC_SIZE: f64 = 18.0;
const TICK_SIZE: f64 = 16.0;
const LEGEND_SIZE: f64 = 16.0;
const MAX_LEGEND_WIDTH: i32 = 260;

/// A value with its 95% confidence interval; lo/hi may be NaN when unknown (draw no whisker then).
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    /// Point estimate.
    pub mean: f64,
    /// Lower bound of the 95% confidence interval (NaN when unknown).
    pub lo: f64,
    /// Upper bound of the 95% confidence interval (NaN when unknown).
    pub hi: f64,
}

impl Estimate {
    /// An estimate without a confidence interval.
    pub fn point(mean: f64) -> Self {
        Estimate {
            mean,
            lo: f64::NAN,
            hi: f64::NAN,
        }
    }

    /// The confidence interval, when both bounds are finite.
    fn interval(&self) -> Option<(f64, f64)> {
        (self.lo.is_finite() && self.hi.is_finite())
            .then(|| (self.lo.min(self.hi), self.lo.max(self.hi)))
    }
}

/// One named line series: (x, estimate) points, x ascending.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Points, x ascending.
    pub points: Vec<(f64, Estimate)>,
}

/// Series color palette (Tableau 10): series `i` is always drawn in `PALETTE[i % 10]`.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xBA, 0xB0, 0xAC),
];

/// The color of series number `i` (0-based) in every chart of this module.
pub fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const MISSING: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
const WHISKER: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MISSING_TEXT: RGBColor = RGBColor(0x55, 0x55, 0x55);
const NOTE: RGBColor = RGBColor(0x80, 0x80, 0x80);

// ---------------------------------------------------------------------------------------

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
//! ticks), `marks` (labelled reference lines: targets and goals) and one file per chart
//! kind (`bars`, `lines`, `cdf`, `heatmap`).

mod axes;
mod bars;
mod cdf;
mod heatmap;
mod lines;
mod marks;
mod render;
pub(crate) use render::with_suffix;
#[cfg(test)]
mod tests;
mod text;

pub use bars::{grouped_bars, grouped_bars_marked};
pub use cdf::{cdf, cdf_marked};
pub use heatmap::{format_sig3, heatmap};
pub use lines::{lines, lines_marked};
pub use marks::Mark;

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

/// Series color palette (Okabe & Ito's, safe for the common colour-vision deficiencies;
/// its yellow is left out, too faint on white): series `i` is always drawn in
/// `PALETTE[i % 7]`.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
];

/// The color of series number `i` (0-based) in every chart of this module.
pub fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The dash pattern of line series `i` as (dash, gap) in pixels, `None` for solid: lines
/// that coincide stay distinguishable, in grey print too. Legends show the same pattern.
fn series_dash(i: usize) -> Option<(u32, u32)> {
    [None, Some((10, 5)), Some((3, 4)), Some((16, 5))][i % 4]
}

/// Draws the path `points` (in `chart`'s coordinates, or pixels for a drawing area) in
/// series `i`'s color and dash pattern.
fn draw_series_path<DB, CT>(
    area: &plotters::prelude::DrawingArea<DB, CT>,
    points: Vec<CT::From>,
    i: usize,
    width: u32,
) -> crate::error::Result<()>
where
    DB: plotters::prelude::DrawingBackend,
    CT: plotters::coord::CoordTranslate,
    CT::From: Clone,
{
    use plotters::prelude::*;
    let style = series_color(i).stroke_width(width);
    match series_dash(i) {
        None => area.draw(&PathElement::new(points, style)),
        Some((dash, gap)) => area.draw(&plotters::element::DashedPathElement::new(
            points, dash, gap, style,
        )),
    }
    .map_err(render::de)
}

const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const MISSING: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
const WHISKER: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MISSING_TEXT: RGBColor = RGBColor(0x55, 0x55, 0x55);
const NOTE: RGBColor = RGBColor(0x80, 0x80, 0x80);

// ---------------------------------------------------------------------------------------

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

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
// Public chart functions
// ---------------------------------------------------------------------------------------

/// Grouped bars: one group per category on the x axis (e.g. skill names), one bar per series
/// in each group (e.g. variants), with CI whiskers; None = missing bar. Writes `<stem>.svg` and `<stem>.png`.
///
/// `series[i].1[c]` is the bar of series `i` in `categories[c]`; values beyond the number of
/// categories are ignored and missing ones count as None. Series `i` gets
/// [`series_color`]`(i)`; the y axis always includes 0. Missing or non-finite bars leave a gap;
/// whiskers are drawn only when both bounds are finite.
pub fn grouped_bars(
    stem: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<Option<Estimate>>)],
) -> Result<()> {
    render(
        stem,
        &Bars {
            title,
            y_label,
            categories,
            series,
        },
    )
}

/// Lines with optional shaded confidence bands (when lo/hi are finite). x_label/y_label are axis titles with units.
/// `x_format` formats x tick labels (e.g. seconds since Monday 00:00 -> "Mon 08:00"); None = plain numbers.
///
/// When `x_format` is given and the x span is at least 10 minutes, x is taken to be in seconds
/// and ticks are placed at round time steps (1, 2, 5, 10, 15, 30 min, 1, 2, 3, 4, 6, 12 h,
/// 1, 2, 7 days); otherwise ticks are round decimal numbers. Series `i` gets [`series_color`]`(i)`.
pub fn lines(
    stem: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    x_format: Option<&dyn Fn(f64) -> String>,
) -> Result<()> {
    render(
        stem,
        &Lines {
            title,
            x_label,
            y_label,
            series,
            x_format,
        },
    )
}

/// Empirical CDFs, one step line per series; each series is given as ascending (x, cumulative_share in [0,1]) pairs.
///
/// Each curve starts at 0 at its first x and its last level is extended to the largest x of
/// all series. Shares are clamped to [0, 1]. Series `i` gets [`series_color`]`(i)`.
pub fn cdf(
    stem: &Path,
    title: &str,
    x_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Result<()> {
    render(
        stem,
        &Cdf {
            title,
            x_label,
            series,
        },
    )
}

/// Heatmap of a value over two keys (x categories × y categories), color scale with a legend/colorbar
/// showing the value range and `value_label`, each cell annotated with its value (3 significant digits); None cells grey.
/// values[y][x].
///
/// `ys[0]` is the top row (table order). Missing rows/cells and non-finite values count as None.
/// The color scale is viridis from the smallest (dark) to the largest (yellow) finite value.
#[allow(clippy::too_many_arguments)]
pub fn heatmap(
    stem: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    xs: &[String],
    ys: &[String],
    values: &[Vec<Option<f64>>],
    value_label: &str,
) -> Result<()> {
    render(
        stem,
        &Heatmap {
            title,
            x_label,
            y_label,
            xs,
            ys,
            values,
            value_label,
        },
    )
}

/// Formats `v` with 3 significant digits (scientific notation outside 1e-3..1e6), as used for
/// heatmap cell annotations.
pub fn format_sig3(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-3..6).contains(&mag) {
        return format!("{v:.2e}");
    }
    let scale = 10f64.powi(mag - 2);
    let rounded = (v / scale).round() * scale;
    let mag = if rounded == 0.0 {
        mag
    } else {
        rounded.abs().log10().floor() as i32
    };
    let decimals = (2 - mag).max(0) as usize;
    format!("{rounded:.decimals$}")
}

// ---------------------------------------------------------------------------------------
// Rendering infrastructure
// ---------------------------------------------------------------------------------------

type Area<DB> = DrawingArea<DB, Shift>;

/// A chart that can be drawn on any plotters backend.
trait Plot {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()>;
}

fn de<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
}

/// Registers DejaVu Sans (regular and bold) as "sans-serif" once per process.
fn ensure_fonts() -> Result<()> {
    static FONTS: OnceLock<bool> = OnceLock::new();
    let ok = *FONTS.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow!(
            "could not register the DejaVu Sans font with plotters"
        ))
    }
}

fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// A unique temporary path next to `target`, keeping its extension (the PNG encoder picks
/// the format from it).
fn tmp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()))
}

/// Removes the listed files on drop unless disarmed.
struct Cleanup(Vec<PathBuf>);
impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn render(stem: &Path, plot: &impl Plot) -> Result<()> {
    ensure_fonts()?;
    if let Some(dir) = stem.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating directory {}", dir.display()))?;
    }
    let svg_path = with_suffix(stem, "svg");
    let png_path = with_suffix(stem, "png");
    let svg_tmp = tmp_path(&svg_path);
    let png_tmp = tmp_path(&png_path);
    let mut cleanup = Cleanup(vec![svg_tmp.clone(), png_tmp.clone()]);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        plot.plot(&root)?;
        root.present().map_err(de)?;
    }
    std::fs::write(&svg_tmp, svg.as_bytes())
        .with_context(|| format!("writing {}", svg_tmp.display()))?;

    {
        let root = BitMapBackend::new(&png_tmp, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        plot.plot(&root)?;
        root.present()
            .map_err(de)
            .with_context(|| format!("writing {}", png_tmp.display()))?;
    }

    std::fs::rename(&svg_tmp, &svg_path)
        .with_context(|| format!("writing {}", svg_path.display()))?;
    std::fs::rename(&png_tmp, &png_path)
        .with_context(|| format!("writing {}", png_path.display()))?;
    cleanup.0.clear();
    Ok(())
}

fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

fn title_font() -> TextStyle<'static> {
    (FONT, TITLE_SIZE, FontStyle::Bold)
        .into_font()
        .color(&BLACK)
}

fn styled_width<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle) -> i32 {
    let fallback = text.chars().count() as i32 * style.font.get_size() as i32 * 6 / 10;
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or(fallback)
}

fn text_width<DB: DrawingBackend>(area: &Area<DB>, text: &str, size: f64) -> i32 {
    styled_width(area, text, &font(size))
}

/// `text`, shortened with an ellipsis so that it is at most `max_w` pixels wide.
fn fit_text<DB: DrawingBackend>(area: &Area<DB>, text: &str, size: f64, max_w: i32) -> String {
    fit_styled(area, text, &font(size), max_w)
}

fn fit_styled<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> String {
    if styled_width(area, text, style) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (0..chars.len()).rev() {
        let candidate: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if styled_width(area, &candidate, style) <= max_w {
            return candidate;
        }
    }
    String::new()
}

/// Draws the title and returns the area below it.
fn titled<DB: DrawingBackend>(root: &Area<DB>, title: &str) -> Result<Area<DB>> {
    let style = title_font();
    let t = fit_styled(root, title, &style, WIDTH as i32 - 24);
    root.margin(8, 0, 0, 0).titled(&t, style).map_err(de)
}

#[derive(Clone, Copy)]
enum Swatch {
    Line,
    Bar,
}

/// Width of the legend panel for `names` (0 = no legend).
fn legend_width<DB: DrawingBackend>(area: &Area<DB>, names: &[&str]) -> i32 {
    if names.is_empty() {
        return 0;
    }
    let w = names
        .iter()
        .map(|n| text_width(area, n, LEGEND_SIZE))
        .max()
        .unwrap_or(0);
    (w + 56).min(MAX_LEGEND_WIDTH)
}

/// Draws a legend panel (swatch + name per series, series `i` in color `i`).
fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    names: &[&str],
    swatch: Swatch,
    top: i32,
) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let row = 22;
    let max_rows = ((h as i32 - top - 10) / row).max(1) as usize;
    let text_max = w as i32 - 50;
    let shown = names.len().min(max_rows);
    let height = shown as i32 * row + 10;
    area.draw(&Rectangle::new(
        [(4, top - 6), (w as i32 - 8, top - 6 + height)],
        GRID.stroke_width(1),
    ))
    .map_err(de)?;
    for (i, name) in names.iter().enumerate().take(shown) {
        let cy = top + i as i32 * row + row / 2 - 2;
        let color = series_color(i);
        match swatch {
            Swatch::Line => {
                area.draw(&PathElement::new(
                    vec![(12, cy), (36, cy)],
                    color.stroke_width(3),
                ))
                .map_err(de)?;
            }
            Swatch::Bar => {
                area.draw(&Rectangle::new(
                    [(16, cy - 7), (32, cy + 7)],
                    color.filled(),
                ))
                .map_err(de)?;
            }
        }
        let label = if i + 1 == shown && shown < names.len() {
            format!("… {} more", names.len() - shown + 1)
        } else {
            fit_text(area, name, LEGEND_SIZE, text_max)
        };
        let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(label, (42, cy), style)).map_err(de)?;
    }
    Ok(())
}

/// Splits `area` into a chart part and (if there are names) a legend panel on the right,
/// drawing the legend.
fn with_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    names: &[&str],
    swatch: Swatch,
) -> Result<Area<DB>> {
    let lw = legend_width(area, names);
    if lw == 0 {
        return Ok(area.clone());
    }
    let (w, _) = area.dim_in_pixel();
    let (chart, legend) = area.split_horizontally(w as i32 - lw);
    draw_legend(&legend, names, swatch, 16)?;
    Ok(chart)
}

/// A round tick step for `span` giving about `target` ticks, and the decimals to print it with.
fn nice_step(span: f64, target: usize) -> (f64, usize) {
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let mult = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = mult * mag;
    let mut decimals = (-(step.log10().floor())).max(0.0) as usize;
    if mult == 2.5 {
        decimals += 1;
    }
    (step, decimals.min(12))
}

/// Round tick positions covering `lo..hi` and the number of decimals to print them with.
fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 2);
    }
    let (step, decimals) = nice_step(span, target);
    (ticks_with_step(lo, hi, step), decimals)
}

/// A value axis for data in `lo..=hi`: padded range extended to round ticks (`zero` forces 0
/// into the range), the ticks and their decimals.
fn value_axis(lo: f64, hi: f64, zero: bool, target: usize) -> (f64, f64, Vec<f64>, usize) {
    let (mut y0, mut y1) = value_range(lo, hi, zero);
    let (step, decimals) = nice_step(y1 - y0, target);
    if step.is_finite() && step > 0.0 {
        if y0 != 0.0 {
            y0 = (y0 / step - 1e-9).floor() * step;
        }
        if y1 != 0.0 {
            y1 = (y1 / step + 1e-9).ceil() * step;
        }
    }
    (y0, y1, ticks_with_step(y0, y1, step), decimals)
}

fn ticks_with_step(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    let mut k = first;
    while k <= last && out.len() < 200 {
        let t = k * step;
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        k += 1.0;
    }
    out
}

/// Tick positions for x values in seconds: multiples of a round time step.
fn time_ticks(lo: f64, hi: f64, target: usize) -> Option<Vec<f64>> {
    const STEPS: [f64; 16] = [
        60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 14400.0, 21600.0,
        43200.0, 86400.0, 172800.0, 604800.0, 1209600.0,
    ];
    let span = hi - lo;
    if span.is_nan() || span < 600.0 {
        return None;
    }
    let step = STEPS.iter().copied().find(|s| span / s <= target as f64)?;
    Some(ticks_with_step(lo, hi, step))
}

fn format_tick(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// Padded axis range for `lo..=hi`; `zero` forces 0 into the range.
fn value_range(lo: f64, hi: f64, zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1e-300) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        if zero && lo == 0.0 {
            return (0.0, d);
        }
        lo -= d;
        hi += d;
        if zero && lo < 0.0 && hi <= 0.0 {
            hi = 0.0;
        }
    }
    let pad = 0.06 * (hi - lo);
    let lo = if zero && lo == 0.0 { 0.0 } else { lo - pad };
    let hi = if zero && hi == 0.0 { 0.0 } else { hi + pad };
    (lo, hi)
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
}

/// Width of the y label area: tick labels + tick marks + rotated axis title.
fn y_label_area<DB: DrawingBackend>(area: &Area<DB>, labels: &[String]) -> i32 {
    let w = labels
        .iter()
        .map(|l| text_width(area, l, TICK_SIZE))
        .max()
        .unwrap_or(0);
    w + 14 + AXIS_DESC_SIZE as i32 + 12
}

const X_LABEL_AREA: i32 = 58;

/// Draws empty axes with a "no data" note.
fn draw_no_data<DB: DrawingBackend>(area: &Area<DB>, x_label: &str, y_label: &str) -> Result<()> {
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(24)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(40)
        .build_cartesian_2d(
            TickAxis::new(0.0, 1.0, Vec::new()),
            TickAxis::new(0.0, 1.0, Vec::new()),
        )
        .map_err(de)?;
    let blank = |_: &f64| String::new();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_label_formatter(&blank)
        .y_label_formatter(&blank)
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(de)?;
    let style = font(22.0)
        .color(&NOTE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    chart
        .draw_series(std::iter::once(Text::new("no data", (0.5, 0.5), style)))
        .map_err(de)?;
    Ok(())
}

/// A linear f64 axis with explicitly chosen tick positions (plotters' `with_key_points` on
/// f64 ranges loses the label formatter support).
struct TickAxis {
    inner: RangedCoordf64,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        TickAxis {
            inner: (lo..hi).into(),
            lo,
            hi,
            ticks,
        }
    }
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn mesh_style() -> ShapeStyle {
    GRID.stroke_width(1)
}

// ---------------------------------------------------------------------------------------
// Grouped bars
// ---------------------------------------------------------------------------------------

struct Bars<'a> {
    title: &'a str,
    y_label: &'a str,
    categories: &'a [String],
    series: &'a [(String, Vec<Option<Estimate>>)],
}

impl Bars<'_> {
    fn finite_bars(&self) -> impl Iterator<Item = (usize, usize, Estimate)> + '_ {
        let n_cat = self.categories.len();
        self.series
            .iter()
            .enumerate()
            .flat_map(move |(s, (_, vals))| {
                vals.iter()
                    .take(n_cat)
                    .enumerate()
                    .filter_map(move |(c, v)| v.filter(|e| e.mean.is_finite()).map(|e| (s, c, e)))
            })
    }
}

impl Plot for Bars<'_> {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()> {
        let body = titled(root, self.title)?;
        let names: Vec<&str> = self.series.iter().map(|(n, _)| n.as_str()).collect();
        let values = self.finite_bars().flat_map(|(_, _, e)| {
            let (lo, hi) = e.interval().unwrap_or((e.mean, e.mean));
            [e.mean, lo, hi]
        });
        let Some((vmin, vmax)) = min_max(values) else {
            let area = with_legend(&body, &names, Swatch::Bar)?;
            return draw_no_data(&area, "", self.y_label);
        };
        let area = with_legend(&body, &names, Swatch::Bar)?;
        let (y0, y1, yticks, ydec) = value_axis(vmin, vmax, true, 8);
        let ylabels: Vec<String> = yticks.iter().map(|&t| format_tick(t, ydec)).collect();
        let yl_area = y_label_area(&area, &ylabels);

        let n = self.categories.len();
        let (aw, _) = area.dim_in_pixel();
        let plot_w = aw as i32 - yl_area - 12 - 24;
        let group_px = plot_w / n.max(1) as i32;
        let cat_size = if group_px < 60 { 12.0 } else { TICK_SIZE };
        let cat_labels: Vec<String> = self
            .categories
            .iter()
            .map(|c| fit_text(&area, c, cat_size, group_px - 6))
            .collect();

        let xticks: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(X_LABEL_AREA - 22)
            .y_label_area_size(yl_area)
            .build_cartesian_2d(
                TickAxis::new(-0.5f64, n as f64 - 0.5, xticks),
                TickAxis::new(y0, y1, yticks),
            )
            .map_err(de)?;
        let xfmt = |v: &f64| {
            let i = v.round();
            if i >= 0.0 && (i as usize) < cat_labels.len() {
                cat_labels[i as usize].clone()
            } else {
                String::new()
            }
        };
        let yfmt = |v: &f64| format_tick(*v, ydec);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(mesh_style())
            .x_label_style(font(cat_size))
            .y_label_style(font(TICK_SIZE))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .y_desc(self.y_label)
            .draw()
            .map_err(de)?;

        let m = self.series.len().max(1) as f64;
        let group = 0.8;
        let bar_w = group / m;
        let bars: Vec<_> = self.finite_bars().collect();
        chart
            .draw_series(bars.iter().map(|&(s, c, e)| {
                let x0 = c as f64 - group / 2.0 + s as f64 * bar_w;
                let x1 = x0 + bar_w * 0.92;
                Rectangle::new([(x0, 0.0), (x1, e.mean)], series_color(s).filled())
            }))
            .map_err(de)?;
        if y0 < 0.0 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
                    BLACK.stroke_width(1),
                )))
                .map_err(de)?;
        }
        let bar_px = group_px as f64 * bar_w;
        let whisker_px = if bar_px >= 12.0 { 2 } else { 1 };
        let mut whiskers = Vec::new();
        for &(s, c, e) in &bars {
            if let Some((lo, hi)) = e.interval() {
                let x0 = c as f64 - group / 2.0 + s as f64 * bar_w;
                let xc = x0 + bar_w * 0.46;
                let cap = (bar_w * 0.2).min(0.06);
                let style = WHISKER.stroke_width(whisker_px);
                whiskers.push(PathElement::new(vec![(xc, lo), (xc, hi)], style));
                whiskers.push(PathElement::new(
                    vec![(xc - cap, lo), (xc + cap, lo)],
                    style,
                ));
                whiskers.push(PathElement::new(
                    vec![(xc - cap, hi), (xc + cap, hi)],
                    style,
                ));
            }
        }
        chart.draw_series(whiskers).map_err(de)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------

struct Lines<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    series: &'a [Series],
    x_format: Option<&'a dyn Fn(f64) -> String>,
}

/// Contiguous runs of items satisfying `keep`.
fn runs<T: Copy>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for it in items {
        if keep(it) {
            cur.push(*it);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Builds an x axis for `x0..x1`: ticks and their labels.
fn x_axis(
    x0: f64,
    x1: f64,
    x_format: Option<&dyn Fn(f64) -> String>,
) -> (Vec<f64>, Box<dyn Fn(f64) -> String + '_>) {
    match x_format {
        Some(f) => {
            let ticks = time_ticks(x0, x1, 9).unwrap_or_else(|| nice_ticks(x0, x1, 9).0);
            (ticks, Box::new(f))
        }
        None => {
            let (ticks, dec) = nice_ticks(x0, x1, 10);
            (ticks, Box::new(move |v| format_tick(v, dec)))
        }
    }
}

fn x_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - d, hi + d)
    }
}

impl Plot for Lines<'_> {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()> {
        let body = titled(root, self.title)?;
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        let area = with_legend(&body, &names, Swatch::Line)?;
        let good = |p: &(f64, Estimate)| p.0.is_finite() && p.1.mean.is_finite();
        let xr = min_max(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().filter(|p| good(p)).map(|p| p.0)),
        );
        let yr = min_max(self.series.iter().flat_map(|s| {
            s.points
                .iter()
                .filter(|p| p.0.is_finite())
                .flat_map(|(_, e)| {
                    let (lo, hi) = e.interval().unwrap_or((f64::NAN, f64::NAN));
                    [
                        e.mean,
                        if e.mean.is_finite() { lo } else { f64::NAN },
                        if e.mean.is_finite() { hi } else { f64::NAN },
                    ]
                })
        }));
        let (Some((xmin, xmax)), Some((ymin, ymax))) = (xr, yr) else {
            return draw_no_data(&area, self.x_label, self.y_label);
        };
        let (x0, x1) = x_range(xmin, xmax);
        let zero = ymin >= 0.0 && ymin <= 0.5 * ymax;
        let (y0, y1, yticks, ydec) = value_axis(ymin, ymax, zero, 8);
        let ylabels: Vec<String> = yticks.iter().map(|&t| format_tick(t, ydec)).collect();
        let (xticks, xfmt_fn) = x_axis(x0, x1, self.x_format);

        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(30)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(y_label_area(&area, &ylabels))
            .build_cartesian_2d(TickAxis::new(x0, x1, xticks), TickAxis::new(y0, y1, yticks))
            .map_err(de)?;
        let xfmt = |v: &f64| xfmt_fn(*v);
        let yfmt = |v: &f64| format_tick(*v, ydec);
        chart
            .configure_mesh()
            .bold_line_style(mesh_style())
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .draw()
            .map_err(de)?;

        // Bands first so that no line is hidden under another series' band.
        for (i, s) in self.series.iter().enumerate() {
            let color = series_color(i);
            for run in runs(&s.points, |p| good(p) && p.1.interval().is_some()) {
                if run.len() == 1 {
                    let (x, e) = run[0];
                    let (lo, hi) = e.interval().unwrap_or((e.mean, e.mean));
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, lo), (x, hi)],
                            color.stroke_width(2),
                        )))
                        .map_err(de)?;
                    continue;
                }
                let mut poly: Vec<(f64, f64)> = run
                    .iter()
                    .map(|(x, e)| (*x, e.interval().unwrap().1))
                    .collect();
                poly.extend(run.iter().rev().map(|(x, e)| (*x, e.interval().unwrap().0)));
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, color.mix(0.2).filled())))
                    .map_err(de)?;
            }
        }
        for (i, s) in self.series.iter().enumerate() {
            let color = series_color(i);
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| good(p))
                .map(|(x, e)| (*x, e.mean))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                .map_err(de)?;
            if pts.len() <= 40 {
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(de)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// CDF
// ---------------------------------------------------------------------------------------

struct Cdf<'a> {
    title: &'a str,
    x_label: &'a str,
    series: &'a [(String, Vec<(f64, f64)>)],
}

impl Plot for Cdf<'_> {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()> {
        let body = titled(root, self.title)?;
        let names: Vec<&str> = self.series.iter().map(|(n, _)| n.as_str()).collect();
        let area = with_legend(&body, &names, Swatch::Line)?;
        let y_label = "cumulative share";
        let good = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
        let Some((xmin, xmax)) = min_max(
            self.series
                .iter()
                .flat_map(|(_, pts)| pts.iter().filter(good).map(|p| p.0)),
        ) else {
            return draw_no_data(&area, self.x_label, y_label);
        };
        let xmin = if xmin > 0.0 && xmin <= 0.5 * xmax {
            0.0
        } else {
            xmin
        };
        let (x0, x1) = x_range(xmin, xmax);
        let x1 = x1 + 0.02 * (x1 - x0);
        let (xticks, xdec) = nice_ticks(x0, x1, 10);
        let yticks: Vec<f64> = (0..=10).map(|i| i as f64 / 10.0).collect();
        let ylabels: Vec<String> = yticks.iter().map(|&t| format_tick(t, 1)).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(30)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(y_label_area(&area, &ylabels))
            .build_cartesian_2d(
                TickAxis::new(x0, x1, xticks),
                TickAxis::new(0f64, 1.04f64, yticks),
            )
            .map_err(de)?;
        let xfmt = |v: &f64| format_tick(*v, xdec);
        let yfmt = |v: &f64| format_tick(*v, 1);
        chart
            .configure_mesh()
            .bold_line_style(mesh_style())
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .x_desc(self.x_label)
            .y_desc(y_label)
            .draw()
            .map_err(de)?;
        for (i, (_, pts)) in self.series.iter().enumerate() {
            let pts: Vec<(f64, f64)> = pts
                .iter()
                .filter(good)
                .map(|&(x, p)| (x, p.clamp(0.0, 1.0)))
                .collect();
            let Some(&(first_x, _)) = pts.first() else {
                continue;
            };
            let mut path = vec![(first_x, 0.0)];
            let mut level = 0.0;
            for &(x, p) in &pts {
                path.push((x, level));
                path.push((x, p));
                level = p;
            }
            path.push((xmax, level));
            chart
                .draw_series(std::iter::once(PathElement::new(
                    path,
                    series_color(i).stroke_width(2),
                )))
                .map_err(de)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Heatmap
// ---------------------------------------------------------------------------------------

struct Heatmap<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    xs: &'a [String],
    ys: &'a [String],
    values: &'a [Vec<Option<f64>>],
    value_label: &'a str,
}

impl Heatmap<'_> {
    fn value(&self, x: usize, y: usize) -> Option<f64> {
        self.values
            .get(y)
            .and_then(|row| row.get(x))
            .copied()
            .flatten()
            .filter(|v| v.is_finite())
    }
}

/// Viridis color map at `t` in [0, 1].
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (0x44, 0x01, 0x54),
        (0x48, 0x24, 0x75),
        (0x41, 0x44, 0x87),
        (0x35, 0x5f, 0x8d),
        (0x2a, 0x78, 0x8e),
        (0x21, 0x91, 0x8c),
        (0x22, 0xa8, 0x84),
        (0x44, 0xbf, 0x70),
        (0x7a, 0xd1, 0x51),
        (0xbd, 0xdf, 0x26),
        (0xfd, 0xe7, 0x25),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

fn text_color_on(bg: RGBColor) -> &'static RGBColor {
    let lum = 0.299 * bg.0 as f64 + 0.587 * bg.1 as f64 + 0.114 * bg.2 as f64;
    if lum > 140.0 { &BLACK } else { &WHITE }
}

impl Plot for Heatmap<'_> {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()> {
        let body = titled(root, self.title)?;
        let (nx, ny) = (self.xs.len(), self.ys.len());
        let range = min_max((0..ny).flat_map(|y| (0..nx).filter_map(move |x| self.value(x, y))));
        let Some((vmin, vmax)) = range.filter(|_| nx > 0 && ny > 0) else {
            return draw_no_data(&body, self.x_label, self.y_label);
        };
        let (c0, c1) = if vmax > vmin {
            (vmin, vmax)
        } else {
            x_range(vmin, vmax)
        };
        let to_t = |v: f64| (v - c0) / (c1 - c0);

        // Color bar on the right, aligned with the plotting area of the cell grid.
        let (cticks, cdec) = nice_ticks(c0, c1, 8);
        let clabels: Vec<String> = cticks.iter().map(|&t| format_tick(t, cdec)).collect();
        let label_w = clabels
            .iter()
            .map(|l| text_width(&body, l, TICK_SIZE))
            .max()
            .unwrap_or(0);
        const BAR_X0: i32 = 16;
        const BAR_W: i32 = 22;
        let cbar_w = BAR_X0 + BAR_W + 6 + 4 + label_w + 12 + AXIS_DESC_SIZE as i32 + 8;
        let (bw, _) = body.dim_in_pixel();
        let (main, cbar) = body.split_horizontally(bw as i32 - cbar_w);
        {
            let (_, ch) = cbar.dim_in_pixel();
            let (top, bottom) = (12, ch as i32 - 12 - X_LABEL_AREA);
            let to_px =
                |v: f64| bottom - (((v - c0) / (c1 - c0)) * (bottom - top) as f64).round() as i32;
            let steps = (bottom - top).max(1);
            for k in 0..steps {
                let t = (k as f64 + 0.5) / steps as f64;
                let y = bottom - k;
                cbar.draw(&Rectangle::new(
                    [(BAR_X0, y - 1), (BAR_X0 + BAR_W, y)],
                    viridis(t).filled(),
                ))
                .map_err(de)?;
            }
            cbar.draw(&Rectangle::new(
                [(BAR_X0, top), (BAR_X0 + BAR_W, bottom)],
                BLACK.stroke_width(1),
            ))
            .map_err(de)?;
            let x1 = BAR_X0 + BAR_W;
            for (t, l) in cticks.iter().zip(&clabels) {
                let y = to_px(*t);
                cbar.draw(&PathElement::new(
                    vec![(x1, y), (x1 + 6, y)],
                    BLACK.stroke_width(1),
                ))
                .map_err(de)?;
                let style = font(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
                cbar.draw(&Text::new(l.clone(), (x1 + 10, y), style))
                    .map_err(de)?;
            }
            let desc = fit_text(&cbar, self.value_label, AXIS_DESC_SIZE, bottom - top);
            let style = font(AXIS_DESC_SIZE)
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Center, VPos::Top));
            cbar.draw(&Text::new(desc, (cbar_w - 4, (top + bottom) / 2), style))
                .map_err(de)?;
        }

        let (mw, mh) = main.dim_in_pixel();
        let ylabels: Vec<String> = self
            .ys
            .iter()
            .map(|s| fit_text(&main, s, TICK_SIZE, 220))
            .collect();
        let yl_area = y_label_area(&main, &ylabels);
        let cell_w = (mw as i32 - yl_area - 24) as f64 / nx as f64;
        let cell_h = (mh as i32 - X_LABEL_AREA - 24) as f64 / ny as f64;
        let cat_size = if cell_w < 60.0 { 12.0 } else { TICK_SIZE };
        let xlabels: Vec<String> = self
            .xs
            .iter()
            .map(|s| fit_text(&main, s, cat_size, cell_w as i32 - 6))
            .collect();

        let xticks: Vec<f64> = (0..nx).map(|i| i as f64 + 0.5).collect();
        let yticks: Vec<f64> = (0..ny).map(|j| j as f64 + 0.5).collect();
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(yl_area)
            .build_cartesian_2d(
                TickAxis::new(0f64, nx as f64, xticks),
                TickAxis::new(0f64, ny as f64, yticks),
            )
            .map_err(de)?;
        let xfmt = |v: &f64| {
            xlabels
                .get(v.floor().max(0.0) as usize)
                .cloned()
                .unwrap_or_default()
        };
        // Row j (ys[j]) is drawn at height ny - 1 - j so that ys[0] is on top.
        let yfmt = |v: &f64| {
            let k = v.floor().max(0.0) as usize;
            if k < ny {
                ylabels[ny - 1 - k].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_style(font(cat_size))
            .y_label_style(font(TICK_SIZE))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .axis_desc_style(font(AXIS_DESC_SIZE))
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .draw()
            .map_err(de)?;

        let mut cells = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            let yb = (ny - 1 - j) as f64;
            for i in 0..nx {
                let color = self
                    .value(i, j)
                    .map(|v| viridis(to_t(v)))
                    .unwrap_or(MISSING);
                cells.push(Rectangle::new(
                    [(i as f64, yb), (i as f64 + 1.0, yb + 1.0)],
                    color.filled(),
                ));
                cells.push(Rectangle::new(
                    [(i as f64, yb), (i as f64 + 1.0, yb + 1.0)],
                    WHITE.stroke_width(1),
                ));
            }
        }
        chart.draw_series(cells).map_err(de)?;

        // One font size for most annotations (the largest at which 80% of the labels fit);
        // only the longest labels are shrunk further to fit their cell.
        let base = 17.0f64.min(cell_h * 0.55);
        let mut labels = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                let (label, color) = match self.value(i, j) {
                    Some(v) => (format_sig3(v), text_color_on(viridis(to_t(v)))),
                    None => ("n/a".to_string(), &MISSING_TEXT),
                };
                let w = text_width(&main, &label, base).max(1) as f64;
                let fit = base * ((cell_w - 6.0) / w).min(1.0);
                labels.push((i, j, label, color, fit));
            }
        }
        let mut fits: Vec<f64> = labels.iter().map(|l| l.4).collect();
        fits.sort_by(f64::total_cmp);
        let uniform = fits
            .get(fits.len() / 5)
            .copied()
            .unwrap_or(base)
            .max(9.0f64.min(base));
        let mut texts = Vec::new();
        for (i, j, label, color, fit) in labels {
            let size = uniform.min(fit).floor();
            if size < 6.0 {
                continue;
            }
            let yb = (ny - 1 - j) as f64;
            let style = font(size)
                .color(color)
                .pos(Pos::new(HPos::Center, VPos::Center));
            texts.push(Text::new(label, (i as f64 + 0.5, yb + 0.5), style));
        }
        chart.draw_series(texts).map_err(de)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

    fn check(stem: &Path, title: &str) -> (Vec<u8>, Vec<u8>) {
        let svg = std::fs::read(with_suffix(stem, "svg")).expect("svg written");
        let png = std::fs::read(with_suffix(stem, "png")).expect("png written");
        assert!(!svg.is_empty() && !png.is_empty());
        let text = String::from_utf8(svg.clone()).expect("svg is utf-8");
        assert!(
            text.starts_with("<svg") || text.starts_with("<?xml"),
            "svg header: {}",
            &text[..40]
        );
        assert!(text.contains(title), "svg contains title");
        assert!(png.starts_with(PNG_MAGIC));
        // No temporary files left behind.
        let dir = stem.parent().unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.contains(".tmp."), "leftover temp file {name}");
        }
        (svg, png)
    }

    fn est(mean: f64, half: f64) -> Estimate {
        Estimate {
            mean,
            lo: mean - half,
            hi: mean + half,
        }
    }

    type BarSeries = Vec<(String, Vec<Option<Estimate>>)>;

    fn bars_data() -> (Vec<String>, BarSeries) {
        let cats: Vec<String> = ["billing", "tech support", "sales", "retention"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let series = vec![
            (
                "baseline".to_string(),
                vec![
                    Some(est(0.82, 0.03)),
                    Some(est(0.64, 0.05)),
                    Some(est(0.91, 0.02)),
                    Some(est(0.55, 0.06)),
                ],
            ),
            (
                "+2 agents".to_string(),
                vec![
                    Some(est(0.88, 0.02)),
                    Some(est(0.75, 0.04)),
                    None,
                    Some(est(0.68, 0.05)),
                ],
            ),
            (
                "skill routing".to_string(),
                vec![
                    Some(Estimate::point(0.85)),
                    Some(est(0.80, 0.03)),
                    Some(est(0.93, 0.01)),
                    Some(est(0.61, f64::NAN)),
                ],
            ),
        ];
        (cats, series)
    }

    fn week_format(v: f64) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let s = v.max(0.0) as u64;
        let day = (s / 86400) as usize % 7;
        format!(
            "{} {:02}:{:02}",
            DAYS[day],
            (s % 86400) / 3600,
            (s % 3600) / 60
        )
    }

    fn lines_data() -> Vec<Series> {
        (0..3)
            .map(|k| Series {
                name: format!("variant {k}"),
                points: (0..=48)
                    .map(|h| {
                        let x = 86400.0 + h as f64 * 1800.0;
                        let m = 20.0 + 10.0 * k as f64 + 15.0 * ((h as f64) / 8.0).sin();
                        let e = if k == 1 {
                            Estimate::point(m)
                        } else {
                            est(m, 3.0 + k as f64)
                        };
                        (
                            x,
                            if h == 20 && k == 2 {
                                Estimate::point(f64::NAN)
                            } else {
                                e
                            },
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    fn cdf_data() -> Vec<(String, Vec<(f64, f64)>)> {
        (0..3)
            .map(|k| {
                let n = 40;
                let pts = (1..=n)
                    .map(|i| {
                        let p = i as f64 / n as f64;
                        (-(1.0 - p + 1e-3).ln() * (30.0 + 20.0 * k as f64), p)
                    })
                    .collect();
                (format!("variant {k}"), pts)
            })
            .collect()
    }

    fn heat_data() -> (Vec<String>, Vec<String>, Vec<Vec<Option<f64>>>) {
        let xs: Vec<String> = (8..=12).map(|a| format!("{a} agents")).collect();
        let ys: Vec<String> = ["billing", "tech", "sales"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let vals = (0..3)
            .map(|y| {
                (0..5)
                    .map(|x| {
                        if x == 2 && y == 1 {
                            None
                        } else {
                            Some(1234.5 / (1.0 + x as f64 + y as f64 * 3.0))
                        }
                    })
                    .collect()
            })
            .collect();
        (xs, ys, vals)
    }

    #[test]
    fn grouped_bars_writes_both_files_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let (cats, series) = bars_data();
        let a = dir.path().join("nested/dir/bars");
        let b = dir.path().join("bars2");
        grouped_bars(
            &a,
            "Service level by skill",
            "share answered within 60 s",
            &cats,
            &series,
        )
        .unwrap();
        grouped_bars(
            &b,
            "Service level by skill",
            "share answered within 60 s",
            &cats,
            &series,
        )
        .unwrap();
        assert_eq!(
            check(&a, "Service level by skill"),
            check(&b, "Service level by skill")
        );
    }

    #[test]
    fn lines_writes_both_files_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let data = lines_data();
        let a = dir.path().join("lines");
        let b = dir.path().join("lines2");
        let f: &dyn Fn(f64) -> String = &week_format;
        lines(
            &a,
            "Queue length over the week",
            "time of week",
            "contacts waiting",
            &data,
            Some(f),
        )
        .unwrap();
        lines(
            &b,
            "Queue length over the week",
            "time of week",
            "contacts waiting",
            &data,
            Some(f),
        )
        .unwrap();
        assert_eq!(
            check(&a, "Queue length over the week"),
            check(&b, "Queue length over the week")
        );
        lines(&a, "Plain", "x (s)", "y", &data, None).unwrap();
        check(&a, "Plain");
    }

    #[test]
    fn cdf_writes_both_files_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let data = cdf_data();
        let a = dir.path().join("cdf");
        let b = dir.path().join("cdf2");
        cdf(&a, "Waiting time distribution", "waiting time (s)", &data).unwrap();
        cdf(&b, "Waiting time distribution", "waiting time (s)", &data).unwrap();
        assert_eq!(
            check(&a, "Waiting time distribution"),
            check(&b, "Waiting time distribution")
        );
    }

    #[test]
    fn heatmap_writes_both_files_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let (xs, ys, vals) = heat_data();
        let a = dir.path().join("heat");
        let b = dir.path().join("heat2");
        heatmap(
            &a,
            "Mean wait by staffing",
            "staffing",
            "skill",
            &xs,
            &ys,
            &vals,
            "mean wait (s)",
        )
        .unwrap();
        heatmap(
            &b,
            "Mean wait by staffing",
            "staffing",
            "skill",
            &xs,
            &ys,
            &vals,
            "mean wait (s)",
        )
        .unwrap();
        assert_eq!(
            check(&a, "Mean wait by staffing"),
            check(&b, "Mean wait by staffing")
        );
    }

    #[test]
    fn empty_and_nan_inputs_do_not_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let nan = Estimate {
            mean: f64::NAN,
            lo: f64::NAN,
            hi: f64::INFINITY,
        };
        let cats = vec!["a".to_string(), "b".to_string()];

        grouped_bars(&p("b1"), "Empty bars", "y", &[], &[]).unwrap();
        check(&p("b1"), "Empty bars");
        grouped_bars(
            &p("b2"),
            "NaN bars",
            "y",
            &cats,
            &[("s".into(), vec![Some(nan), None])],
        )
        .unwrap();
        check(&p("b2"), "NaN bars");
        // Ragged input: more values than categories, and too few.
        grouped_bars(
            &p("b3"),
            "Ragged bars",
            "y",
            &cats,
            &[
                ("s".into(), vec![Some(est(-1.0, 0.5)); 5]),
                ("t".into(), vec![]),
            ],
        )
        .unwrap();
        check(&p("b3"), "Ragged bars");
        grouped_bars(
            &p("b4"),
            "Zero bars",
            "y",
            &cats,
            &[("s".into(), vec![Some(Estimate::point(0.0)); 2])],
        )
        .unwrap();
        check(&p("b4"), "Zero bars");

        lines(&p("l1"), "Empty lines", "x", "y", &[], None).unwrap();
        check(&p("l1"), "Empty lines");
        let s = Series {
            name: "n".into(),
            points: vec![(f64::NAN, est(1.0, 1.0)), (1.0, nan), (f64::INFINITY, nan)],
        };
        lines(&p("l2"), "NaN lines", "x", "y", &[s], None).unwrap();
        check(&p("l2"), "NaN lines");
        let single = Series {
            name: "one".into(),
            points: vec![(5.0, est(2.0, 0.5))],
        };
        lines(
            &p("l3"),
            "Single point",
            "x",
            "y",
            &[single],
            Some(&|v: f64| format!("{v}")),
        )
        .unwrap();
        check(&p("l3"), "Single point");

        cdf(&p("c1"), "Empty cdf", "x", &[]).unwrap();
        check(&p("c1"), "Empty cdf");
        cdf(
            &p("c2"),
            "NaN cdf",
            "x",
            &[
                ("s".into(), vec![(f64::NAN, 0.5), (1.0, f64::NAN)]),
                ("t".into(), vec![]),
            ],
        )
        .unwrap();
        check(&p("c2"), "NaN cdf");
        cdf(
            &p("c3"),
            "Point cdf",
            "x",
            &[("s".into(), vec![(3.0, 1.0)])],
        )
        .unwrap();
        check(&p("c3"), "Point cdf");

        heatmap(&p("h1"), "Empty heat", "x", "y", &[], &[], &[], "v").unwrap();
        check(&p("h1"), "Empty heat");
        let xs = vec!["a".to_string(), "b".to_string()];
        heatmap(
            &p("h2"),
            "NaN heat",
            "x",
            "y",
            &xs,
            &xs,
            &[vec![Some(f64::NAN), None]],
            "v",
        )
        .unwrap();
        check(&p("h2"), "NaN heat");
        heatmap(
            &p("h3"),
            "Const heat",
            "x",
            "y",
            &xs,
            &xs,
            &[vec![Some(2.0)], vec![Some(2.0), Some(2.0), Some(9.0)]],
            "v",
        )
        .unwrap();
        check(&p("h3"), "Const heat");
    }

    #[test]
    fn overwrites_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let stem = dir.path().join("x");
        cdf(&stem, "First", "x", &cdf_data()).unwrap();
        cdf(&stem, "Second", "x", &cdf_data()).unwrap();
        let (svg, _) = check(&stem, "Second");
        assert!(!String::from_utf8(svg).unwrap().contains("First"));
    }

    #[test]
    fn sig3_formatting() {
        assert_eq!(format_sig3(1234.5), "1230");
        assert_eq!(format_sig3(0.0), "0");
        assert_eq!(format_sig3(12.345), "12.3");
        assert_eq!(format_sig3(-0.012345), "-0.0123");
        assert_eq!(format_sig3(999.6), "1000");
        assert_eq!(format_sig3(0.09996), "0.100");
        assert_eq!(format_sig3(1.5e7), "1.50e7");
    }

    #[test]
    fn ticks_are_round() {
        let (t, d) = nice_ticks(0.0, 1.0, 8);
        assert_eq!(d, 1);
        assert_eq!(t.first(), Some(&0.0));
        assert!((t.last().unwrap() - 1.0).abs() < 1e-12);
        let t = time_ticks(86400.0, 2.0 * 86400.0, 9).unwrap();
        assert!(t.iter().all(|v| v % 3600.0 == 0.0));
    }

    /// Renders sample charts into `$CHARTS_SAMPLE_DIR` for visual inspection.
    #[test]
    #[ignore]
    fn render_samples() {
        let dir = PathBuf::from(
            std::env::var("CHARTS_SAMPLE_DIR").unwrap_or_else(|_| "/tmp/charts-samples".into()),
        );
        let (cats, series) = bars_data();
        grouped_bars(
            &dir.join("bars"),
            "Service level by skill",
            "share answered within 60 s",
            &cats,
            &series,
        )
        .unwrap();
        let f: &dyn Fn(f64) -> String = &week_format;
        lines(
            &dir.join("lines"),
            "Queue length over the week",
            "time of week",
            "contacts waiting",
            &lines_data(),
            Some(f),
        )
        .unwrap();
        cdf(
            &dir.join("cdf"),
            "Waiting time distribution",
            "waiting time (s)",
            &cdf_data(),
        )
        .unwrap();
        let (xs, ys, vals) = heat_data();
        heatmap(
            &dir.join("heat"),
            "Mean wait by staffing",
            "staffing",
            "skill",
            &xs,
            &ys,
            &vals,
            "mean wait (s)",
        )
        .unwrap();
        lines(
            &dir.join("empty"),
            "Nothing here",
            "x (s)",
            "y (s)",
            &[],
            None,
        )
        .unwrap();
        let cats: Vec<String> = (0..14)
            .map(|i| format!("skill with a rather long name {i}"))
            .collect();
        let many: Vec<(String, Vec<Option<Estimate>>)> = (0..12)
            .map(|s| {
                (
                    format!("variant number {s} with long label"),
                    (0..14)
                        .map(|c| Some(est((s as f64 - 4.0) * 10.0 + c as f64, 4.0)))
                        .collect(),
                )
            })
            .collect();
        grouped_bars(&dir.join("bars_many"), "A very long title that goes on and on to test truncation of titles in the chart header area of this picture", "delta (s)", &cats, &many).unwrap();
        let xs: Vec<String> = (0..24).map(|h| format!("{h:02}h")).collect();
        let ys: Vec<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let vals: Vec<Vec<Option<f64>>> = (0..7)
            .map(|d| {
                (0..24)
                    .map(|h| Some(((h * 7 + d * 13) % 17) as f64 * 0.0612 + 0.01))
                    .collect()
            })
            .collect();
        heatmap(
            &dir.join("heat_many"),
            "Occupancy by hour",
            "hour of day",
            "day of week",
            &xs,
            &ys,
            &vals,
            "occupancy (share)",
        )
        .unwrap();
    }
}

//! Axes: round tick steps and positions (decimal and time of day), padded value ranges,
//! the width of the label areas, the empty "no data" frame, and [`TickAxis`], a linear
//! axis whose ticks are chosen here rather than by plotters.

use crate::error::Result;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::render::{Area, de};
use super::text::{font, text_width};
use super::{AXIS_DESC_SIZE, GRID, NOTE, TICK_SIZE};

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
pub(super) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 2);
    }
    let (step, decimals) = nice_step(span, target);
    (ticks_with_step(lo, hi, step), decimals)
}

/// A value axis for data in `lo..=hi`: padded range extended to round ticks (`zero` forces 0
/// into the range), the ticks and their decimals.
pub(super) fn value_axis(
    lo: f64,
    hi: f64,
    zero: bool,
    target: usize,
) -> (f64, f64, Vec<f64>, usize) {
    let (mut y0, mut y1) = value_range(lo, hi, zero);
    let (step, decimals) = nice_step(y1 - y0, target);
    if step.is_finite() && step > 0.0 {
        if y0 != 0.0 {
            y0 = (y0 / step - 1e-9).floor() * step;
        }
        if y1 != 0.0 {
            y1 = (y1 / step + 1e-9).ceil() * step;
        }
        // Data reaching exactly 100 is a share at its cap (values and
        // bands in percent are clamped to 100): the axis ends there rather
        // than running on to 120%, when 100 is a tick.
        let cap = 100.0;
        if hi == cap && (cap / step - (cap / step).round()).abs() <= 1e-9 && cap > y0 {
            y1 = y1.min(cap);
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
pub(super) fn time_ticks(lo: f64, hi: f64, target: usize) -> Option<Vec<f64>> {
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

pub(super) fn format_tick(v: f64, decimals: usize) -> String {
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

pub(super) fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
}

/// Width of the y label area: tick labels + tick marks + rotated axis title.
pub(super) fn y_label_area<DB: DrawingBackend>(area: &Area<DB>, labels: &[String]) -> i32 {
    let w = labels
        .iter()
        .map(|l| text_width(area, l, TICK_SIZE))
        .max()
        .unwrap_or(0);
    w + 14 + AXIS_DESC_SIZE as i32 + 12
}

pub(super) const X_LABEL_AREA: i32 = 58;

/// Draws empty axes with a "no data" note.
pub(super) fn draw_no_data<DB: DrawingBackend>(
    area: &Area<DB>,
    x_label: &str,
    y_label: &str,
) -> Result<()> {
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
pub(super) struct TickAxis {
    inner: RangedCoordf64,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    pub(super) fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
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

pub(super) fn mesh_style() -> ShapeStyle {
    GRID.stroke_width(1)
}

/// Builds an x axis for `x0..x1`: ticks and their labels.
/// `integer`: the x values are all whole numbers (counts such as head-counts), so ticks
/// fall on whole numbers too.
pub(super) fn x_axis(
    x0: f64,
    x1: f64,
    x_format: Option<&dyn Fn(f64) -> String>,
    integer: bool,
) -> (Vec<f64>, Box<dyn Fn(f64) -> String + '_>) {
    match x_format {
        Some(f) => {
            let ticks = time_ticks(x0, x1, 9).unwrap_or_else(|| nice_ticks(x0, x1, 9).0);
            (ticks, Box::new(f))
        }
        None if integer => {
            let (step, _) = nice_step(x1 - x0, 10);
            // Whole steps only: 0.5 -> 1, 2.5 -> 2.
            let step = if step.is_finite() {
                step.floor().max(1.0)
            } else {
                1.0
            };
            (
                ticks_with_step(x0, x1, step),
                Box::new(|v| format_tick(v, 0)),
            )
        }
        None => {
            let (ticks, dec) = nice_ticks(x0, x1, 10);
            (ticks, Box::new(move |v| format_tick(v, dec)))
        }
    }
}

pub(super) fn x_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - d, hi + d)
    }
}

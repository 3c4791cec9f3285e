//! Line charts with shaded confidence bands, x as numbers or as times.

use std::path::Path;

use crate::error::Result;
use plotters::prelude::*;

use super::axes::{
    TickAxis, X_LABEL_AREA, draw_no_data, format_tick, mesh_style, min_max, value_axis, x_axis,
    x_range, y_label_area,
};
use super::marks::{self, Mark};
use super::render::{Area, Plot, de, render};
use super::text::{Swatch, font, titled, with_legend};
use super::{AXIS_DESC_SIZE, Estimate, Series, TICK_SIZE, draw_series_path, series_color};

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
    lines_marked(stem, title, x_label, y_label, series, x_format, &[])
}

/// [`lines`] with goal lines: each [`Mark`] a horizontal dashed line
/// across the chart, labelled at its right end; the value axis takes the
/// marks in.
pub fn lines_marked(
    stem: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    x_format: Option<&dyn Fn(f64) -> String>,
    marks: &[Mark],
) -> Result<()> {
    render(
        stem,
        &Lines {
            title,
            x_label,
            y_label,
            series,
            x_format,
            marks,
        },
    )
}

struct Lines<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    series: &'a [Series],
    x_format: Option<&'a dyn Fn(f64) -> String>,
    marks: &'a [Mark],
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
        // Goal lines are taken into the value axis (when there is data).
        let yr =
            yr.and_then(|(lo, hi)| min_max([lo, hi].into_iter().chain(marks::values(self.marks))));
        let (Some((xmin, xmax)), Some((ymin, ymax))) = (xr, yr) else {
            return draw_no_data(&area, self.x_label, self.y_label);
        };
        let (x0, x1) = x_range(xmin, xmax);
        let zero = ymin >= 0.0 && ymin <= 0.5 * ymax;
        let (y0, y1, yticks, ydec) = value_axis(ymin, ymax, zero, 8);
        let ylabels: Vec<String> = yticks.iter().map(|&t| format_tick(t, ydec)).collect();
        let integer = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter(|p| good(p)))
            .all(|p| p.0.fract() == 0.0);
        let (xticks, xfmt_fn) = x_axis(x0, x1, self.x_format, integer);

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
            // A point without a value (an interval with nothing to
            // measure) breaks the line rather than being bridged.
            for run in runs(&s.points, good) {
                if let [(x, e)] = run[..] {
                    // A lone point: a marker, so it is not lost.
                    chart
                        .draw_series(std::iter::once(Circle::new((x, e.mean), 3, color.filled())))
                        .map_err(de)?;
                    continue;
                }
                let pts = run.iter().map(|(x, e)| (*x, e.mean)).collect();
                draw_series_path(chart.plotting_area(), pts, i, 2)?;
            }
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| good(p))
                .map(|(x, e)| (*x, e.mean))
                .collect();
            if pts.len() <= 40 {
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(de)?;
            }
        }
        marks::draw_horizontal(chart.plotting_area(), self.marks, |_| (x0, x1))?;
        Ok(())
    }
}

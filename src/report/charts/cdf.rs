//! Empirical distribution functions, one step line per series.

use std::path::Path;

use crate::error::Result;
use plotters::prelude::*;

use super::axes::{
    TickAxis, X_LABEL_AREA, draw_no_data, format_tick, mesh_style, min_max, nice_ticks, x_range,
    y_label_area,
};
use super::marks::{self, Mark};
use super::render::{Area, Plot, de, render};
use super::text::{Swatch, font, titled, with_legend};
use super::{AXIS_DESC_SIZE, TICK_SIZE, draw_series_path};

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
    cdf_marked(stem, title, x_label, series, &[])
}

/// [`cdf`] with thresholds: each [`Mark`] a vertical dashed line at its x
/// (e.g. a skill's service-level target), labelled at the top; the x axis
/// takes the marks in.
pub fn cdf_marked(
    stem: &Path,
    title: &str,
    x_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
    marks: &[Mark],
) -> Result<()> {
    render(
        stem,
        &Cdf {
            title,
            x_label,
            series,
            marks,
        },
    )
}

struct Cdf<'a> {
    title: &'a str,
    x_label: &'a str,
    series: &'a [(String, Vec<(f64, f64)>)],
    marks: &'a [Mark],
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
        let xmax = marks::values(self.marks).fold(xmax, f64::max);
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
            draw_series_path(chart.plotting_area(), path, i, 2)?;
        }
        marks::draw_vertical(chart.plotting_area(), self.marks, (x0, x1), (0.0, 1.04))?;
        Ok(())
    }
}

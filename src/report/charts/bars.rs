//! Grouped bar charts with confidence whiskers (one group per category, one bar per series).

use std::path::Path;

use crate::error::Result;
use plotters::prelude::*;

use super::axes::{
    TickAxis, X_LABEL_AREA, draw_no_data, format_tick, mesh_style, min_max, value_axis,
    y_label_area,
};
use super::marks::{self, Mark};
use super::render::{Area, Plot, de, render};
use super::text::{
    Swatch, categories_extra, categories_note, category_labels, draw_categories, font, titled,
    with_legend,
};
use super::{AXIS_DESC_SIZE, Estimate, TICK_SIZE, WHISKER, series_color};

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
    grouped_bars_marked(stem, title, y_label, categories, series, &[])
}

/// [`grouped_bars`] with goal lines: each [`Mark`] a horizontal dashed line
/// across its category's group (or across all groups), labelled; the value
/// axis takes the marks in.
pub fn grouped_bars_marked(
    stem: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<Option<Estimate>>)],
    marks: &[Mark],
) -> Result<()> {
    render(
        stem,
        &Bars {
            title,
            y_label,
            categories,
            series,
            marks,
        },
    )
}

struct Bars<'a> {
    title: &'a str,
    y_label: &'a str,
    categories: &'a [String],
    series: &'a [(String, Vec<Option<Estimate>>)],
    marks: &'a [Mark],
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
        // Goal lines are taken into the value axis.
        let (vmin, vmax) =
            marks::values(self.marks).fold((vmin, vmax), |(a, b), v| (a.min(v), b.max(v)));
        let area = with_legend(&body, &names, Swatch::Bar)?;
        let (y0, y1, yticks, ydec) = value_axis(vmin, vmax, true, 8);
        let ylabels: Vec<String> = yticks.iter().map(|&t| format_tick(t, ydec)).collect();
        let yl_area = y_label_area(&area, &ylabels);

        let n = self.categories.len();
        let (aw, _) = area.dim_in_pixel();
        let plot_w = aw as i32 - yl_area - 12 - 24;
        let group_px = plot_w / n.max(1) as i32;
        let cat_size = if group_px < 60 { 12.0 } else { TICK_SIZE };
        let (cat_labels, full) =
            category_labels(&area, self.categories, &font(cat_size), group_px - 6);
        let note = categories_note(full.as_deref(), None);
        // Labels of one line each go on the axis as ticks; longer ones and
        // the note are drawn under it.
        let own = note.is_some() || cat_labels.iter().any(|l| l.len() > 1);
        let extra = categories_extra(&area, &cat_labels, note.as_deref(), cat_size, plot_w);

        let xticks: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(X_LABEL_AREA - 22 + extra)
            .y_label_area_size(yl_area)
            .build_cartesian_2d(
                TickAxis::new(-0.5f64, n as f64 - 0.5, xticks),
                TickAxis::new(y0, y1, yticks),
            )
            .map_err(de)?;
        let xfmt = |v: &f64| {
            let i = v.round();
            if !own && i >= 0.0 && (i as usize) < cat_labels.len() {
                cat_labels[i as usize][0].clone()
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
        if own {
            let at: Vec<(i32, i32)> = (0..n)
                .map(|c| chart.backend_coord(&(c as f64, y0)))
                .collect();
            let left = chart.backend_coord(&(-0.5, y0)).0;
            draw_categories(
                root,
                &at,
                &cat_labels,
                note.as_deref(),
                cat_size,
                (left, plot_w),
            )?;
        }
        marks::draw_horizontal(chart.plotting_area(), self.marks, |m| match m.category {
            Some(c) => (c as f64 - 0.5, c as f64 + 0.5),
            None => (-0.5, n as f64 - 0.5),
        })?;
        Ok(())
    }
}

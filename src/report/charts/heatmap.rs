//! Heatmaps: a value over two categorical keys, viridis colours with a colour bar, each cell
//! annotated with its value to 3 significant digits.

use std::path::Path;

use crate::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{
    TickAxis, X_LABEL_AREA, draw_no_data, format_tick, min_max, nice_ticks, x_range, y_label_area,
};
use super::render::{Area, Plot, de, render};
use super::text::{
    categories_extra, categories_note, category_labels, category_line, draw_categories, font,
    text_width, titled,
};
use super::{AXIS_DESC_SIZE, MISSING, MISSING_TEXT, TICK_SIZE};

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
            // Never cut: a smaller font when the description is longer
            // than the bar.
            let w = text_width(&cbar, self.value_label, AXIS_DESC_SIZE).max(1);
            // (0.8: room for the difference between measured and drawn text.)
            let size = (0.8 * AXIS_DESC_SIZE * f64::from(bottom - top) / f64::from(w))
                .clamp(9.0, AXIS_DESC_SIZE)
                .floor();
            let desc = self.value_label.to_string();
            let style = font(size)
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Center, VPos::Top));
            cbar.draw(&Text::new(desc, (cbar_w - 4, (top + bottom) / 2), style))
                .map_err(de)?;
        }

        let (mw, mh) = main.dim_in_pixel();
        let (ylabels, ynote) = category_labels(&main, self.ys, &font(TICK_SIZE), 220);
        let own_y = ynote.is_some() || ylabels.iter().any(|l| l.len() > 1);
        let yl_area = y_label_area(
            &main,
            &ylabels.iter().flatten().cloned().collect::<Vec<_>>(),
        );
        let cell_w = (mw as i32 - yl_area - 24) as f64 / nx as f64;
        let cat_size = if cell_w < 60.0 { 12.0 } else { TICK_SIZE };
        let (xlabels, xnote) = category_labels(&main, self.xs, &font(cat_size), cell_w as i32 - 6);
        let own_x = xnote.is_some() || xlabels.iter().any(|l| l.len() > 1);
        let note = categories_note(xnote.as_deref(), ynote.as_deref());
        let note_w = mw as i32 - yl_area - 24;
        let extra = if own_x || note.is_some() {
            categories_extra(&main, &xlabels, note.as_deref(), cat_size, note_w)
        } else {
            0
        };
        let cell_h = (mh as i32 - X_LABEL_AREA - extra - 24) as f64 / ny as f64;

        let xticks: Vec<f64> = (0..nx).map(|i| i as f64 + 0.5).collect();
        let yticks: Vec<f64> = (0..ny).map(|j| j as f64 + 0.5).collect();
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .x_label_area_size(X_LABEL_AREA + extra)
            .y_label_area_size(yl_area)
            .build_cartesian_2d(
                TickAxis::new(0f64, nx as f64, xticks),
                TickAxis::new(0f64, ny as f64, yticks),
            )
            .map_err(de)?;
        let xfmt = |v: &f64| match xlabels.get(v.floor().max(0.0) as usize) {
            Some(l) if !own_x => l[0].clone(),
            _ => String::new(),
        };
        // Row j (ys[j]) is drawn at height ny - 1 - j so that ys[0] is on top.
        let yfmt = |v: &f64| {
            let k = v.floor().max(0.0) as usize;
            if k < ny && !own_y {
                ylabels[ny - 1 - k][0].clone()
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
        if own_x || note.is_some() {
            let at: Vec<(i32, i32)> = (0..nx)
                .map(|i| chart.backend_coord(&(i as f64 + 0.5, 0.0)))
                .collect();
            let empty = vec![Vec::new(); nx];
            let labels = if own_x { &xlabels } else { &empty };
            let left = chart.backend_coord(&(0.0, 0.0)).0;
            // Under one-line tick labels, the note goes below them.
            let at: Vec<(i32, i32)> = if own_x {
                at
            } else {
                at.into_iter()
                    .map(|(x, y)| (x, y + category_line(cat_size)))
                    .collect()
            };
            draw_categories(root, &at, labels, note.as_deref(), cat_size, (left, note_w))?;
        }
        if own_y {
            let line = category_line(TICK_SIZE);
            let style = font(TICK_SIZE).pos(Pos::new(HPos::Right, VPos::Top));
            for (j, lines) in ylabels.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(0.0, (ny - 1 - j) as f64 + 0.5));
                let top = y - lines.len() as i32 * line / 2;
                for (k, l) in lines.iter().enumerate() {
                    root.draw(&Text::new(
                        l.clone(),
                        (x - 8, top + k as i32 * line),
                        style.clone(),
                    ))
                    .map_err(de)?;
                }
            }
        }

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

//! Text and legends: fonts and sizes, measuring and shortening text to a width, the title,
//! and the legend panel on the right of a chart.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::render::{Area, de};
use super::{
    FONT, GRID, LEGEND_SIZE, MAX_LEGEND_WIDTH, TITLE_SIZE, WIDTH, draw_series_path, series_color,
};

pub(super) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

pub(super) fn title_font() -> TextStyle<'static> {
    (FONT, TITLE_SIZE, FontStyle::Bold)
        .into_font()
        .color(&BLACK)
}

pub(super) fn styled_width<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
) -> i32 {
    let fallback = text.chars().count() as i32 * style.font.get_size() as i32 * 6 / 10;
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or(fallback)
}

pub(super) fn text_width<DB: DrawingBackend>(area: &Area<DB>, text: &str, size: f64) -> i32 {
    styled_width(area, text, &font(size))
}

/// `text`, shortened with an ellipsis so that it is at most `max_w` pixels wide.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    size: f64,
    max_w: i32,
) -> String {
    fit_styled(area, text, &font(size), max_w)
}

pub(super) fn fit_styled<DB: DrawingBackend>(
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
pub(super) fn titled<DB: DrawingBackend>(root: &Area<DB>, title: &str) -> Result<Area<DB>> {
    let style = title_font();
    let t = fit_styled(root, title, &style, WIDTH as i32 - 24);
    root.margin(8, 0, 0, 0).titled(&t, style).map_err(de)
}

#[derive(Clone, Copy)]
pub(super) enum Swatch {
    Line,
    Bar,
}

/// Width of the legend panel for `names` (0 = no legend).
pub(super) fn legend_width<DB: DrawingBackend>(area: &Area<DB>, names: &[&str]) -> i32 {
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
pub(super) fn draw_legend<DB: DrawingBackend>(
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
            Swatch::Line => draw_series_path(area, vec![(10, cy), (36, cy)], i, 3)?,
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
pub(super) fn with_legend<DB: DrawingBackend>(
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

//! Text and legends: fonts and sizes, measuring and shortening text to a width, the title,
//! and the legend panel on the right of a chart.

use crate::error::Result;
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

/// `text` broken at spaces into at most `max_lines` lines of at most `max_w` pixels; only
/// a word longer than a whole line, or text beyond the last line, is shortened with "…".
pub(super) fn wrap_styled<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if cur.is_empty() || styled_width(area, &candidate, style) <= max_w {
            cur = candidate;
        } else {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        }
    }
    lines.push(cur);
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(rest);
    }
    lines
        .iter()
        .map(|l| fit_styled(area, l, style, max_w))
        .collect()
}

/// Draws the title (on two lines when it is too long for one) and returns the area below it.
pub(super) fn titled<DB: DrawingBackend>(root: &Area<DB>, title: &str) -> Result<Area<DB>> {
    let style = title_font();
    let mut area = root.margin(8, 0, 0, 0);
    for line in wrap_styled(root, title, &style, WIDTH as i32 - 24, 2) {
        area = area.titled(&line, style.clone()).map_err(de)?;
    }
    Ok(area)
}

#[derive(Clone, Copy)]
pub(super) enum Swatch {
    Line,
    Bar,
}

/// What a legend shows: when all names share a leading part that ends at a space (e.g.
/// `routing.accept = ` in `routing.accept = auto` and `routing.accept = ring`), that part
/// once as a heading (without a trailing `=` or `:`) and each name's distinguishing rest; otherwise the names.
pub(super) fn legend_entries(names: &[&str]) -> (Option<String>, Vec<String>) {
    let whole = || (None, names.iter().map(|n| n.to_string()).collect());
    let [first, rest @ ..] = names else {
        return whole();
    };
    if rest.is_empty() {
        return whole();
    }
    let mut common = first.len();
    for n in rest {
        common = common.min(
            first
                .char_indices()
                .zip(n.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(n.len()), |((i, _), _)| i),
        );
    }
    let Some(cut) = first[..common].rfind(' ').map(|i| i + 1) else {
        return whole();
    };
    let heading = first[..cut]
        .trim_end()
        .trim_end_matches(['=', ':'])
        .trim_end();
    if heading.chars().count() < 3 || names.iter().any(|n| n[cut..].trim().is_empty()) {
        return whole();
    }
    (
        Some(heading.to_string()),
        names.iter().map(|n| n[cut..].to_string()).collect(),
    )
}

const LEGEND_LINE: i32 = 20;
const LEGEND_GAP: i32 = 4;

/// Width of the legend panel for `names` (0 = no legend).
pub(super) fn legend_width<DB: DrawingBackend>(area: &Area<DB>, names: &[&str]) -> i32 {
    if names.is_empty() {
        return 0;
    }
    let (heading, entries) = legend_entries(names);
    let w = entries
        .iter()
        .map(|n| text_width(area, n, LEGEND_SIZE) + 56)
        .chain(heading.map(|h| text_width(area, &h, LEGEND_SIZE) + 28))
        .max()
        .unwrap_or(0);
    w.min(MAX_LEGEND_WIDTH)
}

/// Draws a legend panel: the shared part of the names as a heading (see
/// [`legend_entries`]), then a swatch and the rest of each name, series `i` in color `i`;
/// names too long for the panel are wrapped, not cut.
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    names: &[&str],
    swatch: Swatch,
    top: i32,
) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let text_max = w as i32 - 50;
    let style = font(LEGEND_SIZE);
    let (heading, entries) = legend_entries(names);
    let heading = heading.map(|t| wrap_styled(area, &t, &style, w as i32 - 24, 2));
    let mut rows: Vec<Vec<String>> = entries
        .iter()
        .map(|n| wrap_styled(area, n, &style, text_max, 3))
        .collect();
    // As many rows as fit, the last of them saying how many more there are.
    let row_h = |lines: usize| lines as i32 * LEGEND_LINE + LEGEND_GAP;
    let available = h as i32 - top - 10 - heading.as_ref().map_or(0, |l| row_h(l.len()));
    let mut shown = 0;
    let mut used = 0;
    while shown < rows.len() && used + row_h(rows[shown].len()) <= available {
        used += row_h(rows[shown].len());
        shown += 1;
    }
    if shown < rows.len() {
        shown = shown.max(1);
        rows.truncate(shown);
        rows[shown - 1] = vec![format!("… {} more", names.len() - shown + 1)];
    }
    let height = heading.as_ref().map_or(0, |l| row_h(l.len()))
        + rows.iter().map(|r| row_h(r.len())).sum::<i32>()
        + 6;
    area.draw(&Rectangle::new(
        [(4, top - 6), (w as i32 - 8, top - 6 + height)],
        GRID.stroke_width(1),
    ))
    .map_err(de)?;
    let left = style.clone().pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = top;
    for line in heading.iter().flatten() {
        area.draw(&Text::new(
            line.clone(),
            (12, y + LEGEND_LINE / 2 - 2),
            left.clone(),
        ))
        .map_err(de)?;
        y += LEGEND_LINE;
    }
    if heading.is_some() {
        y += LEGEND_GAP;
    }
    for (i, lines) in rows.iter().enumerate() {
        let cy = y + LEGEND_LINE / 2 - 2;
        match swatch {
            Swatch::Line => draw_series_path(area, vec![(10, cy), (36, cy)], i, 3)?,
            Swatch::Bar => {
                area.draw(&Rectangle::new(
                    [(16, cy - 7), (32, cy + 7)],
                    series_color(i).filled(),
                ))
                .map_err(de)?;
            }
        }
        for (k, line) in lines.iter().enumerate() {
            let ly = cy + k as i32 * LEGEND_LINE;
            area.draw(&Text::new(line.clone(), (42, ly), left.clone()))
                .map_err(de)?;
        }
        y += row_h(lines.len());
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

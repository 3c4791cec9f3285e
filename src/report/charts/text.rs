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

/// Where a label may be broken or shortened: after one of these (a space
/// is dropped at a break).
const SEPARATORS: [char; 7] = [' ', '-', '_', '.', ':', '/', '='];

/// `line` broken into pieces of at most `max_w` pixels, never cut: after
/// the last separator that keeps a piece within the width, else between
/// two characters.
fn break_long<DB: DrawingBackend>(
    area: &Area<DB>,
    line: &str,
    style: &TextStyle,
    max_w: i32,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in line.chars() {
        let mut candidate = cur.clone();
        candidate.push(ch);
        if cur.is_empty() || styled_width(area, &candidate, style) <= max_w {
            cur = candidate;
            continue;
        }
        let at = cur
            .char_indices()
            .filter(|&(i, c)| SEPARATORS.contains(&c) && i > 0)
            .last();
        match at {
            Some((i, ' ')) => {
                let rest = cur[i + 1..].to_string();
                cur.truncate(i);
                out.push(std::mem::replace(&mut cur, rest));
            }
            Some((i, c)) => {
                let rest = cur[i + c.len_utf8()..].to_string();
                cur.truncate(i + c.len_utf8());
                out.push(std::mem::replace(&mut cur, rest));
            }
            None => out.push(std::mem::take(&mut cur)),
        }
        cur.push(ch);
    }
    out.push(cur);
    out
}

/// `text` broken at spaces into lines of at most `max_w` pixels; a word
/// longer than a whole line is broken after a separator (or between two
/// characters). Nothing is cut.
pub(super) fn wrap_styled<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
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
    lines
        .iter()
        .flat_map(|l| {
            if styled_width(area, l, style) <= max_w {
                vec![l.clone()]
            } else {
                break_long(area, l, style, max_w)
            }
        })
        .collect()
}

/// The distinguishing part of each of `names` (two or more): the longest
/// prefix all share that ends at a separator, and the longest suffix all
/// share that starts at one, dropped. `None` when nothing is shared or a
/// part would be empty; else (prefix, suffix, parts).
pub(super) fn distinguishing(names: &[&str]) -> Option<(String, String, Vec<String>)> {
    if names.len() < 2 {
        return None;
    }
    let chars: Vec<Vec<char>> = names.iter().map(|n| n.chars().collect()).collect();
    let first = &chars[0];
    let min_len = chars.iter().map(Vec::len).min()?;
    let mut p = 0;
    while p < min_len && chars.iter().all(|c| c[p] == first[p]) {
        p += 1;
    }
    let p = first[..p]
        .iter()
        .rposition(|c| SEPARATORS.contains(c))
        .map_or(0, |i| i + 1);
    let mut q = 0;
    while q < min_len - p
        && chars
            .iter()
            .all(|c| c[c.len() - 1 - q] == first[first.len() - 1 - q])
    {
        q += 1;
    }
    let q = first[first.len() - q..]
        .iter()
        .position(|c| SEPARATORS.contains(c))
        .map_or(0, |i| q - i);
    if p == 0 && q == 0 {
        return None;
    }
    let parts: Vec<String> = chars
        .iter()
        .map(|c| c[p..c.len() - q].iter().collect::<String>())
        .collect();
    if parts.iter().any(|s| s.trim().is_empty()) {
        return None;
    }
    Some((
        first[..p].iter().collect(),
        first[first.len() - q..].iter().collect(),
        parts,
    ))
}

/// Category labels for spaces `max_w` pixels wide, never cut: the names
/// as they are when they all fit on one line; otherwise each name's
/// [`distinguishing`] part (with the full form for a note, e.g.
/// `chat-<label>`), wrapped onto further lines when still too wide.
/// Returns the lines of each label and the full form.
pub(super) fn category_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    names: &[String],
    style: &TextStyle,
    max_w: i32,
) -> (Vec<Vec<String>>, Option<String>) {
    let max_w = max_w.max(8);
    if names.iter().all(|n| styled_width(area, n, style) <= max_w) {
        return (names.iter().map(|n| vec![n.clone()]).collect(), None);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (parts, note) = match distinguishing(&refs) {
        Some((prefix, suffix, parts)) => (parts, Some(format!("{prefix}<label>{suffix}"))),
        None => (names.to_vec(), None),
    };
    (
        parts
            .iter()
            .map(|l| wrap_styled(area, l, style, max_w))
            .collect(),
        note,
    )
}

/// Draws the title (on further lines when it is too long for one) and returns the area below it.
pub(super) fn titled<DB: DrawingBackend>(root: &Area<DB>, title: &str) -> Result<Area<DB>> {
    let style = title_font();
    let mut area = root.margin(8, 0, 0, 0);
    for line in wrap_styled(root, title, &style, WIDTH as i32 - 24) {
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
    let heading = heading.map(|t| wrap_styled(area, &t, &style, w as i32 - 24));
    let mut rows: Vec<Vec<String>> = entries
        .iter()
        .map(|n| wrap_styled(area, n, &style, text_max))
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

/// Draws category labels of several lines (and the note of
/// [`category_labels`]) under an x axis, on `root` (the whole picture, in
/// pixels): label `i` centred under the pixel `at[i]`, the note at the
/// left of `note_x` under the deepest label, wrapped within `note_w`
/// pixels.
pub(super) fn draw_categories<DB: DrawingBackend>(
    root: &Area<DB>,
    at: &[(i32, i32)],
    labels: &[Vec<String>],
    note: Option<&str>,
    size: f64,
    (note_x, note_w): (i32, i32),
) -> Result<()> {
    let line = category_line(size);
    let centred = font(size).pos(Pos::new(HPos::Center, VPos::Top));
    let mut bottom = 0;
    for (&(x, y), lines) in at.iter().zip(labels) {
        for (k, l) in lines.iter().enumerate() {
            root.draw(&Text::new(
                l.clone(),
                (x, y + 8 + k as i32 * line),
                centred.clone(),
            ))
            .map_err(de)?;
        }
        bottom = bottom.max(y + 8 + lines.len() as i32 * line);
    }
    if let Some(note) = note {
        let left = font(size).pos(Pos::new(HPos::Left, VPos::Top));
        for (k, l) in wrap_styled(root, note, &font(size), note_w)
            .into_iter()
            .enumerate()
        {
            root.draw(&Text::new(
                l,
                (note_x, bottom + 4 + k as i32 * line),
                left.clone(),
            ))
            .map_err(de)?;
        }
    }
    Ok(())
}

/// The note under category labels for the full forms of the x (columns)
/// and y (rows) labels, when either was shortened.
pub(super) fn categories_note(x: Option<&str>, y: Option<&str>) -> Option<String> {
    match (x, y) {
        (Some(x), Some(y)) if x == y => Some(format!("full names: {x}")),
        (Some(x), Some(y)) => Some(format!("full names: columns {x}, rows {y}")),
        (Some(x), None) => Some(format!("full names: {x}")),
        (None, Some(y)) => Some(format!("full names (rows): {y}")),
        (None, None) => None,
    }
}

/// The height of one line of category labels at `size`.
pub(super) fn category_line(size: f64) -> i32 {
    (size * 1.25).ceil() as i32
}

/// Extra height a label area needs for `labels` and `note` (wrapped within
/// `note_w` pixels) beyond one line.
pub(super) fn categories_extra<DB: DrawingBackend>(
    area: &Area<DB>,
    labels: &[Vec<String>],
    note: Option<&str>,
    size: f64,
    note_w: i32,
) -> i32 {
    let lines = labels.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
    let note_lines = note.map_or(0, |n| {
        wrap_styled(area, n, &font(size), note_w).len() as i32
    });
    (lines - 1) * category_line(size)
        + note_lines * category_line(size)
        + 4 * (note_lines > 0) as i32
}

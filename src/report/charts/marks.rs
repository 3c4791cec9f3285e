//! Reference lines over a chart ([`Mark`]): a target threshold drawn
//! vertically on a distribution, a goal value drawn horizontally across
//! bars or lines, each dashed in one colour with its label beside it.

use crate::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::render::de;
use super::text::font;

/// A labelled reference line: a target threshold (vertical on a CDF) or
/// a goal value (horizontal on bars and lines).
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// Where it is drawn, in the chart's units: x on a CDF, y on bars and
    /// lines. A non-finite value is not drawn.
    pub value: f64,
    /// Its label, e.g. `target 30s` or `target ≥ 80%`.
    pub label: String,
    /// On bars, the category (index) it concerns, `None` for all of them;
    /// ignored by the other charts.
    pub category: Option<usize>,
}

/// The colour of every reference line and its label (a dark red, apart
/// from the series palette).
const MARK: RGBColor = RGBColor(0xA5, 0x00, 0x26);
const MARK_SIZE: f64 = 14.0;
const LABEL_STEP: i32 = 17;

/// The finite values of `marks`, to be taken into an axis range.
pub(super) fn values(marks: &[Mark]) -> impl Iterator<Item = f64> + '_ {
    marks.iter().map(|m| m.value).filter(|v| v.is_finite())
}

/// The marks of equal value merged into one, their labels joined by `, `;
/// non-finite ones dropped. Order of first appearance.
fn merged(marks: &[Mark], same: impl Fn(&Mark, &Mark) -> bool) -> Vec<Mark> {
    let mut out: Vec<Mark> = Vec::new();
    for m in marks.iter().filter(|m| m.value.is_finite()) {
        match out.iter_mut().find(|o| same(o, m)) {
            Some(o) if !o.label.split(", ").any(|l| l == m.label) => {
                o.label = format!("{}, {}", o.label, m.label);
            }
            Some(_) => {}
            None => out.push(m.clone()),
        }
    }
    out
}

/// Draws horizontal marks on a chart whose x runs over `x_span(mark)`
/// (a category's group on bars, the whole width on lines), each label
/// above the right end of its line.
pub(super) fn draw_horizontal<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    marks: &[Mark],
    x_span: impl Fn(&Mark) -> (f64, f64),
) -> Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let merged = merged(marks, |a, b| a.value == b.value && a.category == b.category);
    for m in &merged {
        let (x0, x1) = x_span(m);
        area.draw(&plotters::element::DashedPathElement::new(
            vec![(x0, m.value), (x1, m.value)],
            8,
            5,
            MARK.stroke_width(2),
        ))
        .map_err(de)?;
        let style = font(MARK_SIZE)
            .color(&MARK)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        draw_label(area, (x1, m.value), &m.label, style, (-4, -3))?;
    }
    Ok(())
}

/// Draws vertical marks from `y0` to `y1` on a chart whose x axis runs
/// from `x_lo` to `x_hi`; labels at the top, to the right of the line (to
/// its left in the right third), one under another when there are several.
pub(super) fn draw_vertical<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    marks: &[Mark],
    (x_lo, x_hi): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let merged = merged(marks, |a, b| a.value == b.value);
    for (k, m) in merged.iter().enumerate() {
        area.draw(&plotters::element::DashedPathElement::new(
            vec![(m.value, y0), (m.value, y1)],
            8,
            5,
            MARK.stroke_width(2),
        ))
        .map_err(de)?;
        let right_third = m.value > x_lo + 2.0 * (x_hi - x_lo) / 3.0;
        let (hpos, dx) = if right_third {
            (HPos::Right, -5)
        } else {
            (HPos::Left, 5)
        };
        let style = font(MARK_SIZE).color(&MARK).pos(Pos::new(hpos, VPos::Top));
        let dy = 4 + LABEL_STEP * k as i32;
        draw_label(area, (m.value, y1), &m.label, style, (dx, dy))?;
    }
    Ok(())
}

/// Draws `label` at `offset` pixels from `at` on a white ground (so that
/// series lines beneath do not cross it), anchored as `style` says.
fn draw_label<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    at: (f64, f64),
    label: &str,
    style: TextStyle,
    (dx, dy): (i32, i32),
) -> Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (w, h) = area
        .estimate_text_size(label, &style)
        .map(|(w, h)| (w as i32, h as i32))
        .unwrap_or((label.chars().count() as i32 * 8, MARK_SIZE as i32));
    let x0 = match style.pos.h_pos {
        HPos::Left => dx,
        HPos::Center => dx - w / 2,
        HPos::Right => dx - w,
    };
    let y0 = match style.pos.v_pos {
        VPos::Top => dy,
        VPos::Center => dy - h / 2,
        VPos::Bottom => dy - h,
    };
    let ground = Rectangle::new(
        [(x0 - 2, y0 - 1), (x0 + w + 2, y0 + h + 1)],
        WHITE.mix(0.85).filled(),
    );
    area.draw(&(EmptyElement::at(at) + ground + Text::new(label.to_string(), (dx, dy), style)))
        .map_err(de)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(value: f64, label: &str, category: Option<usize>) -> Mark {
        Mark {
            value,
            label: label.into(),
            category,
        }
    }

    #[test]
    fn equal_marks_share_one_line_and_non_finite_ones_are_dropped() {
        let marks = [
            mark(30.0, "target 30s", None),
            mark(30.0, "target 30s", None),
            mark(30.0, "billing target 30s", None),
            mark(f64::NAN, "lost", None),
            mark(60.0, "target 1m", None),
        ];
        let m = merged(&marks, |a, b| a.value == b.value);
        assert_eq!(
            m,
            vec![
                mark(30.0, "target 30s, billing target 30s", None),
                mark(60.0, "target 1m", None)
            ]
        );
        assert_eq!(values(&marks).collect::<Vec<_>>(), [30.0, 30.0, 30.0, 60.0]);
    }
}

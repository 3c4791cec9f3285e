//! Rendering: font registration, the [`Plot`] trait every chart kind implements, and
//! writing a chart as SVG and PNG, each to a temporary file renamed into place.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{Context, Error, Result};
use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::{FONT, HEIGHT, WIDTH};
use crate::report::publish::temp_file_beside;

pub(super) type Area<DB> = DrawingArea<DB, Shift>;

/// A chart that can be drawn on any plotters backend.
pub(super) trait Plot {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()>;
}

pub(super) fn de<E: std::fmt::Debug>(e: E) -> Error {
    Error::other(format!("chart drawing failed: {e:?}"))
}

/// Registers DejaVu Sans (regular and bold) as "sans-serif" once per process.
pub(super) fn ensure_fonts() -> Result<()> {
    static FONTS: OnceLock<bool> = OnceLock::new();
    let ok = *FONTS.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::other(format!(
            "could not register the DejaVu Sans font with plotters"
        )))
    }
}

/// `stem` with `.ext` appended (a stem may hold a dot: `chat.asa`).
pub(crate) fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Renders `plot` as `<stem>.svg` and `<stem>.png`. Each is written into a fresh temporary
/// file beside its target ([`temp_file_beside`]: unique name, `O_EXCL`, never through a
/// symlink) and renamed into place once both are drawn; on any error the temporaries are
/// removed and the targets are left as they were.
pub(super) fn render(stem: &Path, plot: &impl Plot) -> Result<()> {
    ensure_fonts()?;
    if let Some(dir) = stem.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating directory {}", dir.display()))?;
    }
    let svg_path = with_suffix(stem, "svg");
    let png_path = with_suffix(stem, "png");

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        plot.plot(&root)?;
        root.present().map_err(de)?;
    }
    let mut svg_tmp = temp_file_beside(&svg_path)
        .with_context(|| format!("creating a temporary file for {}", svg_path.display()))?;
    svg_tmp
        .write_all(svg.as_bytes())
        .with_context(|| format!("writing {}", svg_tmp.path().display()))?;

    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        plot.plot(&root)?;
        root.present().map_err(de)?;
    }
    let mut png_tmp = temp_file_beside(&png_path)
        .with_context(|| format!("creating a temporary file for {}", png_path.display()))?;
    {
        let mut out = BufWriter::new(png_tmp.as_file_mut());
        PngEncoder::new(&mut out)
            .write_image(&pixels, WIDTH, HEIGHT, ColorType::Rgb8)
            .map_err(|e| Error::other(format!("encoding {}: {e}", png_path.display())))?;
        out.flush()
            .with_context(|| format!("writing a temporary file for {}", png_path.display()))?;
    }

    svg_tmp
        .persist(&svg_path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", svg_path.display()))?;
    png_tmp
        .persist(&png_path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", png_path.display()))?;
    Ok(())
}

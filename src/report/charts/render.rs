//! Rendering: font registration, the [`Plot`] trait every chart kind implements, and
//! writing a chart as SVG and PNG, each to a temporary file renamed into place.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::{FONT, HEIGHT, WIDTH};

pub(super) type Area<DB> = DrawingArea<DB, Shift>;

/// A chart that can be drawn on any plotters backend.
pub(super) trait Plot {
    fn plot<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<()>;
}

pub(super) fn de<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
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
        Err(anyhow!(
            "could not register the DejaVu Sans font with plotters"
        ))
    }
}

pub(super) fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// A unique temporary path next to `target`, keeping its extension (the PNG encoder picks
/// the format from it).
fn tmp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()))
}

/// Removes the listed files on drop unless disarmed.
struct Cleanup(Vec<PathBuf>);
impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

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
    let svg_tmp = tmp_path(&svg_path);
    let png_tmp = tmp_path(&png_path);
    let mut cleanup = Cleanup(vec![svg_tmp.clone(), png_tmp.clone()]);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        plot.plot(&root)?;
        root.present().map_err(de)?;
    }
    std::fs::write(&svg_tmp, svg.as_bytes())
        .with_context(|| format!("writing {}", svg_tmp.display()))?;

    {
        let root = BitMapBackend::new(&png_tmp, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        plot.plot(&root)?;
        root.present()
            .map_err(de)
            .with_context(|| format!("writing {}", png_tmp.display()))?;
    }

    std::fs::rename(&svg_tmp, &svg_path)
        .with_context(|| format!("writing {}", svg_path.display()))?;
    std::fs::rename(&png_tmp, &png_path)
        .with_context(|| format!("writing {}", png_path.display()))?;
    cleanup.0.clear();
    Ok(())
}

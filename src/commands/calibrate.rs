//! The calibration commands (SPEC §13): `ccsim fit LOG.csv` fits a
//! scenario to an event log and writes `fitted.toml` (with the files of its
//! empirical distributions), `fit.csv`, charts and `report.html` into one directory,
//! published whole; `ccsim log convert --from liveperson FILE.json` turns a
//! vendor export into the §13 log. Bad input (the message names the file,
//! the line and the column) exits 2 with nothing written.

use super::args::{ConvertArgs, FitArgs, LogCommand};
use super::{print, warn};
use ccsim::calibrate::{self, FitOptions, output};
use ccsim::error::{Context, Error, Result};
use ccsim::report::fit_charts;
use ccsim::report::publish::{Publisher, lock_output, write_file};

/// `ccsim fit`.
pub fn fit(a: &FitArgs) -> Result<()> {
    let options = FitOptions {
        interval: a.interval,
        ..FitOptions::default()
    };
    // Everything is read and fitted before anything is written.
    let fit = calibrate::fit_file(&a.log, &options).map_err(Error::input)?;
    let fitted = output::fitted(&fit);
    let csv = output::fit_csv(&fit);
    let lock = lock_output(&a.out)?;
    let stage = Publisher::begin(&lock)?;
    let staged = stage.path();
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.join(name);
        write_file(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
    };
    write("fitted.toml", fitted.toml.as_bytes())?;
    for (name, bytes) in &fitted.files {
        write(name, bytes)?;
    }
    write("fit.csv", &csv)?;
    let charts = fit_charts::write_fit_charts(&staged.join("charts"), &fit)?;
    let page = fit_charts::fit_page(&fit, &csv, &staged.join("charts"), &charts)?;
    ccsim::report::pages::write_page(staged, &page)?;
    stage.commit()?;
    drop(lock);
    for (name, n) in &fit.unknown {
        let name = if name.is_empty() { "(others)" } else { name };
        warn(&format!(
            "{}: {n} row(s) of unknown event `{name}` skipped",
            fit.file
        ));
    }
    print(&format!(
        "fitted {} skill(s) and {} group(s) from {} events over {:.1} days: fitted.toml, fit.csv, {} chart(s), report.html\nwrote {}\n",
        fit.skills.len(),
        fit.groups.len(),
        fit.events,
        fit.span / 86_400.0,
        charts.len(),
        a.out.display()
    ))
}

/// `ccsim log …`.
pub fn log(command: &LogCommand) -> Result<()> {
    match command {
        LogCommand::Convert(a) => convert(a),
    }
}

fn convert(a: &ConvertArgs) -> Result<()> {
    let shown = a.file.display().to_string();
    let json = std::fs::read_to_string(&a.file)
        .map_err(|e| Error::input(format!("{shown}: cannot read the export: {e}")))?;
    let log = match a.from.as_str() {
        "liveperson" => calibrate::liveperson::convert(&json, &shown).map_err(Error::input)?,
        other => return Err(Error::input(format!("--from {other}: expected liveperson"))),
    };
    match &a.out {
        Some(out) => {
            write_file(out, log.as_bytes()).map_err(|e| Error::io("write", out, e))?;
            print(&format!("wrote {}\n", out.display()))
        }
        None => print(&log),
    }
}

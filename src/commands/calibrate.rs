//! The calibration commands (SPEC §13): `ccsim fit LOG.csv` fits a
//! scenario to an event log and writes `fitted.toml` (with the files of its
//! empirical distributions), `fit.csv`, charts and `report.html` into one directory,
//! published whole; `ccsim log convert --from liveperson FILE.json` turns a
//! vendor export into the §13 log. Bad input (the message names the file,
//! the line and the column) exits 2 with nothing written.

use super::args::{BacktestArgs, ConvertArgs, FitArgs, LogCommand};
use super::{print, warn};
use ccsim::calibrate::backtest;
use ccsim::calibrate::{self, FitOptions, output};
use ccsim::error::{Context, Error, Result};
use ccsim::report::publish::{Publisher, lock_output, write_file};
use ccsim::report::{backtest_charts, fit_charts};

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

/// `ccsim backtest`: the log's arrivals and staffing replayed through the
/// scenario, the log's KPIs per skill and interval against the band.
pub fn backtest(a: &BacktestArgs) -> Result<()> {
    let mut scn = super::load_scenario(Some(&a.scenario))?;
    super::apply(&a.exec, &mut scn);
    let reps = a.exec.replications.unwrap_or(40);
    let shown = a.log.display().to_string();
    let f = std::fs::File::open(&a.log)
        .map_err(|e| Error::input(format!("{shown}: cannot open the log: {e}")))?;
    let window = FitOptions::default().return_window;
    let observed = backtest::observe(std::io::BufReader::new(f), &shown, &scn, a.interval, window)
        .map_err(Error::input)?;
    let (replay, notes) = backtest::replay(&scn, &observed, reps);
    let opts = ccsim::runner::RunOptions {
        threads: a.exec.threads(),
        max_memory: a.exec.max_memory(),
        ..Default::default()
    };
    let sim = ccsim::runner::run(&replay, &opts)?;
    let b = backtest::compare(observed, &sim, notes);
    let csv = backtest::backtest_csv(&b);
    let lock = lock_output(&a.out)?;
    let stage = Publisher::begin(&lock)?;
    let staged = stage.path();
    let p = staged.join("backtest.csv");
    write_file(&p, &csv).with_context(|| format!("cannot write {}", p.display()))?;
    let charts = backtest_charts::write_backtest_charts(&staged.join("charts"), &b)?;
    let page = backtest_charts::backtest_page(&b, &staged.join("charts"), &charts)?;
    ccsim::report::pages::write_page(staged, &page)?;
    stage.commit()?;
    drop(lock);
    print(&format!(
        "{}wrote {} (backtest.csv, {} chart(s), report.html)\n",
        backtest::summary_text(&b),
        a.out.display(),
        charts.len()
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

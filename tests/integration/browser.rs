//! `report.html` in a real browser: headless Chromium (Debian's `chromium`)
//! loads the page from disk with the network off, and the test checks that
//! it loaded without console errors, that the DOM holds every chart, and
//! that the screenshot is not blank.
//!
//! Where no browser can be had (`chromium` not installed and not
//! installable), the test says so and is skipped; `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser, if one is installed.
fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// What the browser made of a page.
pub struct Loaded {
    /// The DOM after loading.
    pub dom: String,
    /// Console and page errors the browser logged.
    pub errors: Vec<String>,
    /// Distinct colours in the screenshot (1 = blank).
    pub colours: usize,
}

fn flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,2400",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// Loads `page` in headless Chromium; `None` when no browser is installed.
pub fn load(page: &Path) -> Option<Loaded> {
    let browser = chromium()?;
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let dump = Command::new(&browser)
        .args(flags(&tmp.path().join("p1")))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium starts");
    assert!(
        dump.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let shot = tmp.path().join("shot.png");
    let run = Command::new(&browser)
        .args(flags(&tmp.path().join("p2")))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium starts");
    assert!(
        run.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let errors = [&dump.stderr, &run.stderr]
        .iter()
        .flat_map(|e| {
            String::from_utf8_lossy(e)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("net::ERR_"))
        .collect();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let px = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> = bytes.chunks(px).collect();
    Some(Loaded {
        dom: String::from_utf8_lossy(&dump.stdout).into_owned(),
        errors,
        colours: colours.len(),
    })
}

/// Checks a report page: loads cleanly, every chart in the DOM, not blank.
pub fn check_report(page: &Path, charts: usize) {
    let Some(l) = load(page) else {
        eprintln!(
            "SKIPPED browser check of {}: no chromium installed (apt-get install chromium)",
            page.display()
        );
        return;
    };
    assert!(
        l.errors.is_empty(),
        "{}: the browser logged errors:\n{}",
        page.display(),
        l.errors.join("\n")
    );
    let svgs = l.dom.matches("<svg").count();
    assert!(
        svgs >= charts,
        "{}: {svgs} charts in the DOM, expected at least {charts}",
        page.display()
    );
    assert!(
        l.colours > 16,
        "{}: the screenshot is blank ({} colours)",
        page.display(),
        l.colours
    );
}

#[test]
fn a_report_page_with_a_chart_renders_in_a_browser() {
    use ccsim::report::{charts, html};
    let tmp = tempfile::tempdir().unwrap();
    let stem = tmp.path().join("sl");
    let pts = |k: f64| {
        (0..24)
            .map(|h| {
                (
                    h as f64 * 3600.0,
                    charts::Estimate::point(0.5 + k * (h as f64 / 48.0)),
                )
            })
            .collect()
    };
    let series = vec![
        charts::Series {
            name: "base".into(),
            points: pts(0.5),
        },
        charts::Series {
            name: "blended".into(),
            points: pts(0.8),
        },
    ];
    charts::lines(
        &stem,
        "Service level by time of day",
        "time",
        "service level",
        &series,
        None,
    )
    .unwrap();
    let svg = std::fs::read_to_string(stem.with_extension("svg")).unwrap();
    let page = html::Page {
        title: "A report".into(),
        subtitle: "test".into(),
        blocks: vec![
            html::Block::Text("Plain words.".into()),
            html::Block::Table {
                header: vec!["metric".into(), "all".into()],
                rows: vec![vec!["offered".into(), "12.0".into()]],
            },
            html::Block::Chart {
                caption: "Service level".into(),
                svg,
            },
        ],
    };
    let file = tmp.path().join("report.html");
    std::fs::write(&file, html::render(&page)).unwrap();
    check_report(&file, 1);
}

#[test]
fn a_blank_page_is_caught() {
    // Negative control: the check must fail on an empty page.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("blank.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>",
    )
    .unwrap();
    let Some(l) = load(&file) else {
        eprintln!("SKIPPED: no chromium installed");
        return;
    };
    assert!(l.colours <= 16, "a blank page shows {} colours", l.colours);
    assert_eq!(l.dom.matches("<svg").count(), 0);
}

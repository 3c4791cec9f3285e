//! Unit tests of the chart functions: both files written, deterministic bytes, no panic on
//! empty or non-finite input, no temporary files left behind.

use std::path::{Path, PathBuf};

use super::axes::{nice_ticks, time_ticks, x_axis};
use super::render::with_suffix;
use super::text::legend_entries;
use super::*;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

fn check(stem: &Path, title: &str) -> (Vec<u8>, Vec<u8>) {
    let svg = std::fs::read(with_suffix(stem, "svg")).expect("svg written");
    let png = std::fs::read(with_suffix(stem, "png")).expect("png written");
    assert!(!svg.is_empty() && !png.is_empty());
    let text = String::from_utf8(svg.clone()).expect("svg is utf-8");
    assert!(
        text.starts_with("<svg") || text.starts_with("<?xml"),
        "svg header: {}",
        &text[..40]
    );
    assert!(text.contains(title), "svg contains title");
    assert!(png.starts_with(PNG_MAGIC));
    // No temporary files left behind.
    let dir = stem.parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "leftover temp file {name}");
    }
    (svg, png)
}

fn est(mean: f64, half: f64) -> Estimate {
    Estimate {
        mean,
        lo: mean - half,
        hi: mean + half,
    }
}

type BarSeries = Vec<(String, Vec<Option<Estimate>>)>;

fn bars_data() -> (Vec<String>, BarSeries) {
    let cats: Vec<String> = ["billing", "tech support", "sales", "retention"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let series = vec![
        (
            "baseline".to_string(),
            vec![
                Some(est(0.82, 0.03)),
                Some(est(0.64, 0.05)),
                Some(est(0.91, 0.02)),
                Some(est(0.55, 0.06)),
            ],
        ),
        (
            "+2 agents".to_string(),
            vec![
                Some(est(0.88, 0.02)),
                Some(est(0.75, 0.04)),
                None,
                Some(est(0.68, 0.05)),
            ],
        ),
        (
            "skill routing".to_string(),
            vec![
                Some(Estimate::point(0.85)),
                Some(est(0.80, 0.03)),
                Some(est(0.93, 0.01)),
                Some(est(0.61, f64::NAN)),
            ],
        ),
    ];
    (cats, series)
}

fn week_format(v: f64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let s = v.max(0.0) as u64;
    let day = (s / 86400) as usize % 7;
    format!(
        "{} {:02}:{:02}",
        DAYS[day],
        (s % 86400) / 3600,
        (s % 3600) / 60
    )
}

fn lines_data() -> Vec<Series> {
    (0..3)
        .map(|k| Series {
            name: format!("variant {k}"),
            points: (0..=48)
                .map(|h| {
                    let x = 86400.0 + h as f64 * 1800.0;
                    let m = 20.0 + 10.0 * k as f64 + 15.0 * ((h as f64) / 8.0).sin();
                    let e = if k == 1 {
                        Estimate::point(m)
                    } else {
                        est(m, 3.0 + k as f64)
                    };
                    (
                        x,
                        if h == 20 && k == 2 {
                            Estimate::point(f64::NAN)
                        } else {
                            e
                        },
                    )
                })
                .collect(),
        })
        .collect()
}

fn cdf_data() -> Vec<(String, Vec<(f64, f64)>)> {
    (0..3)
        .map(|k| {
            let n = 40;
            let pts = (1..=n)
                .map(|i| {
                    let p = i as f64 / n as f64;
                    (-(1.0 - p + 1e-3).ln() * (30.0 + 20.0 * k as f64), p)
                })
                .collect();
            (format!("variant {k}"), pts)
        })
        .collect()
}

fn heat_data() -> (Vec<String>, Vec<String>, Vec<Vec<Option<f64>>>) {
    let xs: Vec<String> = (8..=12).map(|a| format!("{a} agents")).collect();
    let ys: Vec<String> = ["billing", "tech", "sales"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let vals = (0..3)
        .map(|y| {
            (0..5)
                .map(|x| {
                    if x == 2 && y == 1 {
                        None
                    } else {
                        Some(1234.5 / (1.0 + x as f64 + y as f64 * 3.0))
                    }
                })
                .collect()
        })
        .collect();
    (xs, ys, vals)
}

#[test]
fn grouped_bars_writes_both_files_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let (cats, series) = bars_data();
    let a = dir.path().join("nested/dir/bars");
    let b = dir.path().join("bars2");
    grouped_bars(
        &a,
        "Service level by skill",
        "share answered within 60 s",
        &cats,
        &series,
    )
    .unwrap();
    grouped_bars(
        &b,
        "Service level by skill",
        "share answered within 60 s",
        &cats,
        &series,
    )
    .unwrap();
    assert_eq!(
        check(&a, "Service level by skill"),
        check(&b, "Service level by skill")
    );
}

#[test]
fn lines_writes_both_files_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let data = lines_data();
    let a = dir.path().join("lines");
    let b = dir.path().join("lines2");
    let f: &dyn Fn(f64) -> String = &week_format;
    lines(
        &a,
        "Queue length over the week",
        "time of week",
        "contacts waiting",
        &data,
        Some(f),
    )
    .unwrap();
    lines(
        &b,
        "Queue length over the week",
        "time of week",
        "contacts waiting",
        &data,
        Some(f),
    )
    .unwrap();
    assert_eq!(
        check(&a, "Queue length over the week"),
        check(&b, "Queue length over the week")
    );
    lines(&a, "Plain", "x (s)", "y", &data, None).unwrap();
    check(&a, "Plain");
}

#[test]
fn cdf_writes_both_files_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let data = cdf_data();
    let a = dir.path().join("cdf");
    let b = dir.path().join("cdf2");
    cdf(&a, "Waiting time distribution", "waiting time (s)", &data).unwrap();
    cdf(&b, "Waiting time distribution", "waiting time (s)", &data).unwrap();
    assert_eq!(
        check(&a, "Waiting time distribution"),
        check(&b, "Waiting time distribution")
    );
}

#[test]
fn heatmap_writes_both_files_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let (xs, ys, vals) = heat_data();
    let a = dir.path().join("heat");
    let b = dir.path().join("heat2");
    heatmap(
        &a,
        "Mean wait by staffing",
        "staffing",
        "skill",
        &xs,
        &ys,
        &vals,
        "mean wait (s)",
    )
    .unwrap();
    heatmap(
        &b,
        "Mean wait by staffing",
        "staffing",
        "skill",
        &xs,
        &ys,
        &vals,
        "mean wait (s)",
    )
    .unwrap();
    assert_eq!(
        check(&a, "Mean wait by staffing"),
        check(&b, "Mean wait by staffing")
    );
}

#[test]
fn empty_and_nan_inputs_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let nan = Estimate {
        mean: f64::NAN,
        lo: f64::NAN,
        hi: f64::INFINITY,
    };
    let cats = vec!["a".to_string(), "b".to_string()];

    grouped_bars(&p("b1"), "Empty bars", "y", &[], &[]).unwrap();
    check(&p("b1"), "Empty bars");
    grouped_bars(
        &p("b2"),
        "NaN bars",
        "y",
        &cats,
        &[("s".into(), vec![Some(nan), None])],
    )
    .unwrap();
    check(&p("b2"), "NaN bars");
    // Ragged input: more values than categories, and too few.
    grouped_bars(
        &p("b3"),
        "Ragged bars",
        "y",
        &cats,
        &[
            ("s".into(), vec![Some(est(-1.0, 0.5)); 5]),
            ("t".into(), vec![]),
        ],
    )
    .unwrap();
    check(&p("b3"), "Ragged bars");
    grouped_bars(
        &p("b4"),
        "Zero bars",
        "y",
        &cats,
        &[("s".into(), vec![Some(Estimate::point(0.0)); 2])],
    )
    .unwrap();
    check(&p("b4"), "Zero bars");

    lines(&p("l1"), "Empty lines", "x", "y", &[], None).unwrap();
    check(&p("l1"), "Empty lines");
    let s = Series {
        name: "n".into(),
        points: vec![(f64::NAN, est(1.0, 1.0)), (1.0, nan), (f64::INFINITY, nan)],
    };
    lines(&p("l2"), "NaN lines", "x", "y", &[s], None).unwrap();
    check(&p("l2"), "NaN lines");
    let single = Series {
        name: "one".into(),
        points: vec![(5.0, est(2.0, 0.5))],
    };
    lines(
        &p("l3"),
        "Single point",
        "x",
        "y",
        &[single],
        Some(&|v: f64| format!("{v}")),
    )
    .unwrap();
    check(&p("l3"), "Single point");

    cdf(&p("c1"), "Empty cdf", "x", &[]).unwrap();
    check(&p("c1"), "Empty cdf");
    cdf(
        &p("c2"),
        "NaN cdf",
        "x",
        &[
            ("s".into(), vec![(f64::NAN, 0.5), (1.0, f64::NAN)]),
            ("t".into(), vec![]),
        ],
    )
    .unwrap();
    check(&p("c2"), "NaN cdf");
    cdf(
        &p("c3"),
        "Point cdf",
        "x",
        &[("s".into(), vec![(3.0, 1.0)])],
    )
    .unwrap();
    check(&p("c3"), "Point cdf");

    heatmap(&p("h1"), "Empty heat", "x", "y", &[], &[], &[], "v").unwrap();
    check(&p("h1"), "Empty heat");
    let xs = vec!["a".to_string(), "b".to_string()];
    heatmap(
        &p("h2"),
        "NaN heat",
        "x",
        "y",
        &xs,
        &xs,
        &[vec![Some(f64::NAN), None]],
        "v",
    )
    .unwrap();
    check(&p("h2"), "NaN heat");
    heatmap(
        &p("h3"),
        "Const heat",
        "x",
        "y",
        &xs,
        &xs,
        &[vec![Some(2.0)], vec![Some(2.0), Some(2.0), Some(9.0)]],
        "v",
    )
    .unwrap();
    check(&p("h3"), "Const heat");
}

#[test]
fn overwrites_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("x");
    cdf(&stem, "First", "x", &cdf_data()).unwrap();
    cdf(&stem, "Second", "x", &cdf_data()).unwrap();
    let (svg, _) = check(&stem, "Second");
    assert!(!String::from_utf8(svg).unwrap().contains("First"));
}

#[test]
fn sig3_formatting() {
    assert_eq!(format_sig3(1234.5), "1230");
    assert_eq!(format_sig3(0.0), "0");
    assert_eq!(format_sig3(12.345), "12.3");
    assert_eq!(format_sig3(-0.012345), "-0.0123");
    assert_eq!(format_sig3(999.6), "1000");
    assert_eq!(format_sig3(0.09996), "0.100");
    assert_eq!(format_sig3(1.5e7), "1.50e7");
}

#[test]
fn ticks_are_round() {
    let (t, d) = nice_ticks(0.0, 1.0, 8);
    assert_eq!(d, 1);
    assert_eq!(t.first(), Some(&0.0));
    assert!((t.last().unwrap() - 1.0).abs() < 1e-12);
    let (t, _) = x_axis(5.0, 10.0, None, true);
    assert_eq!(
        t,
        [5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        "whole counts, whole ticks"
    );
    let (t, _) = x_axis(0.0, 25.0, None, true);
    assert!(t.iter().all(|v| v.fract() == 0.0), "{t:?}");
    let (t, _) = x_axis(5.0, 10.0, None, false);
    assert!(t.contains(&5.5), "{t:?}");
    let t = time_ticks(86400.0, 2.0 * 86400.0, 9).unwrap();
    assert!(t.iter().all(|v| v % 3600.0 == 0.0));
}

#[test]
fn legends_show_the_shared_part_once() {
    assert_eq!(
        legend_entries(&["routing.accept = auto", "routing.accept = ring"]),
        (
            Some("routing.accept".to_string()),
            vec!["auto".to_string(), "ring".to_string()]
        )
    );
    let whole = |names: &[&str]| (None, names.iter().map(|n| n.to_string()).collect());
    for names in [
        &["base", "two_login", "blended"][..],
        &["variant 1"],
        &["abc1", "abc2"],
        &["a b", "a c"],
    ] {
        assert_eq!(legend_entries(names), whole(names), "{names:?}");
    }
}

#[test]
fn long_titles_and_legends_are_wrapped_not_cut() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Service level (all skills) by agents.team.count at skill.chat.arrivals.rate = 120, routing.ring_timeout = 30s";
    let series: Vec<Series> = ["first", "second"]
        .iter()
        .map(|k| Series {
            name: format!("a rather long group name for the {k} team of agents"),
            points: vec![(1.0, Estimate::point(1.0)), (2.0, Estimate::point(2.0))],
        })
        .collect();
    let stem = dir.path().join("long");
    lines(&stem, title, "x", "y", &series, None).unwrap();
    let svg = String::from_utf8(std::fs::read(with_suffix(&stem, "svg")).unwrap()).unwrap();
    assert!(!svg.contains('…'), "nothing is cut");
    for word in title
        .split(' ')
        .chain(["rather", "first", "second", "agents"])
    {
        assert!(svg.contains(word), "{word} is shown");
    }
}

/// The x coordinates of the points of every `<polyline>` drawn with
/// `stroke` and `width` in `svg`.
fn polyline_xs(svg: &str, stroke: &str, width: u32) -> Vec<f64> {
    let key = format!("stroke=\"{stroke}\" stroke-width=\"{width}\" points=\"");
    svg.split("<polyline")
        .skip(1)
        .filter_map(|el| el.split_once(&key).map(|(_, rest)| rest))
        .flat_map(|rest| {
            let pts = rest.split('"').next().unwrap_or("");
            pts.split_whitespace()
                .filter_map(|p| p.split(',').next()?.parse::<f64>().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn span(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        })
}

#[test]
fn lines_reach_their_last_point_and_cdf_axes_come_from_the_data() {
    let dir = tempfile::tempdir().unwrap();
    // A line of 21 points (markers drawn): its path ends at its last marker,
    // at the right end of the x axis.
    let series = vec![Series {
        name: "only".into(),
        points: (0..=20)
            .map(|i| (f64::from(i), Estimate::point(f64::from(i * i % 7))))
            .collect(),
    }];
    let stem = dir.path().join("line");
    lines(&stem, "line", "x", "y", &series, None).unwrap();
    let svg = String::from_utf8(std::fs::read(with_suffix(&stem, "svg")).unwrap()).unwrap();
    let (_, path_right) = span(&polyline_xs(&svg, "#0072B2", 2));
    let (axis_left, axis_right) = span(&polyline_xs(&svg, "#000000", 1));
    let markers: Vec<f64> = svg
        .split("<circle cx=\"")
        .skip(1)
        .filter_map(|c| c.split('"').next()?.parse().ok())
        .collect();
    let (_, last_marker) = span(&markers);
    assert_eq!(markers.len(), 21, "a marker per point");
    assert!(
        (path_right - last_marker).abs() <= 1.0,
        "{path_right} vs {last_marker}"
    );
    assert!(path_right >= axis_right - 0.08 * (axis_right - axis_left));

    // A distribution far from 0 fills the axis: its range comes from the data,
    // and each curve is drawn to the axis's last data point.
    let cdf_series = vec![
        (
            "a".to_string(),
            vec![(4000.0, 0.1), (4500.0, 0.6), (5000.0, 1.0)],
        ),
        ("b".to_string(), vec![(4100.0, 0.5), (4200.0, 1.0)]),
    ];
    let stem = dir.path().join("cdf");
    cdf(&stem, "cdf", "x", &cdf_series).unwrap();
    let svg = String::from_utf8(std::fs::read(with_suffix(&stem, "svg")).unwrap()).unwrap();
    let (axis_left, axis_right) = span(&polyline_xs(&svg, "#000000", 1));
    let width = axis_right - axis_left;
    let (a0, a1) = span(&polyline_xs(&svg, "#0072B2", 2));
    assert!(
        a1 - a0 >= 0.85 * width,
        "curve spans {a0}..{a1} of {axis_left}..{axis_right}"
    );
    assert!(a1 >= axis_right - 0.05 * width);
    // The shorter curve is extended at its last level to the same x.
    let b = polyline_xs(&svg, "#E69F00", 2);
    assert!(
        (span(&b).1 - a1).abs() <= 1.0,
        "dashed curve ends at {} not {a1}",
        span(&b).1
    );
}

#[test]
fn long_category_names_keep_their_distinguishing_part() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = "customer-support-escalations-tier-one-"; // 38 characters
    let parts = ["early", "late", "weekend", "night"];
    let names: Vec<String> = parts.iter().map(|p| format!("{prefix}{p}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (pre, suf, got) = super::text::distinguishing(&refs).unwrap();
    assert_eq!((pre.as_str(), suf.as_str()), (prefix, ""));
    assert_eq!(got, parts);
    // A shared suffix too; nothing shared, or a name that would be empty: none.
    let (pre, suf, got) =
        super::text::distinguishing(&["chat-early-team", "chat-late-team"]).unwrap();
    assert_eq!(
        (pre.as_str(), suf.as_str(), got),
        (
            "chat-",
            "-team",
            vec!["early".to_string(), "late".to_string()]
        )
    );
    assert!(super::text::distinguishing(&["billing", "orders"]).is_none());
    assert!(super::text::distinguishing(&["chat", "chat-late"]).is_none());

    let series: Vec<(String, Vec<Option<Estimate>>)> = ["base", "more agents"]
        .iter()
        .map(|v| {
            (
                v.to_string(),
                (0..4)
                    .map(|c| Some(est(0.5 + c as f64 / 10.0, 0.02)))
                    .collect(),
            )
        })
        .collect();
    let stem = dir.path().join("bars");
    grouped_bars(
        &stem,
        "Occupancy per agent group",
        "occupancy (%)",
        &names,
        &series,
    )
    .unwrap();
    let grid: Vec<Vec<Option<f64>>> = (0..4)
        .map(|y| (0..4).map(|x| Some(f64::from(x + y))).collect())
        .collect();
    let heat = dir.path().join("heat");
    heatmap(
        &heat,
        "Heat",
        "group",
        "group",
        &names,
        &names,
        &grid,
        "a value whose description is rather long for the colour bar of a small chart",
    )
    .unwrap();
    if let Ok(d) = std::env::var("CHARTS_SAMPLE_DIR") {
        for (st, name) in [(&stem, "long_bars"), (&heat, "long_heat")] {
            let _ = std::fs::copy(
                with_suffix(st, "png"),
                Path::new(&d).join(format!("{name}.png")),
            );
        }
    }
    for stem in [&stem, &heat] {
        let svg = String::from_utf8(std::fs::read(with_suffix(stem, "svg")).unwrap()).unwrap();
        assert!(!svg.contains('…'), "{}: a label was cut", stem.display());
        assert_eq!(svg.matches("full names").count(), 1, "{}", stem.display());
        for p in parts {
            assert!(
                svg.lines().any(|l| l == p),
                "{}: no label {p}",
                stem.display()
            );
        }
        assert!(
            svg.contains("full names: customer-support-escalations-tier-one-&lt;label&gt;"),
            "{}: no note",
            stem.display()
        );
    }
    // Names that fit are left whole, with no note.
    let stem = dir.path().join("short");
    let (cats, series) = bars_data();
    grouped_bars(&stem, "short", "y", &cats, &series).unwrap();
    let svg = String::from_utf8(std::fs::read(with_suffix(&stem, "svg")).unwrap()).unwrap();
    assert!(svg.lines().any(|l| l == "tech support") && !svg.contains("full names"));
}

/// Renders sample charts into `$CHARTS_SAMPLE_DIR` for visual inspection.
#[test]
#[ignore]
fn render_samples() {
    let dir = PathBuf::from(
        std::env::var("CHARTS_SAMPLE_DIR").unwrap_or_else(|_| "/tmp/charts-samples".into()),
    );
    let (cats, series) = bars_data();
    grouped_bars(
        &dir.join("bars"),
        "Service level by skill",
        "share answered within 60 s",
        &cats,
        &series,
    )
    .unwrap();
    let f: &dyn Fn(f64) -> String = &week_format;
    lines(
        &dir.join("lines"),
        "Queue length over the week",
        "time of week",
        "contacts waiting",
        &lines_data(),
        Some(f),
    )
    .unwrap();
    cdf(
        &dir.join("cdf"),
        "Waiting time distribution",
        "waiting time (s)",
        &cdf_data(),
    )
    .unwrap();
    let (xs, ys, vals) = heat_data();
    heatmap(
        &dir.join("heat"),
        "Mean wait by staffing",
        "staffing",
        "skill",
        &xs,
        &ys,
        &vals,
        "mean wait (s)",
    )
    .unwrap();
    lines(
        &dir.join("empty"),
        "Nothing here",
        "x (s)",
        "y (s)",
        &[],
        None,
    )
    .unwrap();
    let cats: Vec<String> = (0..14)
        .map(|i| format!("skill with a rather long name {i}"))
        .collect();
    let many: Vec<(String, Vec<Option<Estimate>>)> = (0..12)
        .map(|s| {
            (
                format!("variant number {s} with long label"),
                (0..14)
                    .map(|c| Some(est((s as f64 - 4.0) * 10.0 + c as f64, 4.0)))
                    .collect(),
            )
        })
        .collect();
    grouped_bars(&dir.join("bars_many"), "A very long title that goes on and on to test truncation of titles in the chart header area of this picture", "delta (s)", &cats, &many).unwrap();
    let xs: Vec<String> = (0..24).map(|h| format!("{h:02}h")).collect();
    let ys: Vec<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let vals: Vec<Vec<Option<f64>>> = (0..7)
        .map(|d| {
            (0..24)
                .map(|h| Some(((h * 7 + d * 13) % 17) as f64 * 0.0612 + 0.01))
                .collect()
        })
        .collect();
    heatmap(
        &dir.join("heat_many"),
        "Occupancy by hour",
        "hour of day",
        "day of week",
        &xs,
        &ys,
        &vals,
        "occupancy (share)",
    )
    .unwrap();
}

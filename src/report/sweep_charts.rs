//! Charts of a finished sweep, drawn from its results file (so a merged
//! file gets the same charts as an unsharded run): four KPIs of scope `all`
//! against a grid key, one line per value of another key, with confidence
//! bands; and a heatmap of the service level over the first two keys.
//!
//! Which key goes where: the x axis is the first grid key whose values are
//! all numbers (plotted numerically); the lines are the first other key
//! (string keys such as `routing.accept` only ever appear as lines); the
//! heatmap uses the first two keys. Keys with a single value are constants
//! and are passed over. Any further key is held at its first value —
//! averaging over it would mix different systems — and the chart's title
//! says so. Without a numeric key the KPIs are drawn as grouped bars
//! instead.

use crate::error::{Context, Error, Result};
use crate::metrics::Id;
use crate::report::charts::{self, Estimate, Series};
use std::collections::HashMap;
use std::path::Path;

/// The KPIs charted against the grid: (metric, title, y axis label).
const KPIS: [(Id, &str, &str); 4] = [
    (
        Id::ServiceLevel,
        "Service level",
        "service level (share answered within target)",
    ),
    (
        Id::AbandonmentRate,
        "Abandonment rate",
        "abandonment rate (share of offered)",
    ),
    (
        Id::FirstResponseMean,
        "Mean first response",
        "mean first response time (s)",
    ),
    (
        Id::Occupancy,
        "Occupancy",
        "occupancy (typing ÷ logged-in time)",
    ),
];

/// The `all`-scope KPIs of a results file, by point labels.
struct Table {
    /// Grid key paths, in column order.
    keys: Vec<String>,
    /// Distinct labels per key, in order of first appearance (grid order).
    values: Vec<Vec<String>>,
    /// (labels, metric) → estimate.
    cells: HashMap<(Vec<String>, Id), Estimate>,
}

impl Table {
    fn parse(csv: &[u8]) -> Result<Table> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(csv);
        let header = rdr
            .headers()
            .with_context(|| "reading the results header")?
            .clone();
        if header.len() < 8 || header.get(0) != Some("point") {
            return Err(Error::other(format!(
                "not a sweep results file: header `{}`",
                header.iter().collect::<Vec<_>>().join(",")
            )));
        }
        let k = header.len() - 7;
        let keys: Vec<String> = header.iter().skip(1).take(k).map(str::to_string).collect();
        let mut values: Vec<Vec<String>> = vec![Vec::new(); k];
        let mut cells = HashMap::new();
        let number = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
        for rec in rdr.records() {
            let rec = rec.with_context(|| "reading the results")?;
            let labels: Vec<String> = (0..k)
                .map(|j| rec.get(1 + j).unwrap_or_default().to_string())
                .collect();
            for (j, l) in labels.iter().enumerate() {
                if !values[j].contains(l) {
                    values[j].push(l.clone());
                }
            }
            let metric = Id::from_name(rec.get(2 + k).unwrap_or_default());
            let Some(metric) = metric.filter(|m| KPIS.iter().any(|(k, _, _)| k == m)) else {
                continue;
            };
            if rec.get(1 + k) != Some("all") {
                continue;
            }
            let est = Estimate {
                mean: number(rec.get(3 + k).unwrap_or_default()),
                lo: number(rec.get(4 + k).unwrap_or_default()),
                hi: number(rec.get(5 + k).unwrap_or_default()),
            };
            cells.insert((labels, metric), est);
        }
        Ok(Table {
            keys,
            values,
            cells,
        })
    }

    fn numeric(&self, key: usize) -> bool {
        self.values[key].iter().all(|v| v.parse::<f64>().is_ok())
    }

    /// The labels of the point with the given keys set and the others at their first value.
    fn labels(&self, set: &[(usize, &str)]) -> Vec<String> {
        (0..self.keys.len())
            .map(|j| {
                set.iter().find(|(k, _)| *k == j).map_or_else(
                    || self.values[j].first().cloned().unwrap_or_default(),
                    |(_, v)| (*v).to_string(),
                )
            })
            .collect()
    }

    fn get(&self, set: &[(usize, &str)], metric: Id) -> Option<Estimate> {
        self.cells.get(&(self.labels(set), metric)).copied()
    }

    /// ` (k = v, ...)` for the keys held at their first value, or "".
    fn held(&self, free: &[usize]) -> String {
        let held: Vec<String> = (0..self.keys.len())
            .filter(|j| !free.contains(j) && self.values[*j].len() > 1)
            .map(|j| {
                format!(
                    "{} = {}",
                    self.keys[j],
                    self.values[j].first().map_or("", String::as_str)
                )
            })
            .collect();
        if held.is_empty() {
            String::new()
        } else {
            format!(" at {}", held.join(", "))
        }
    }
}

/// Draws the charts of the sweep results `csv` into `dir` (SVG and PNG of
/// each); returns the chart stems written, e.g. `service_level`.
///
/// # Errors
///
/// When the results cannot be parsed or a chart cannot be written.
pub fn draw(csv: &[u8], dir: &Path) -> Result<Vec<String>> {
    let t = Table::parse(csv)?;
    let mut written = Vec::new();
    if t.keys.is_empty() {
        return Ok(written);
    }
    // Keys with a single value are constants: they never get an axis.
    let mut varying: Vec<usize> = (0..t.keys.len())
        .filter(|&j| t.values[j].len() > 1)
        .collect();
    if varying.is_empty() {
        varying.push(0);
    }
    let x = varying.iter().copied().find(|&j| t.numeric(j));
    let line_key = varying.iter().copied().find(|&j| Some(j) != x);
    for (metric, title, y_label) in KPIS {
        let stem = dir.join(metric.name());
        match x {
            Some(x) => {
                let free: Vec<usize> = [Some(x), line_key].into_iter().flatten().collect();
                let title = format!("{title} (all skills) by {}{}", t.keys[x], t.held(&free));
                let line_values: Vec<Option<&str>> = match line_key {
                    Some(l) => t.values[l].iter().map(|v| Some(v.as_str())).collect(),
                    None => vec![None],
                };
                let series: Vec<Series> = line_values
                    .iter()
                    .map(|lv| {
                        let mut points: Vec<(f64, Estimate)> = t.values[x]
                            .iter()
                            .map(|xv| {
                                let mut set = vec![(x, xv.as_str())];
                                if let (Some(l), Some(v)) = (line_key, lv) {
                                    set.push((l, v));
                                }
                                let e = t
                                    .get(&set, metric)
                                    .unwrap_or_else(|| Estimate::point(f64::NAN));
                                (xv.parse::<f64>().unwrap_or(f64::NAN), e)
                            })
                            .collect();
                        points.sort_by(|a, b| a.0.total_cmp(&b.0));
                        let name = match (line_key, lv) {
                            (Some(l), Some(v)) => format!("{} = {v}", t.keys[l]),
                            _ => "all skills".to_string(),
                        };
                        Series { name, points }
                    })
                    .collect();
                charts::lines(&stem, &title, &t.keys[x], y_label, &series, None)?;
            }
            None => {
                // No numeric key: categories of the first key, bars per value of the second.
                let cat = varying[0];
                let free: Vec<usize> = [Some(cat), line_key].into_iter().flatten().collect();
                let title = format!("{title} (all skills) by {}{}", t.keys[cat], t.held(&free));
                let groups: Vec<Option<&str>> = match line_key {
                    Some(l) => t.values[l].iter().map(|v| Some(v.as_str())).collect(),
                    None => vec![None],
                };
                let series: Vec<(String, Vec<Option<Estimate>>)> = groups
                    .iter()
                    .map(|g| {
                        let bars = t.values[cat]
                            .iter()
                            .map(|c| {
                                let mut set = vec![(cat, c.as_str())];
                                if let (Some(l), Some(v)) = (line_key, g) {
                                    set.push((l, v));
                                }
                                t.get(&set, metric)
                            })
                            .collect();
                        let name = match (line_key, g) {
                            (Some(l), Some(v)) => format!("{} = {v}", t.keys[l]),
                            _ => "all skills".to_string(),
                        };
                        (name, bars)
                    })
                    .collect();
                charts::grouped_bars(&stem, &title, y_label, &t.values[cat], &series)?;
            }
        }
        written.push(metric.name().to_string());
    }
    if let [a, b, ..] = varying[..] {
        let title = format!(
            "Service level (all skills) by {} and {}{}",
            t.keys[a],
            t.keys[b],
            t.held(&[a, b])
        );
        let cells: Vec<Vec<Option<f64>>> = t.values[b]
            .iter()
            .map(|yv| {
                t.values[a]
                    .iter()
                    .map(|xv| {
                        t.get(&[(a, xv.as_str()), (b, yv.as_str())], Id::ServiceLevel)
                            .map(|e| e.mean)
                    })
                    .collect()
            })
            .collect();
        charts::heatmap(
            &dir.join("service_level_heatmap"),
            &title,
            &t.keys[a],
            &t.keys[b],
            &t.values[a],
            &t.values[b],
            &cells,
            "service level",
        )?;
        written.push("service_level_heatmap".to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_holds_further_keys_at_their_first_value() {
        let csv = "point,a,b,c,skill,metric,mean,ci_low,ci_high,replications\n\
                   0,1,x,p,all,service_level,0.5,0.4,0.6,3\n\
                   1,1,x,q,all,service_level,0.7,,,3\n\
                   2,2,y,p,all,service_level,0.9,0.8,1,3\n\
                   2,2,y,p,s,service_level,0.1,0.1,0.1,3\n";
        let t = Table::parse(csv.as_bytes()).unwrap();
        assert_eq!(t.keys, ["a", "b", "c"]);
        assert_eq!(t.values[2], ["p", "q"]);
        assert!(t.numeric(0) && !t.numeric(1));
        assert_eq!(
            t.get(&[(0, "2"), (1, "y")], Id::ServiceLevel).unwrap().mean,
            0.9
        );
        assert!(t.get(&[(0, "1"), (1, "y")], Id::ServiceLevel).is_none());
        assert_eq!(t.held(&[0, 1]), " at c = p");
    }
}

//! `report.html`: one self-contained page per command — headings, plain
//! text, tables and charts inline as SVG. No external request, no
//! script: the page reads the same in any browser, offline, attached to
//! an e-mail.
//!
//! The page is data ([`Page`] of [`Block`]s) rendered by one function, so
//! each command only says what to show; this module owns how it looks
//! and that every text is escaped.

use std::fmt::Write;

/// One piece of a page, in reading order.
#[derive(Clone, Debug)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph of plain text.
    Text(String),
    /// A bulleted list of plain-text items.
    List(Vec<String>),
    /// A table: a header row, then rows of cells (plain text). Cells that
    /// look like numbers are right-aligned.
    Table {
        /// Column names.
        header: Vec<String>,
        /// Rows.
        rows: Vec<Vec<String>>,
    },
    /// A chart: an SVG document inlined, with a caption.
    Chart {
        /// Caption under the chart (also the accessible name).
        caption: String,
        /// The SVG document (as written to the chart file).
        svg: String,
    },
}

/// A whole page.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Title (the browser tab and the top heading).
    pub title: String,
    /// A line under the title (what ran, when, with which seed).
    pub subtitle: String,
    /// The content.
    pub blocks: Vec<Block>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document made fit to inline: without an XML declaration or a
/// doctype, which are not allowed inside HTML.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => svg[i..].trim_end(),
        None => "",
    }
}

/// Whether a cell reads as a number (right-aligned).
fn numeric(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty()
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+')
        && t.chars().any(|c| c.is_ascii_digit())
}

const STYLE: &str = "body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:2em auto;\
max-width:72em;padding:0 1em;color:#1b1b1b;line-height:1.4}\
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;\
border-bottom:1px solid #ccc}.sub{color:#555;margin-top:0}\
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}\
th,td{border:1px solid #d0d0d0;padding:.25em .6em;text-align:left}\
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto}\
figcaption{color:#444;font-size:.9em}";

/// The page as one HTML document.
pub fn render(page: &Page) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&page.title),
        escape(&page.title)
    );
    if !page.subtitle.is_empty() {
        let _ = writeln!(o, "<p class=\"sub\">{}</p>", escape(&page.subtitle));
    }
    for b in &page.blocks {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(o, "<h2>{}</h2>", escape(h));
            }
            Block::Text(t) => {
                let _ = writeln!(o, "<p>{}</p>", escape(t));
            }
            Block::List(items) => {
                o.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(o, "<li>{}</li>", escape(i));
                }
                o.push_str("</ul>\n");
            }
            Block::Table { header, rows } => {
                o.push_str("<table>\n<thead><tr>");
                for h in header {
                    let _ = write!(o, "<th>{}</th>", escape(h));
                }
                o.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    o.push_str("<tr>");
                    for c in r {
                        let class = if numeric(c) { " class=\"n\"" } else { "" };
                        let _ = write!(o, "<td{class}>{}</td>", escape(c));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</tbody>\n</table>\n");
            }
            Block::Chart { caption, svg } => {
                let _ = writeln!(
                    o,
                    "<figure role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    escape(caption),
                    inline_svg(svg),
                    escape(caption)
                );
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        Page {
            title: "run <example> & co".into(),
            subtitle: "seed 1".into(),
            blocks: vec![
                Block::Heading("KPIs".into()),
                Block::Table {
                    header: vec!["metric".into(), "all".into()],
                    rows: vec![vec!["service level".into(), "80.1% ±0.4%".into()]],
                },
                Block::Chart {
                    caption: "Service level".into(),
                    svg: "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n"
                        .into(),
                },
                Block::List(vec!["a\u{1b}[31m".into()]),
            ],
        }
    }

    #[test]
    fn text_is_escaped_and_control_characters_replaced() {
        let html = render(&page());
        assert!(html.contains("<title>run &lt;example&gt; &amp; co</title>"));
        assert!(!html.contains('\u{1b}'));
        assert!(html.contains("a\u{FFFD}[31m"));
    }

    #[test]
    fn charts_are_inlined_without_xml_declaration() {
        let html = render(&page());
        assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>"));
        assert!(!html.contains("<?xml"));
        assert!(html.contains("<figcaption>Service level</figcaption>"));
    }

    #[test]
    fn self_contained_and_balanced() {
        let html = render(&page());
        for banned in ["<script", "http://", "https://", "src=", "<link"] {
            let outside_svg = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            assert!(!outside_svg.contains(banned), "page contains {banned}");
        }
        for tag in [
            "table", "thead", "tbody", "tr", "figure", "ul", "html", "body", "head",
        ] {
            let open = html.matches(&format!("<{tag}>")).count()
                + html.matches(&format!("<{tag} ")).count();
            let close = html.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "<{tag}> unbalanced");
        }
        assert!(html.contains("<td class=\"n\">80.1% ±0.4%</td>"));
        assert!(html.contains("<td>service level</td>"));
    }
}

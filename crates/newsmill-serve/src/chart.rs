//! Charts as inline SVG, drawn on the server so they show without JavaScript.
//!
//! Styling comes from the page's CSS classes (the CSP forbids inline styles), so the chart
//! follows the light and dark themes. Every chart has a text fallback: a `<title>` per bar and
//! a folded table of the numbers.

use chrono::NaiveDate;
use maud::{Markup, html};

/// One bar: a label (a day or a month), a value, and an optional share of the day's articles.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: u64,
    pub(crate) share: Option<f64>,
}

/// Fills the days missing between the first and the last with zeros, so the x axis is time;
/// spans longer than 184 days are grouped by month instead.
pub(crate) fn calendar(points: &[(String, u64, Option<u64>)]) -> Vec<Bar> {
    let parse = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let dated: Vec<(NaiveDate, u64, Option<u64>)> = points
        .iter()
        .filter_map(|(d, c, t)| parse(d).map(|d| (d, *c, *t)))
        .collect();
    let (Some(&first), Some(&last)) = (dated.first(), dated.last()) else {
        return Vec::new();
    };
    let span = (last.0 - first.0).num_days();
    let share = |c: u64, t: Option<u64>| t.map(|t| if t == 0 { 0.0 } else { c as f64 / t as f64 });
    if span > 184 {
        let mut months: Vec<(String, u64, Option<u64>)> = Vec::new();
        for (d, c, t) in dated {
            let m = d.format("%Y-%m").to_string();
            match months.last_mut() {
                Some(last) if last.0 == m => {
                    last.1 += c;
                    last.2 = match (last.2, t) {
                        (Some(a), Some(b)) => Some(a + b),
                        _ => None,
                    };
                }
                _ => months.push((m, c, t)),
            }
        }
        return months
            .into_iter()
            .map(|(label, value, t)| Bar {
                label,
                value,
                share: share(value, t),
            })
            .collect();
    }
    let mut bars = Vec::with_capacity(span as usize + 1);
    let mut it = dated.into_iter().peekable();
    let mut day = first.0;
    while day <= last.0 {
        let (value, total) = match it.peek() {
            Some((d, c, t)) if *d == day => {
                let v = (*c, *t);
                it.next();
                v
            }
            _ => (0, Some(0)),
        };
        bars.push(Bar {
            label: day.format("%Y-%m-%d").to_string(),
            value,
            share: share(value, total).filter(|_| total.is_some()),
        });
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    bars
}

const W: f64 = 720.0;
const H: f64 = 140.0;
const PAD_L: f64 = 36.0;
const PAD_B: f64 = 20.0;

/// A bar chart of `bars`; `what` names the value for the text fallback ("articles").
pub(crate) fn bar_chart(bars: &[Bar], what: &str, caption: &str) -> Markup {
    bar_chart_linked(bars, what, caption, None)
}

/// A bar chart whose daily bars link to `link(day)` (a search narrowed to that day).
pub(crate) fn bar_chart_linked(
    bars: &[Bar],
    what: &str,
    caption: &str,
    link: Option<&dyn Fn(&str) -> String>,
) -> Markup {
    if bars.is_empty() {
        return html! { p.muted { "No dated articles to chart." } };
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let plot_w = W - PAD_L - 4.0;
    let plot_h = H - PAD_B - 6.0;
    let step = plot_w / bars.len() as f64;
    let bw = (step * 0.8).clamp(1.0, 28.0);
    let total: u64 = bars.iter().map(|b| b.value).sum();
    let label = format!(
        "{caption}: {total} {what} from {} to {}, at most {max} in one period",
        bars[0].label,
        bars[bars.len() - 1].label
    );
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(label) {
                line.axis x1=(PAD_L) y1=(H - PAD_B) x2=(W - 2.0) y2=(H - PAD_B) {}
                text.tick x=(PAD_L - 4.0) y="12" text-anchor="end" { (max) }
                text.tick x=(PAD_L - 4.0) y=(H - PAD_B) text-anchor="end" { "0" }
                @for (i, b) in bars.iter().enumerate() {
                    @let h = (b.value as f64 / max as f64) * plot_h;
                    @let x = format!("{:.1}", PAD_L + i as f64 * step + (step - bw) / 2.0);
                    @let rect = html! {
                        // A full-height, invisible hit area keeps small bars easy to click.
                        rect.hit-area x=(x) y="0" width=(format!("{bw:.1}")) height=(format!("{:.1}", H - PAD_B)) {}
                        rect.bar x=(x) y=(format!("{:.1}", H - PAD_B - h)) width=(format!("{bw:.1}")) height=(format!("{h:.1}")) {}
                        title {
                            (b.label) ": " (b.value) " " (what)
                            @if let Some(s) = b.share { " (" (format!("{:.1}", s * 100.0)) "% of all)" }
                        }
                    };
                    @match link.filter(|_| b.label.len() == 10 && b.value > 0) {
                        Some(f) => { a href=(f(&b.label)) { (rect) } }
                        None => { g { (rect) } }
                    }
                }
                text.tick x=(PAD_L) y=(H - 4.0) text-anchor="start" { (bars[0].label) }
                text.tick x=(W - 2.0) y=(H - 4.0) text-anchor="end" { (bars[bars.len() - 1].label) }
            }
            figcaption {
                (caption)
                details.data {
                    summary { "Numbers" }
                    table {
                        thead { tr { th { "Period" } th { (what) } @if bars.iter().any(|b| b.share.is_some()) { th { "Share of all" } } } }
                        tbody {
                            @for b in bars.iter().filter(|b| b.value > 0) {
                                tr { td { (b.label) } td.num { (b.value) }
                                    @if let Some(s) = b.share { td.num { (format!("{:.1}%", s * 100.0)) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_gaps_and_groups_months() {
        let bars = calendar(&[
            ("2024-06-01".into(), 2, Some(4)),
            ("2024-06-03".into(), 1, Some(1)),
        ]);
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[1].value, 0);
        assert_eq!(bars[0].share, Some(0.5));
        let bars = calendar(&[
            ("2023-01-05".into(), 1, None),
            ("2024-01-05".into(), 1, None),
        ]);
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].label, "2023-01");
        let svg = bar_chart(&bars, "articles", "Attention").into_string();
        assert!(svg.contains("<svg") && svg.contains("2023-01: 1 articles"));
    }
}

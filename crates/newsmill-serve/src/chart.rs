//! Charts as inline SVG, drawn on the server so they show without JavaScript.
//!
//! Styling comes from the page's CSS classes (the CSP forbids inline styles), so the chart
//! follows the light and dark themes. Every chart has a text fallback: a `<title>` per bar and
//! a folded table of the numbers.

use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};

use crate::when::period_label;

/// One bar: a label (a day or a month), a value, and an optional share of the day's articles.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: u64,
    pub(crate) share: Option<f64>,
}

/// A period's number (days, months or years since the common era).
type PeriodKey = fn(NaiveDate) -> i64;
/// A period's label (`2024-06-19`, `2024-06`, `2024`).
type PeriodLabel = fn(NaiveDate) -> String;

/// Fills the periods missing between the first and the last with zeros, so the x axis is
/// time: one bar per day for spans up to 184 days, per month up to 10 years, per year beyond.
/// [`period`] names the bars' period for the caption.
pub(crate) fn calendar(points: &[(String, u64, Option<u64>)]) -> Vec<Bar> {
    let parse = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let mut dated: Vec<(NaiveDate, u64, Option<u64>)> = points
        .iter()
        .filter_map(|(d, c, t)| parse(d).map(|d| (d, *c, *t)))
        .collect();
    dated.sort_by_key(|p| p.0);
    let (Some(&first), Some(&last)) = (dated.first(), dated.last()) else {
        return Vec::new();
    };
    let span = (last.0 - first.0).num_days();
    let with_totals = dated.iter().any(|p| p.2.is_some());
    // A period is numbered from the first: days, months or years since it.
    let (key, label): (PeriodKey, PeriodLabel) = if span <= 184 {
        (
            |d| i64::from(d.num_days_from_ce()),
            |d| d.format("%Y-%m-%d").to_string(),
        )
    } else if span <= 3653 {
        (
            |d| i64::from(d.year()) * 12 + i64::from(d.month0()),
            |d| d.format("%Y-%m").to_string(),
        )
    } else {
        (|d| i64::from(d.year()), |d| d.format("%Y").to_string())
    };
    let share = |c: u64, t: Option<u64>| t.map(|t| if t == 0 { 0.0 } else { c as f64 / t as f64 });
    let (k0, k1) = (key(first.0), key(last.0));
    // Per period: articles, the day's totals (when every day of it has one), a date in it.
    let mut slots: Vec<(u64, Option<u64>, Option<NaiveDate>)> =
        vec![(0, Some(0), None); (k1 - k0 + 1) as usize];
    for (d, c, t) in dated {
        let slot = &mut slots[(key(d) - k0) as usize];
        slot.0 += c;
        slot.1 = match (slot.1, t) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        slot.2.get_or_insert(d);
    }
    let mut bars = Vec::with_capacity(slots.len());
    let mut cursor = first.0;
    for (i, (value, total, date)) in slots.into_iter().enumerate() {
        // The label of an empty period: step a date forward until it falls in the period.
        let k = k0 + i as i64;
        let date = date.unwrap_or_else(|| {
            while key(cursor) < k {
                cursor = next_period(cursor, span);
            }
            cursor
        });
        bars.push(Bar {
            label: label(date),
            value,
            share: share(value, total).filter(|_| with_totals),
        });
    }
    bars
}

/// The first day of the next day, month or year, by the span's grouping.
fn next_period(d: NaiveDate, span: i64) -> NaiveDate {
    let next = if span <= 184 {
        d.succ_opt()
    } else if span <= 3653 {
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    };
    next.unwrap_or(NaiveDate::MAX)
}

/// The period of `calendar`'s bars, for a caption: "day", "month" or "year".
pub(crate) fn period(bars: &[Bar]) -> &'static str {
    match bars.first().map(|b| b.label.len()) {
        Some(7) => "month",
        Some(4) => "year",
        _ => "day",
    }
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
        period_label(&bars[0].label),
        period_label(&bars[bars.len() - 1].label)
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
                            (period_label(&b.label)) ": " (b.value) " " (what)
                            @if let Some(s) = b.share { " (" (format!("{:.1}", s * 100.0)) "% of all)" }
                        }
                    };
                    @match link.filter(|_| b.label.len() == 10 && b.value > 0) {
                        Some(f) => { a href=(f(&b.label)) { (rect) } }
                        None => { g { (rect) } }
                    }
                }
                text.tick x=(PAD_L) y=(H - 4.0) text-anchor="start" { (period_label(&bars[0].label)) }
                text.tick x=(W - 2.0) y=(H - 4.0) text-anchor="end" { (period_label(&bars[bars.len() - 1].label)) }
            }
            figcaption {
                (caption)
                details.data {
                    summary { "Numbers" }
                    table {
                        thead { tr { th { "Period" } th { (what) } @if bars.iter().any(|b| b.share.is_some()) { th { "Share of all" } } } }
                        tbody {
                            @for b in bars.iter().filter(|b| b.value > 0) {
                                tr { td { time datetime=(b.label) { (period_label(&b.label)) } } td.num { (b.value) }
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
        assert_eq!(period(&bars), "day");
        let bars = calendar(&[
            ("2023-01-05".into(), 1, None),
            ("2024-01-05".into(), 1, None),
        ]);
        assert_eq!(bars[0].label, "2023-01");
        let svg = bar_chart(&bars, "articles", "Attention").into_string();
        assert!(svg.contains("<svg") && svg.contains("January 2023: 1 articles"));
    }

    // See: issue 23 (a 3.5-year gap was drawn as wide as a month, under "Articles per day").
    #[test]
    fn regression_23_bars_are_spaced_by_time_and_named_by_their_period() {
        let bars = calendar(&[
            ("2020-06-10".into(), 3, Some(3)),
            ("2020-06-20".into(), 1, Some(1)),
            ("2023-12-01".into(), 2, Some(2)),
        ]);
        assert_eq!(period(&bars), "month");
        // June 2020 to December 2023: 43 months, the empty ones as zeros.
        assert_eq!(bars.len(), 43);
        assert_eq!((bars[0].label.as_str(), bars[0].value), ("2020-06", 4));
        assert_eq!((bars[1].label.as_str(), bars[1].value), ("2020-07", 0));
        assert_eq!(bars[7].label, "2021-01");
        assert_eq!((bars[42].label.as_str(), bars[42].value), ("2023-12", 2));
        let decades = calendar(&[
            ("1999-03-01".into(), 1, None),
            ("2024-01-01".into(), 5, None),
        ]);
        assert_eq!(period(&decades), "year");
        assert_eq!(decades.len(), 26);
        assert_eq!(decades[1].label, "2000");
        // Out of order input is sorted.
        let days = calendar(&[
            ("2024-06-03".into(), 1, None),
            ("2024-06-01".into(), 2, None),
        ]);
        assert_eq!(days.iter().map(|b| b.value).collect::<Vec<_>>(), [2, 0, 1]);
    }
}

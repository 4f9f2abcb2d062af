//! Plain-text articles as scrapers leave them.
//!
//! The input is a headline, maybe a dek, paragraphs, headings and lists, one per line or per
//! blank-line-separated chunk, with site chrome mixed in. The extractor works on *units* (one
//! logical line each) in four passes:
//!
//! 1. **Units.** Lines are trimmed; hard-wrapped prose is rejoined; list markers are read.
//! 2. **Chrome.** Boilerplate labels (share bars, "Read more:", comment labels in many
//!    languages), short lines in another script than the body, verbatim repeats, and byline or
//!    date lines at the top go to `removed` (bylines and dates also to metadata).
//! 3. **Sources.** A "Sources:"/"References" section, or a numbered list that closes the
//!    article, goes to `sources_cited`.
//! 4. **Structure.** The first line is the title; a short line after it is the dek; short lines
//!    without final punctuation that lead into a paragraph are headings; the rest are
//!    paragraphs and list items.

use std::collections::HashSet;
use std::sync::LazyLock;

use newsmill_core::{Block, BlockKind, Record, Removed, RemovedReason};
use regex::Regex;

use crate::boilerplate::{Script, classify_line, dominant_script, foreign_script};
use crate::{ExtractConfig, dateline};

/// A list marker read off the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `1.`, `1)`, `[1]`.
    Numbered(u32),
    /// `-`, `*`, `•` and kin.
    Bullet,
    /// `#`, `##`... (Markdown): the line is a heading whatever its shape.
    Hash,
}

/// One logical line.
#[derive(Debug, Clone)]
struct Unit {
    /// The text, white space collapsed, list marker removed.
    text: String,
    /// The line as written (trimmed), for `removed`.
    raw: String,
    marker: Option<Marker>,
    /// Index of the blank-line-separated chunk the line sat in.
    chunk: usize,
}

impl Unit {
    /// A numbered or bulleted list line.
    fn is_list(&self) -> bool {
        matches!(self.marker, Some(Marker::Numbered(_) | Marker::Bullet))
    }
}

/// What the passes decided for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Undecided,
    Title,
    Dek,
    Heading,
    Paragraph,
    ListItem,
    Source,
    Dropped(RemovedReason),
}

static LIST_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{1,3})[.)]\s+|\[(\d{1,3})\]\s*|([-*•·▪►‣◦–—])\s+|(#{1,6})\s+)(\S.*)$")
        .expect("valid regex")
});

static SOURCES_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:sources?|references?|reference list|bibliography|works cited|citations|sources and references|quellen(?:angaben)?|quelle|fuentes?|referencias|fontes|referências|fonti|bronnen|источники|المصادر|المراجع|সূত্র|তথ্যসূত্র|स्रोत|参考(?:文献|资料)|来源|出典|출처)(?:\s+(?:cited|used|consulted|list|and references|and further reading))?\s*(?:[:：]\s*(.*))?$",
    )
    .expect("valid regex")
});

/// A byline line: a lead of `byline-lead` (`rules/bylines.rules`), then a capitalised name.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    let f = crate::rules::rules().family("byline-lead");
    Regex::new(&format!(
        r"^(?i:{})\s+(\p{{Lu}}.{{1,80}})$",
        f.regex_source()
    ))
    .expect("valid regex")
});

/// A dateline that opens a lede ("MOSCOW (Reuters) -", "SEOUL, June 19 —"): such a line is a
/// paragraph, never a dek.
static DATELINE_LEDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Lu}[\p{Lu} .'-]{2,40}(?:,[^—–-]{1,30})?\s*(?:\([^)]{1,30}\))?\s*[—–-]\s")
        .expect("valid regex")
});

/// Extracts a record from a plain-text article.
pub(crate) fn extract_text(input: &str, config: &ExtractConfig) -> Record {
    let mut units = split_units(input);
    let mut roles = vec![Role::Undecided; units.len()];
    let mut record = Record::default();

    let body_script = dominant_script(input);
    drop_chrome(&units, &mut roles, body_script, &config.tuning);
    read_top_metadata(&units, &mut roles, &mut record);
    mark_title(&units, &mut roles, &mut record);
    // Repeats of the title go before the dek is chosen, so a doubled headline is not a dek.
    drop_repeats(&units, &mut roles);
    mark_dek(&units, &mut roles, &mut record);
    drop_repeats(&units, &mut roles);
    find_sources(&units, &mut roles, &mut record);
    if config.tuning.step("tail-fragment") {
        drop_tail_fragments(&units, &mut roles);
    }
    mark_structure(&units, &mut roles);

    for (unit, role) in units.iter_mut().zip(&roles) {
        let text = std::mem::take(&mut unit.text);
        match *role {
            Role::Heading => record.blocks.push(Block::new(BlockKind::Heading, text)),
            Role::Paragraph | Role::Undecided => {
                record.blocks.push(Block::new(BlockKind::Paragraph, text))
            }
            Role::ListItem => record.blocks.push(Block::new(BlockKind::ListItem, text)),
            Role::Source => record.sources_cited.push(text),
            Role::Dropped(reason) => record.removed.push(Removed {
                reason,
                text: std::mem::take(&mut unit.raw),
                language: None,
            }),
            Role::Title | Role::Dek => {}
        }
    }
    keep_removed_out_of_text(&mut record);
    if config.detect_language {
        set_languages(&mut record);
    }
    record
}

/// Context decides some drops (a "Sources:" header, a line at the top), so the same line can
/// be dropped in one place and kept in another. A line that was dropped once is dropped
/// everywhere, for the same reason, so that no removed text stays in `text`.
fn keep_removed_out_of_text(record: &mut Record) {
    if record.removed.is_empty() {
        return;
    }
    let dropped: std::collections::HashMap<String, RemovedReason> = record
        .removed
        .iter()
        .map(|r| (collapse(&r.text), r.reason))
        .collect();
    let mut moved = Vec::new();
    record.blocks.retain(|b| match dropped.get(&b.text) {
        Some(&reason) => {
            moved.push(Removed {
                reason,
                text: b.text.clone(),
                language: None,
            });
            false
        }
        None => true,
    });
    record.removed.extend(moved);
}

/// Pass 1: lines to units.
fn split_units(input: &str) -> Vec<Unit> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    // CR LF and lone CR are line ends too; normalise so a CR LF is one break, not a blank line.
    let normalised;
    let input = if input.contains('\r') {
        normalised = input.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        input
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut chunk = 0;
    let mut blank = true;
    for line in input.split('\n') {
        let line =
            line.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}');
        if line.is_empty() {
            if !blank {
                chunk += 1;
            }
            blank = true;
            continue;
        }
        blank = false;
        let (marker, body) = match LIST_MARKER.captures(line) {
            Some(c) => {
                let n = c
                    .get(1)
                    .or_else(|| c.get(2))
                    .and_then(|m| m.as_str().parse().ok());
                let marker = match n {
                    Some(n) => Marker::Numbered(n),
                    None if c.get(4).is_some() => Marker::Hash,
                    None => Marker::Bullet,
                };
                (Some(marker), c.get(5).map_or(line, |m| m.as_str()))
            }
            None => (None, line),
        };
        let text = collapse(body);
        if let Some(prev) = units.last_mut()
            && marker.is_none()
            && prev.chunk == chunk
            && prev.marker.is_none()
            && is_wrapped(&prev.text, &text)
        {
            prev.text.push(' ');
            prev.text.push_str(&text);
            prev.raw.push('\n');
            prev.raw.push_str(line);
            continue;
        }
        units.push(Unit {
            text,
            raw: line.to_string(),
            marker,
            chunk,
        });
    }
    units
}

/// True when `next` continues `prev` on a new line of hard-wrapped prose: `prev` is long and
/// stops mid-sentence, and `next` starts in lower case or `prev` ends in a comma or hyphen.
fn is_wrapped(prev: &str, next: &str) -> bool {
    if prev.chars().count() < 60 || ends_sentence(prev) {
        return false;
    }
    let starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    starts_lower || prev.ends_with([',', '-', '–', '—', '(']) || next.chars().count() >= 60
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// True when the text ends like a sentence (closing quotes and brackets looked through).
fn ends_sentence(s: &str) -> bool {
    let s = s.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', '*']);
    s.ends_with(['.', '!', '?', '…', '。', '！', '？', '؟', '।', ';', ':'])
}

/// Pass 2a: boilerplate labels and short lines in a foreign script.
fn drop_chrome(
    units: &[Unit],
    roles: &mut [Role],
    body_script: Option<Script>,
    tuning: &crate::Tuning,
) {
    for (unit, role) in units.iter().zip(roles.iter_mut()) {
        if let Some(reason) = classify_line(&unit.text, tuning) {
            *role = Role::Dropped(reason);
        } else if tuning.step("foreign-script") && foreign_script(&unit.text, body_script) {
            *role = Role::Dropped(RemovedReason::Boilerplate);
        }
    }
}

/// Pass 2b: bylines and date lines among the first lines go to metadata.
fn read_top_metadata(units: &[Unit], roles: &mut [Role], record: &mut Record) {
    let mut seen = 0;
    for (unit, role) in units.iter().zip(roles.iter_mut()) {
        if *role != Role::Undecided {
            continue;
        }
        seen += 1;
        if seen > 6 {
            break;
        }
        if unit.marker.is_some() || words(&unit.text) > 14 {
            continue;
        }
        if let Some(c) = BYLINE.captures(&unit.text) {
            let names = split_byline(c.get(1).map_or("", |m| m.as_str()));
            if !names.is_empty() && record.byline.is_empty() {
                record.byline = names;
                record
                    .provenance
                    .insert("byline".into(), "byline-line".into());
                *role = Role::Dropped(RemovedReason::Byline);
                continue;
            }
        }
        if record.published.is_none()
            && let Some(date) = dateline::parse_date_line(&unit.text)
        {
            record.published = Some(date);
            record
                .provenance
                .insert("published".into(), "date-line".into());
            *role = Role::Dropped(RemovedReason::Byline);
        }
    }
}

/// "Jane Doe and John Roe, Reuters" -> ["Jane Doe", "John Roe"]: names only, roles and
/// outlets after a comma or pipe dropped.
fn split_byline(s: &str) -> Vec<String> {
    let s = s.split(['|', '•', '·']).next().unwrap_or(s);
    let s = s.split(" - ").next().unwrap_or(s);
    let mut names = Vec::new();
    for part in s
        .split(" and ")
        .flat_map(|p| p.split(" & "))
        .flat_map(|p| p.split(" und "))
        .flat_map(|p| p.split(" y "))
    {
        let name = part.split(',').next().unwrap_or("").trim();
        let capitalised = name
            .split_whitespace()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
        if !name.is_empty() && words(name) <= 5 && capitalised {
            names.push(collapse(name));
        }
    }
    names
}

/// Pass 2c: the title is the first line left, unless it reads as prose.
fn mark_title(units: &[Unit], roles: &mut [Role], record: &mut Record) {
    let Some(t) = (0..units.len()).find(|&i| roles[i] == Role::Undecided) else {
        return;
    };
    let title = &units[t];
    let listed = matches!(title.marker, Some(Marker::Numbered(_) | Marker::Bullet));
    if listed || words(&title.text) > 30 || title.text.chars().count() > 250 {
        return;
    }
    // A one-paragraph input is the body: a title needs something under it.
    if !(t + 1..units.len()).any(|i| roles[i] == Role::Undecided) {
        return;
    }
    // A lone word above the headline is a section label ("World", "Opinion"), not a title.
    if words(&title.text) == 1 && (t + 1..units.len()).any(|i| roles[i] == Role::Undecided) {
        roles[t] = Role::Dropped(RemovedReason::Navigation);
        return mark_title(units, roles, record);
    }
    roles[t] = Role::Title;
    record.title = Some(title.text.clone());
    record
        .provenance
        .insert("title".into(), "first-line".into());
}

/// Pass 2d: a short line right after the title is the dek.
fn mark_dek(units: &[Unit], roles: &mut [Role], record: &mut Record) {
    let Some(t) = roles.iter().position(|r| *r == Role::Title) else {
        return;
    };
    let Some(d) = (t + 1..units.len()).find(|&i| roles[i] == Role::Undecided) else {
        return;
    };
    let dek = &units[d];
    let n = words(&dek.text);
    let next_words = (d + 1..units.len())
        .find(|&i| roles[i] == Role::Undecided)
        .map_or(0, |i| words(&units[i].text));
    // A dek is short; without final punctuation it reads as a subtitle, with it it must be
    // one sentence shorter than what follows, and never a dateline lede.
    let unpunctuated = !ends_sentence(&dek.text);
    let one_short_sentence = n <= 30 && sentence_count(&dek.text) == 1 && next_words > n;
    if dek.marker.is_none()
        && (3..=45).contains(&n)
        && next_words > 0
        && (unpunctuated || one_short_sentence)
        && !DATELINE_LEDE.is_match(&dek.text)
        && SOURCES_HEADER.captures(&dek.text).is_none()
    {
        roles[d] = Role::Dek;
        record.dek = Some(dek.text.clone());
        record
            .provenance
            .insert("dek".into(), "line-after-title".into());
    }
}

fn sentence_count(s: &str) -> usize {
    let mut n = 0;
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            n += 1;
        }
    }
    n.max(1)
}

/// Pass 2e: a unit repeated verbatim (the title, the dek or any line) is kept once.
fn drop_repeats(units: &[Unit], roles: &mut [Role]) {
    let mut seen: HashSet<String> = HashSet::new();
    for (unit, role) in units.iter().zip(roles.iter_mut()) {
        if !matches!(role, Role::Undecided | Role::Title | Role::Dek) {
            continue;
        }
        let repeat = !seen.insert(unit.text.to_lowercase());
        if repeat && *role == Role::Undecided && words(&unit.text) >= 2 {
            *role = Role::Dropped(RemovedReason::DuplicateLine);
        }
    }
}

/// Pass 3: a sources section, or a numbered list closing the article.
fn find_sources(units: &[Unit], roles: &mut [Role], record: &mut Record) {
    let open: Vec<usize> = (0..units.len())
        .filter(|&i| roles[i] == Role::Undecided)
        .collect();
    // A "Sources:" header and what follows it.
    for (k, &i) in open.iter().enumerate() {
        let Some(c) = SOURCES_HEADER.captures(&units[i].text) else {
            continue;
        };
        let inline = c.get(1).map_or("", |m| m.as_str()).trim();
        if units[i].marker.is_some() || words(&units[i].text) > 40 {
            continue;
        }
        let mut items: Vec<usize> = Vec::new();
        for &j in &open[k + 1..] {
            let u = &units[j];
            // Items are list lines or short citation lines; prose ends the section, and so
            // does a plain line after a marked list (the list was the section).
            let listed = items.first().is_some_and(|&f| units[f].marker.is_some());
            if u.marker.is_some()
                || !listed
                    && words(&u.text) <= 25
                    && !(ends_sentence(&u.text) && words(&u.text) > 12)
            {
                items.push(j);
            } else {
                break;
            }
        }
        if inline.is_empty() && items.is_empty() {
            continue;
        }
        roles[i] = Role::Dropped(RemovedReason::SourceList);
        if !inline.is_empty() {
            let sep = if inline.contains(';') { ';' } else { ',' };
            record
                .sources_cited
                .extend(inline.split(sep).map(collapse).filter(|s| !s.is_empty()));
        }
        for j in items {
            roles[j] = Role::Source;
        }
        record
            .provenance
            .insert("sources_cited".into(), "sources-section".into());
        return;
    }
    // A numbered list at the very end, set apart from the prose, of short citation-like items.
    let mut k = open.len();
    while k > 0 && matches!(units[open[k - 1]].marker, Some(Marker::Numbered(_))) {
        k -= 1;
    }
    let tail = &open[k..];
    if tail.len() < 2 || k == 0 {
        return;
    }
    let first = &units[tail[0]];
    let numbered_from_one = tail
        .iter()
        .enumerate()
        .all(|(n, &i)| units[i].marker == Some(Marker::Numbered(n as u32 + 1)));
    let set_apart = units[open[k - 1]].chunk != first.chunk
        || units[open[k - 1]].marker.is_none() && ends_sentence(&units[open[k - 1]].text);
    let citation_like = tail.iter().all(|&i| words(&units[i].text) <= 20)
        && tail
            .iter()
            .filter(|&&i| !ends_sentence(&units[i].text) || units[i].text.contains("http"))
            .count()
            * 2
            >= tail.len();
    if numbered_from_one && set_apart && citation_like {
        for &i in tail {
            roles[i] = Role::Source;
        }
        record
            .provenance
            .insert("sources_cited".into(), "closing-numbered-list".into());
    }
}

/// Pass 3b: short fragments after the article's last sentence ("Reader comments", "React",
/// a lone label under the story) are page chrome, by their place and shape: at most four
/// words, no sentence punctuation, not a list item, in the last chunk(s) after prose.
fn drop_tail_fragments(units: &[Unit], roles: &mut [Role]) {
    let open: Vec<usize> = (0..units.len())
        .filter(|&i| roles[i] == Role::Undecided)
        .collect();
    let Some(last_prose) = open
        .iter()
        .rposition(|&i| ends_sentence(&units[i].text) && words(&units[i].text) >= 8)
    else {
        return;
    };
    for &i in &open[last_prose + 1..] {
        let u = &units[i];
        if u.marker.is_none() && words(&u.text) <= 4 && !ends_sentence(&u.text) {
            roles[i] = Role::Dropped(RemovedReason::Boilerplate);
        }
    }
}

/// Pass 4: headings, paragraphs, list items.
fn mark_structure(units: &[Unit], roles: &mut [Role]) {
    let open: Vec<usize> = (0..units.len())
        .filter(|&i| roles[i] == Role::Undecided)
        .collect();
    for (k, &i) in open.iter().enumerate() {
        let u = &units[i];
        roles[i] = if u.marker == Some(Marker::Hash) {
            Role::Heading
        } else if u.marker.is_some() {
            Role::ListItem
        } else if looks_like_heading(&u.text)
            && open.get(k + 1).is_some_and(|&j| leads_into(&units[j]))
        {
            Role::Heading
        } else {
            Role::Paragraph
        };
    }
}

/// A heading candidate: short, no final punctuation (a short question is allowed), starting
/// with a capital letter, a digit or an uncased script.
fn looks_like_heading(text: &str) -> bool {
    let n = words(text);
    if n == 0 || n > 14 || text.chars().count() > 120 {
        return false;
    }
    let question = text.ends_with('?') && n <= 10;
    if ends_sentence(text) && !question || text.ends_with(',') {
        return false;
    }
    text.chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_numeric() || (c.is_alphabetic() && !c.is_lowercase())
    })
}

/// True when a unit is body prose that a heading can lead into.
fn leads_into(u: &Unit) -> bool {
    u.is_list() || ends_sentence(&u.text) || words(&u.text) > 14
}

/// The body's language, and each removed piece's where it differs.
fn set_languages(record: &mut Record) {
    let mut body = String::new();
    for b in &record.blocks {
        body.push_str(&b.text);
        body.push('\n');
    }
    if body.trim().is_empty() {
        body = record.title.clone().unwrap_or_default();
    }
    let lang = crate::detect_language(&body);
    record.language = lang.map(str::to_string);
    // Short ASCII labels ("Share this article") are too short to identify and are costly to
    // try; a label in another script always gets a language.
    // A repeat is in the body's language by definition. A piece in the body's own script needs
    // a reliable guess; a piece in another script is another language whatever its length.
    let body_script = dominant_script(&body);
    for r in &mut record.removed {
        if r.reason == RemovedReason::DuplicateLine
            || r.text.is_ascii() && r.text.chars().count() < 20
        {
            continue;
        }
        let guess = if dominant_script(&r.text) == body_script {
            newsmill_lang::detect_language_reliable(&r.text)
        } else {
            crate::detect_language(&r.text)
        };
        if let Some(l) = guess
            && Some(l) != lang
        {
            r.language = Some(l.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Record {
        let mut r = extract_text(text, &ExtractConfig::default());
        r.finish();
        r.check_invariants().unwrap();
        r
    }

    fn kinds(r: &Record) -> Vec<(BlockKind, &str)> {
        r.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect()
    }

    #[test]
    fn title_dek_heading_paragraph() {
        let r = run(
            "Share this article\n\nBig storm hits the coast\n\nThousands without power as winds reach 150 km/h\n\nA storm hit the coast on Monday, cutting power to thousands of homes.\n\nWhat comes next\n\nForecasters expect calmer weather by Thursday, officials said.\n",
        );
        assert_eq!(r.title.as_deref(), Some("Big storm hits the coast"));
        assert_eq!(
            r.dek.as_deref(),
            Some("Thousands without power as winds reach 150 km/h")
        );
        assert_eq!(
            r.blocks[1],
            Block::new(BlockKind::Heading, "What comes next")
        );
        assert_eq!(r.removed[0].reason, RemovedReason::ShareBar);
        assert_eq!(r.language.as_deref(), Some("en"));
    }

    #[test]
    fn lede_is_not_a_dek() {
        let r = run(
            "Quake strikes Iran\n\nTEHRAN (Reuters) - A powerful earthquake hit southern Iran on Sunday, killing 10.\n\nThe tremor was felt across the region and damaged seven villages, officials said on state television.",
        );
        assert_eq!(r.dek, None);
        assert_eq!(r.blocks.len(), 2);
    }

    #[test]
    fn hard_wrapped_prose_is_rejoined() {
        let r = run(
            "Title of the piece\n\nThis paragraph was wrapped by the scraper at a fixed width so that\nits sentences continue on the next line, which must be joined again.\n\nSecond paragraph.",
        );
        assert!(r.blocks[0].text.starts_with("This paragraph was wrapped"));
        assert!(r.blocks[0].text.ends_with("joined again."));
    }

    #[test]
    fn sources_section_inline_and_listed() {
        let r = run(
            "Title here\n\nSome article text that says things about the world, at length.\n\nSources: Reuters; AP; Interfax\n",
        );
        assert_eq!(r.sources_cited, ["Reuters", "AP", "Interfax"]);
        let r = run(
            "Title here\n\nSome article text that says things about the world, at length.\n\nReferences\n- World Bank, Annual Report 2023\n- IMF staff estimates\n",
        );
        assert_eq!(
            r.sources_cited,
            ["World Bank, Annual Report 2023", "IMF staff estimates"]
        );
        assert_eq!(r.removed[0].reason, RemovedReason::SourceList);
    }

    #[test]
    fn numbered_list_inside_the_article_stays() {
        let r = run(
            "Five tips for the heat\n\nStay safe this summer with these steps.\n\n1. Drink water.\n2. Stay inside at noon.\n\nDoctors say the steps save lives every year, and cities should advertise them.",
        );
        assert!(r.sources_cited.is_empty());
        assert_eq!(
            r.blocks
                .iter()
                .filter(|b| b.kind == BlockKind::ListItem)
                .count(),
            2
        );
    }

    #[test]
    fn crlf_section_label_and_markdown_heading() {
        let r = run(
            "World\r\nFloods close schools across the region\r\n\r\nSchools closed on Monday as floods spread.\r\n## What comes next\r\nForecasters expect more rain, officials said.\r\n",
        );
        assert_eq!(
            r.title.as_deref(),
            Some("Floods close schools across the region")
        );
        assert_eq!(r.removed[0].reason, RemovedReason::Navigation);
        assert_eq!(
            r.blocks[1],
            Block::new(BlockKind::Heading, "What comes next")
        );
    }

    #[test]
    fn sources_header_needs_a_colon_for_inline_sources() {
        let r = run(
            "Title here\n\nSome article text that says things about the world, at length.\n\nSources cited in this report\n\n1. Reuters\n2. Interfax news agency\n",
        );
        assert_eq!(r.sources_cited, ["Reuters", "Interfax news agency"]);
    }

    #[test]
    fn byline_and_date_lines() {
        let r = run(
            "Council approves budget\n\nBy Jane Doe and John Roe, Staff Writers\n\nJune 19, 2024\n\nThe council approved the budget on Tuesday after a long debate.",
        );
        assert_eq!(r.byline, ["Jane Doe", "John Roe"]);
        assert_eq!(r.published.as_deref(), Some("2024-06-19"));
        assert_eq!(
            kinds(&r),
            [(
                BlockKind::Paragraph,
                "The council approved the budget on Tuesday after a long debate."
            )]
        );
    }
}

//! Main text: segment the page into text blocks, pick the article container, keep its blocks.
//!
//! The stages, each one loop over the arena:
//!
//! 1. **Classify elements.** Tags that never hold article text (script, style, media, form
//!    widgets) and hidden elements are skipped outright. Elements whose tag or class/id says
//!    navigation, share bar, comments, related links, promo, caption or byline are marked with
//!    that reason (readability's "unlikely candidates", made finer), unless they hold the
//!    page's `<article>` / `itemprop=articleBody` element.
//! 2. **Segment.** The page becomes a list of text blocks in document order: each block-level
//!    element (and each run of inline content, split at `<br>`) is one block, with its word
//!    count and the share of its text inside links (boilerpipe's shallow text features). Rows
//!    of data tables become one block each.
//! 3. **Score.** Each block gets a value: positive for prose (enough words, few links, sentence
//!    punctuation; more with stop words, jusText's cue), negative for link lists, marked
//!    boilerplate and short fragments. Each element's score is the sum over its subtree; the
//!    container is the element with the best score, ties going to the deepest. This finds the
//!    smallest subtree that holds the prose and leaves out the chrome around it, whatever the
//!    site's class names.
//! 4. **Select.** Inside the container a precise cascade drops what still does not belong
//!    (trafilatura's idea): marked boilerplate, link lists, boilerplate lines
//!    ([`crate::boilerplate::classify_line`]), the headline, bylines and date lines, repeats,
//!    headings with no text under them. Each drop is recorded with its reason.

use newsmill_core::{BlockKind, RemovedReason};

use super::dom::{Dom, NONE, Tag, push_collapsed, push_space};
use super::meta::class_has;
use crate::Tuning;

/// A text block of the page.
#[derive(Debug, Clone)]
pub(crate) struct TextBlock {
    pub(crate) text: String,
    pub(crate) kind: BlockKind,
    /// The block-level element the text belongs to.
    pub(crate) owner: usize,
    pub(crate) chars: usize,
    pub(crate) link_chars: usize,
    pub(crate) words: usize,
    /// Set when an enclosing element was marked as boilerplate.
    pub(crate) marked: Option<RemovedReason>,
    /// Heading level for headings.
    pub(crate) level: u8,
}

impl TextBlock {
    fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// What stage 1 decided about each element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Not article text, and not worth listing under `removed` (code, media, hidden).
    Skip,
    /// Named like boilerplate (tag, class, id or role): the reason, and whether the name is a
    /// strong sign. Whether the mark holds depends on how much prose the element holds.
    Named(RemovedReason, bool),
    Normal,
}

/// The class words of `rules/classes.rules`, by what they say.
struct ClassWords {
    /// Strong and weak marks: (word, reason, family index), in file order.
    strong: Vec<(&'static str, RemovedReason, usize)>,
    weak: Vec<(&'static str, RemovedReason, usize)>,
    positive: Vec<&'static str>,
    not_a_mark: Vec<&'static str>,
    /// Whole advertising-slot tokens, and the family's index.
    ad: (regex::Regex, usize),
}

static CLASS_WORDS: std::sync::LazyLock<ClassWords> = std::sync::LazyLock::new(|| {
    let r = crate::rules::rules();
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    for f in r.in_file("classes.rules") {
        let (Some(reason), Some(strength)) = (f.reason(), f.attr("strength")) else {
            continue;
        };
        if f.attr("shape").is_some() {
            continue;
        }
        let list = if strength == "strong" {
            &mut strong
        } else {
            &mut weak
        };
        list.extend(f.patterns().map(|w| (w, reason, f.index)));
    }
    let ad = r.family("ad-token");
    ClassWords {
        strong,
        weak,
        positive: r.family("positive-class").patterns().collect(),
        not_a_mark: r.family("not-a-mark").patterns().collect(),
        ad: (
            regex::Regex::new(&ad.regex_source()).expect("valid ad-token pattern"),
            ad.index,
        ),
    }
});

/// The patterns of a family of `classes.rules` (class-attribute substrings).
pub(crate) fn class_list(id: &str) -> Vec<&'static str> {
    crate::rules::rules().family(id).patterns().collect()
}

/// The words of a class or id token: split at `-`, `_` and camelCase humps, lowercased
/// ("articleComments-box" -> article, comments, box). Generated names ("tagStyle_z4kqwb") then
/// do not match "tags" by accident.
pub(crate) fn subwords(token: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in token.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a class word names `w`: equal, or starting or ending with it ("sharebar",
/// "topnav", "comments").
fn word_has(sub: &str, w: &str) -> bool {
    sub.starts_with(w) || sub.ends_with(w)
}

/// The reason the class/id of an element marks it as boilerplate, if any, and whether the
/// name is a strong sign.
fn class_reason(class: &str, tuning: &Tuning) -> Option<(RemovedReason, bool)> {
    if class.is_empty() || class.len() > 400 {
        return None;
    }
    let words = &*CLASS_WORDS;
    let mut weak = None;
    let mut positive = false;
    for token in class.split(char::is_whitespace) {
        if token.is_empty() {
            continue;
        }
        let lower = token.to_ascii_lowercase();
        if tuning.on(words.ad.1) && words.ad.0.is_match(&lower) {
            return Some((RemovedReason::Promo, true));
        }
        for sub in subwords(token) {
            if words.not_a_mark.iter().any(|w| sub.starts_with(w)) {
                continue;
            }
            if let Some(&(_, r, _)) = words
                .strong
                .iter()
                .find(|(w, _, i)| word_has(&sub, w) && tuning.on(*i))
            {
                return Some((r, true));
            }
            if weak.is_none() {
                weak = words
                    .weak
                    .iter()
                    .find(|(w, _, i)| word_has(&sub, w) && tuning.on(*i))
                    .map(|&(_, r, _)| r);
            }
            positive |= words.positive.iter().any(|p| word_has(&sub, p));
        }
    }
    if positive {
        None
    } else {
        weak.map(|r| (r, false))
    }
}

fn tag_reason(tag: Tag) -> Option<(RemovedReason, bool)> {
    match tag {
        Tag::Nav => Some((RemovedReason::Navigation, true)),
        Tag::Aside => Some((RemovedReason::Boilerplate, true)),
        Tag::Footer => Some((RemovedReason::Legal, true)),
        Tag::Figcaption => Some((RemovedReason::Caption, true)),
        Tag::Form | Tag::Fieldset => Some((RemovedReason::Boilerplate, false)),
        _ => None,
    }
}

fn is_hidden(dom: &Dom, i: usize) -> bool {
    let n = &dom.nodes[i];
    if n.attr("hidden").is_some() {
        return true;
    }
    if let Some(style) = n.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// The `<article>`-like element holding the most text, if one holds a fair share of the body:
/// it and its ancestors are never marked as boilerplate.
fn article_marker(dom: &Dom) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, n) in dom.nodes.iter().enumerate() {
        if dom.text(i) {
            continue;
        }
        let marked = n.tag == Tag::Article
            || n.tag == Tag::Main
            || n.attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("articlebody"));
        if !marked {
            continue;
        }
        let len = text_len(dom, i);
        if best.is_none_or(|(_, l)| len > l) {
            best = Some((i, len));
        }
    }
    best.map(|(i, _)| i)
}

fn text_len(dom: &Dom, i: usize) -> usize {
    let end = dom.nodes[i].end as usize;
    (i..end)
        .filter(|&j| dom.text(j))
        .map(|j| dom.nodes[j].text.len())
        .sum()
}

/// Stage 1: a class per node (text nodes inherit their parent's).
pub(crate) fn classify<'a>(dom: &'a Dom, tuning: &Tuning) -> Vec<Class> {
    let n = dom.len();
    let mut class = vec![Class::Normal; n];
    let mut memo: std::collections::HashMap<&'a str, Option<(RemovedReason, bool)>> =
        std::collections::HashMap::new();
    let protect = article_marker(dom);
    for i in 0..n {
        let node = &dom.nodes[i];
        let parent_skip = node.parent != NONE && class[node.parent as usize] == Class::Skip;
        if parent_skip {
            class[i] = Class::Skip;
            continue;
        }
        if dom.text(i) {
            continue;
        }
        if node.tag.is_silent() || is_hidden(dom, i) {
            class[i] = Class::Skip;
            continue;
        }
        // The protected article and its ancestors stay, whatever their names.
        if protect.is_some_and(|p| i <= p && p < node.end as usize)
            || matches!(node.tag, Tag::Body | Tag::Html)
        {
            continue;
        }
        let reason = tag_reason(node.tag).or_else(|| {
            let c = node.attr("class").unwrap_or("");
            let id = node.attr("id").unwrap_or("");
            // Pages repeat a few class names on many elements: each is read once.
            let mut named = |name: &'a str| {
                *memo
                    .entry(name)
                    .or_insert_with(|| class_reason(name, tuning))
            };
            named(c)
                .or_else(|| named(id))
                .or_else(|| role_reason(node.attr("role")))
        });
        if let Some((r, strong)) = reason {
            class[i] = Class::Named(r, strong);
        }
    }
    class
}

/// Decides which named elements are boilerplate, from the prose they hold, and marks the
/// blocks inside them.
#[cfg(test)]
pub(crate) fn apply_marks(
    dom: &Dom,
    class: &[Class],
    blocks: &mut [TextBlock],
    tuning: &Tuning,
) -> Vec<Option<RemovedReason>> {
    let prose = prose_of(dom, blocks);
    apply_marks_with(dom, class, blocks, tuning, &prose, &[])
}

/// The prose value of every element's subtree (positive block values only, marks ignored).
fn prose_of(dom: &Dom, blocks: &[TextBlock]) -> Vec<f32> {
    let n = dom.len();
    let mut prose = vec![0f32; n];
    for b in blocks {
        prose[b.owner] += unmarked_value(b).max(0.0);
    }
    for i in (1..n).rev() {
        let p = dom.nodes[i].parent;
        if p != NONE {
            prose[p as usize] += prose[i];
        }
    }
    prose
}

/// [`apply_marks`], with the names of the `untrusted` elements ignored.
fn apply_marks_with(
    dom: &Dom,
    class: &[Class],
    blocks: &mut [TextBlock],
    tuning: &Tuning,
    prose: &[f32],
    untrusted: &[usize],
) -> Vec<Option<RemovedReason>> {
    let n = dom.len();
    let total = prose[0].max(1.0);
    let mut mark: Vec<Option<RemovedReason>> = vec![None; n];
    for i in 0..n {
        let p = dom.nodes[i].parent;
        if p != NONE && mark[p as usize].is_some() {
            mark[i] = mark[p as usize];
            continue;
        }
        if untrusted.contains(&i) {
            continue;
        }
        if let Class::Named(r, strong) = class[i] {
            let limit = if strong && r == RemovedReason::Comments {
                tuning.comments_max_share
            } else if strong {
                tuning.strong_max_share
            } else {
                tuning.weak_max_share
            };
            if prose[i] <= 200.0 || prose[i] <= limit * total {
                mark[i] = Some(r);
            }
        }
    }
    for b in blocks.iter_mut() {
        b.marked = mark[b.owner];
    }
    mark
}

fn role_reason(role: Option<&str>) -> Option<(RemovedReason, bool)> {
    let r = match role?.trim().to_ascii_lowercase().as_str() {
        "navigation" | "menubar" | "menu" => RemovedReason::Navigation,
        "complementary" => RemovedReason::Boilerplate,
        "contentinfo" => RemovedReason::Legal,
        "banner" => RemovedReason::Navigation,
        "dialog" | "alertdialog" => RemovedReason::Promo,
        _ => return None,
    };
    Some((r, false))
}

/// Whether a table lays out the page (cells hold blocks) rather than holding data.
fn is_data_table(dom: &Dom, t: usize) -> bool {
    let end = dom.nodes[t].end as usize;
    if end - t > 3000 {
        return false;
    }
    let mut cells_in_row = 0;
    let mut max_cells = 0;
    for j in t + 1..end {
        match dom.nodes[j].tag {
            _ if dom.text(j) => {}
            Tag::Table
            | Tag::Div
            | Tag::P
            | Tag::Ul
            | Tag::Ol
            | Tag::Br
            | Tag::Blockquote
            | Tag::H1
            | Tag::H2
            | Tag::H3
            | Tag::H4
            | Tag::Section
            | Tag::Article
            | Tag::Form
            | Tag::Img => return false,
            Tag::Tr => cells_in_row = 0,
            Tag::Td | Tag::Th => {
                cells_in_row += 1;
                max_cells = max_cells.max(cells_in_row);
            }
            _ => {}
        }
    }
    max_cells >= 2
}

/// Words of a text block: white-space separated tokens, where a run of Chinese or Japanese
/// characters (written without spaces) counts one word per two characters, about their
/// average word length; so a paragraph of Chinese prose is prose, not one long "word".
pub(crate) fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| {
            let cjk = w
                .chars()
                .filter(
                    |&c| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF),
                )
                .count();
            if cjk >= 2 { cjk.div_ceil(2) } else { 1 }
        })
        .sum()
}

/// More words than this make a heading element a paragraph (headings are short; a lead
/// paragraph set in `<h2>` is not).
const MAX_HEADING_WORDS: usize = 30;

struct Segmenter<'a> {
    dom: &'a Dom,
    blocks: Vec<TextBlock>,
    buf: String,
    buf_link: usize,
}

impl Segmenter<'_> {
    fn flush(&mut self, owner: usize, in_quote: bool) {
        let text = self.buf.trim();
        if !text.is_empty() && text.chars().any(char::is_alphanumeric) {
            let tag = self.dom.nodes[owner].tag;
            let words = count_words(text);
            // A "heading" of a paragraph's length is a paragraph styled as a heading.
            let level = tag
                .heading_level()
                .filter(|_| words <= MAX_HEADING_WORDS)
                .unwrap_or(0);
            let kind = if level > 0 {
                BlockKind::Heading
            } else if in_quote {
                BlockKind::Blockquote
            } else if matches!(tag, Tag::Li | Tag::Dd | Tag::Dt) {
                BlockKind::ListItem
            } else {
                BlockKind::Paragraph
            };
            let marked = None;
            let chars = text.chars().count();
            self.blocks.push(TextBlock {
                text: text.to_string(),
                kind,
                owner,
                chars,
                link_chars: self.buf_link.min(chars),
                words: count_words(text),
                marked,
                level,
            });
        }
        self.buf.clear();
        self.buf_link = 0;
    }
}

/// Stage 2: the page's text blocks in document order.
pub(crate) fn segment(dom: &Dom, class: &[Class]) -> Vec<TextBlock> {
    let mut s = Segmenter {
        dom,
        blocks: Vec::new(),
        buf: String::new(),
        buf_link: 0,
    };
    let n = dom.len();
    // Open block elements, open links and open quotes, each closed once `i` passes its end.
    let mut open: Vec<usize> = Vec::new();
    let mut links: Vec<usize> = Vec::new();
    let mut quotes: Vec<usize> = Vec::new();
    let body = dom
        .nodes
        .iter()
        .position(|n| n.tag == Tag::Body)
        .unwrap_or(0);
    let mut i = body;
    let stop = dom.nodes.get(body).map_or(n, |b| b.end as usize);
    while i < stop {
        while let Some(&top) = open.last() {
            if i < dom.nodes[top].end as usize {
                break;
            }
            open.pop();
            s.flush(top, !quotes.is_empty());
            while quotes
                .last()
                .is_some_and(|&q| i >= dom.nodes[q].end as usize)
            {
                quotes.pop();
            }
        }
        while links
            .last()
            .is_some_and(|&a| i >= dom.nodes[a].end as usize)
        {
            links.pop();
        }
        let owner = open.last().copied().unwrap_or(body);
        let node = &dom.nodes[i];
        if dom.text(i) {
            if class[i] != Class::Skip {
                let before = s.buf.len();
                push_collapsed(&mut s.buf, &node.text);
                if !links.is_empty() {
                    s.buf_link += s.buf[before..].trim().chars().count();
                }
            }
            i += 1;
            continue;
        }
        if class[i] == Class::Skip {
            i = node.end as usize;
            continue;
        }
        match node.tag {
            Tag::Br | Tag::Hr => s.flush(owner, !quotes.is_empty()),
            Tag::Table if is_data_table(dom, i) => {
                s.flush(owner, !quotes.is_empty());
                table_rows(dom, i, &mut s.blocks);
                i = node.end as usize;
                continue;
            }
            Tag::A => links.push(i),
            Tag::Img => {
                // Images separate words: "photo<img>caption" is two words.
                push_space(&mut s.buf);
            }
            t if t.is_block() => {
                s.flush(owner, !quotes.is_empty());
                open.push(i);
                if t == Tag::Blockquote {
                    quotes.push(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    while let Some(top) = open.pop() {
        s.flush(top, !quotes.is_empty());
    }
    s.flush(body, false);
    s.blocks
}

/// One block per row of a data table, cells joined by ` | `.
fn table_rows(dom: &Dom, table: usize, out: &mut Vec<TextBlock>) {
    let end = dom.nodes[table].end as usize;
    let mut j = table + 1;
    while j < end {
        let node = &dom.nodes[j];
        if node.tag == Tag::Tr && !dom.text(j) {
            let cells: Vec<String> = dom
                .children(j)
                .filter(|&c| matches!(dom.nodes[c].tag, Tag::Td | Tag::Th) && !dom.text(c))
                .map(|c| dom.text_of(c))
                .filter(|t| !t.is_empty())
                .collect();
            let text = cells.join(" | ");
            if !text.is_empty() {
                let chars = text.chars().count();
                let link_chars = link_text_len(dom, j);
                out.push(TextBlock {
                    words: count_words(&text),
                    text,
                    kind: BlockKind::TableRow,
                    owner: j,
                    chars,
                    link_chars: link_chars.min(chars),
                    marked: None,
                    level: 0,
                });
            }
            j = node.end as usize;
            continue;
        }
        j += 1;
    }
}

fn link_text_len(dom: &Dom, i: usize) -> usize {
    let end = dom.nodes[i].end as usize;
    let mut total = 0;
    let mut j = i;
    while j < end {
        if dom.nodes[j].tag == Tag::A && !dom.text(j) {
            total += dom.text_of(j).chars().count();
            j = dom.nodes[j].end as usize;
            continue;
        }
        j += 1;
    }
    total
}

/// Frequent short words of the languages newsmill meets most (`stopwords` in
/// `rules/words.rules`): prose has many of them, menus and link lists few (jusText's
/// stop-word density).
fn stopword_share(text: &str) -> f32 {
    static STOP: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        crate::rules::rules()
            .family("stopwords")
            .patterns()
            .collect()
    });
    let mut total = 0;
    let mut hits = 0;
    for w in text.split_whitespace().take(200) {
        total += 1;
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.len() <= 6 && STOP.iter().any(|s| s.eq_ignore_ascii_case(w)) {
            hits += 1;
        }
    }
    if total == 0 {
        0.0
    } else {
        hits as f32 / total as f32
    }
}

fn ends_like_sentence(text: &str) -> bool {
    text.trim_end().ends_with([
        '.', '!', '?', '"', '”', '“', '»', '«', ':', ')', '…', '。', '’', '\'',
    ])
}

/// Stage 3's value of one block for the container search.
pub(crate) fn block_value(b: &TextBlock) -> f32 {
    if b.marked.is_some() {
        return -(b.chars as f32) * 0.3;
    }
    unmarked_value(b)
}

/// [`block_value`] as if no element around the block were marked.
fn unmarked_value(b: &TextBlock) -> f32 {
    let ld = b.link_density();
    if b.kind == BlockKind::Heading {
        return 0.0;
    }
    if ld > 0.5 {
        return -(b.chars as f32);
    }
    let own = (b.chars - b.link_chars) as f32;
    let prose = b.words >= 15 || (b.words >= 6 && ends_like_sentence(&b.text));
    if prose && ld < 0.3 {
        let stop = stopword_share(&b.text);
        // Texts in languages without these stop words (or without spaces) still count.
        let factor = if stop >= 0.12 || b.words < 10 || !b.text.contains(' ') {
            1.0
        } else {
            0.6
        };
        own * factor
    } else {
        -own * 0.4 - (b.link_chars as f32) * 0.8
    }
}

/// The chosen blocks, and what was dropped inside or around the container.
pub(crate) struct Content {
    pub(crate) kept: Vec<TextBlock>,
    pub(crate) removed: Vec<(RemovedReason, String)>,
    /// The element chosen as the article container (read by the explain tool in tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) container: Option<usize>,
    /// The owner elements of all the page's blocks, sorted (to count blocks between nodes).
    pub(crate) owners: Vec<usize>,
    /// Short unmarked blocks just before the start of the body, with their distance to it
    /// in blocks (1 = right above): where a headline that no element names as one sits.
    pub(crate) lead: Vec<(TextBlock, usize)>,
    /// Dates written in short lines around and in the body: (place in blocks relative to the
    /// body's first block, date, whether the line announces an update). Lines in comment
    /// sections and link lists are left out.
    pub(crate) dates: Vec<(isize, String, bool)>,
    /// Byline lines ("By Jane Roe, Staff Writer") around the body's start, with their place
    /// relative to its first block; a lone "By" and the name under it are one line.
    pub(crate) bylines: Vec<(isize, String)>,
}

/// Cap on the removed entries listed per page: pages with endless comment threads would
/// otherwise make records huge.
const MAX_REMOVED: usize = 200;

/// Runs stages 1–4.
pub(crate) fn extract_content(dom: &Dom, tuning: &Tuning) -> Content {
    let class = classify(dom, tuning);
    let mut blocks = segment(dom, &class);
    if blocks.is_empty() {
        return Content {
            kept: Vec::new(),
            removed: Vec::new(),
            container: None,
            owners: Vec::new(),
            lead: Vec::new(),
            dates: Vec::new(),
            bylines: Vec::new(),
        };
    }
    let prose = prose_of(dom, &blocks);
    let mut untrusted: Vec<usize> = Vec::new();
    let (mark, score, mut best, mut best_score) = loop {
        let mark = apply_marks_with(dom, &class, &mut blocks, tuning, &prose, &untrusted);
        let (score, best, best_score) = best_element(dom, &class, &blocks, &mark);
        // A name cannot make the page's main prose boilerplate: an element named like a
        // byline, share bar or promo that holds more prose than the best element left
        // outside the marks holds the article (a CMS that wraps the story in
        // `#content_byline`), so its name is ignored. Comment sections may outgrow a short
        // story and keep their mark.
        let lying: Vec<usize> = if tuning.step("prose-beats-name") && untrusted.is_empty() {
            (0..dom.len())
                .filter(|&i| {
                    mark[i].is_some_and(|r| r != RemovedReason::Comments)
                        && matches!(class[i], Class::Named(..))
                        && (dom.nodes[i].parent == NONE
                            || mark[dom.nodes[i].parent as usize].is_none())
                        && prose[i] > best_score.max(0.0) * NAME_PROSE_RATIO
                        && prose[i] >= NAME_PROSE_MIN
                })
                .collect()
        } else {
            Vec::new()
        };
        if lying.is_empty() {
            break (mark, score, best, best_score);
        }
        untrusted = lying;
    };
    if best_score == f32::MIN {
        // No prose at all: take the body.
        best = dom
            .nodes
            .iter()
            .position(|n| n.tag == Tag::Body)
            .unwrap_or(0);
    }
    // The element the page marks as its article, when it holds the best element and scores
    // about as well: a part of the story (an intro in its own box) must not be cut off.
    if best_score > 0.0 && tuning.step("article-grow") {
        let mut p = dom.nodes[best].parent;
        while p != NONE {
            let a = p as usize;
            if is_marked_article(dom, a) && class[a] != Class::Skip && mark[a].is_none() {
                if score[a] >= best_score * tuning.article_up_share {
                    best = a;
                    best_score = score[a];
                }
                break;
            }
            p = dom.nodes[a].parent;
        }
    }
    let mut owners: Vec<usize> = blocks.iter().map(|b| b.owner).collect();
    owners.sort_unstable();
    // Siblings of the container that carry prose of their own (Readability's sibling step):
    // articles split into sections by an infobox, a gallery or an ad between them.
    let mut extra = Vec::new();
    let parent = dom.nodes[best].parent;
    if best_score > 0.0 && parent != NONE && tuning.step("sibling-step") {
        let p = parent as usize;
        let end = dom.nodes[p].end as usize;
        let mut c = p + 1;
        while c < end {
            let next = (dom.nodes[c].end as usize).max(c + 1);
            if c != best
                && !dom.text(c)
                && class[c] != Class::Skip
                && mark[c].is_none()
                && score[c] >= (best_score * tuning.sibling_share).max(tuning.sibling_min)
            {
                extra.push(c);
            }
            c = next;
        }
    }
    let sub = Subtrees::of(dom);
    let mut content = select(dom, &blocks, best, &extra, tuning, &sub);
    // Recall fallback: when scoring found little text (a photo post of a few short captions
    // scoring below zero, a podcast page whose show notes are split by players and buttons),
    // the element the page itself marks as the article, if it gives half again as much.
    let words = |c: &Content| c.kept.iter().map(|b| b.words).sum::<usize>();
    if words(&content) < tuning.fallback_words
        && tuning.step("recall-fallback")
        && let Some(article) = marked_article(dom, &class, &mark, best)
    {
        let other = select(dom, &blocks, article, &[], tuning, &sub);
        if words(&other) > words(&content) * 3 / 2 {
            content = other;
        }
    }
    content.owners = owners;
    if let Some(first) = content.kept.first().map(|b| b.owner) {
        let at = blocks.iter().position(|b| b.owner == first).unwrap_or(0);
        content.lead = blocks[at.saturating_sub(8)..at]
            .iter()
            .enumerate()
            .filter(|(_, b)| b.marked.is_none() && (2..=30).contains(&b.words))
            .map(|(k, b)| (b.clone(), at.min(8) - k))
            .collect();
        let last = content.kept.last().map_or(first, |b| b.owner);
        let end = blocks.iter().rposition(|b| b.owner == last).unwrap_or(at);
        let from = at.saturating_sub(DATE_LINES_ABOVE);
        content.dates = blocks[from..=end.min(blocks.len() - 1)]
            .iter()
            .enumerate()
            .filter(|(_, b)| {
                !matches!(
                    b.marked,
                    Some(RemovedReason::Comments | RemovedReason::RelatedLink)
                ) && b.link_density() < 0.5
                    && crate::datefind::may_hold_date(&b.text)
            })
            .filter_map(|(k, b)| {
                let d = crate::datefind::find_date(&b.text)?;
                Some((
                    (from + k) as isize - at as isize,
                    d,
                    crate::datefind::is_update_line(&b.text),
                ))
            })
            .collect();
        let near = &blocks[from..(at + 6).min(blocks.len())];
        for (k, b) in near.iter().enumerate() {
            if matches!(
                b.marked,
                Some(RemovedReason::Comments | RemovedReason::RelatedLink)
            ) || b.words > 14
            {
                continue;
            }
            let pos = (from + k) as isize - at as isize;
            let lone_by = BYLINE_LEAD.is_match(&format!("{} ", b.text.trim())) && b.words == 1;
            if lone_by && let Some(next) = near.get(k + 1).filter(|n| n.words <= 6) {
                content
                    .bylines
                    .push((pos, format!("{} {}", b.text.trim(), next.text)));
            } else if is_byline_line(&b.text) {
                content.bylines.push((pos, b.text.clone()));
            }
        }
    }
    content
}

/// How many blocks above the body's first one a date line may sit (between the headline,
/// the byline and the body).
const DATE_LINES_ABOVE: usize = 15;

/// A named element whose prose is this many times the best unmarked element's score holds
/// the article, whatever its name ...
const NAME_PROSE_RATIO: f32 = 1.0;
/// ... when it holds at least this much prose (a paragraph or two).
const NAME_PROSE_MIN: f32 = 300.0;

/// Stage 3: subtree sums of block values, then the best element outside the marks (ties to
/// the deepest): (scores, best, its score), the score `f32::MIN` when nothing scores.
fn best_element(
    dom: &Dom,
    class: &[Class],
    blocks: &[TextBlock],
    mark: &[Option<RemovedReason>],
) -> (Vec<f32>, usize, f32) {
    let n = dom.len();
    let mut score = vec![0f32; n];
    for b in blocks {
        score[b.owner] += block_value(b);
    }
    for i in (1..n).rev() {
        let p = dom.nodes[i].parent;
        if p != NONE && !dom.text(i) {
            score[p as usize] += score[i];
        }
    }
    let mut best = 0;
    let mut best_score = f32::MIN;
    for i in 0..n {
        if dom.text(i) || class[i] == Class::Skip || mark[i].is_some() {
            continue;
        }
        if score[i] >= best_score && score[i] > 0.0 {
            best_score = score[i];
            best = i;
        }
    }
    (score, best, best_score)
}

/// The first element the page marks as its article (`<article>`, `itemprop=articleBody`, an
/// entry, post or story body class), other than `best`, not inside boilerplate.
fn marked_article(
    dom: &Dom,
    class: &[Class],
    mark: &[Option<RemovedReason>],
    best: usize,
) -> Option<usize> {
    (0..dom.len()).find(|&i| {
        i != best
            && !dom.text(i)
            && class[i] != Class::Skip
            && mark[i].is_none()
            && is_marked_article(dom, i)
    })
}

/// Class names that CMSs give the element holding the article (`article-body-class`).
static ARTICLE_BODY_CLASSES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| class_list("article-body-class"));

/// Whether the page marks an element as its article text.
fn is_marked_article(dom: &Dom, i: usize) -> bool {
    let n = &dom.nodes[i];
    n.tag == Tag::Article
        || n.attr("itemprop")
            .is_some_and(|p| p.eq_ignore_ascii_case("articlebody"))
        || super::meta::class_has(n.attr("class"), &ARTICLE_BODY_CLASSES)
}

/// Whether a short line opens what follows a story: a comment section ("Comments are now
/// closed", "12 Kommentare") or a list of other stories ("Most read"): the families of
/// `rules/heads.rules`.
fn tail_head(text: &str, tuning: &Tuning) -> Option<RemovedReason> {
    static HEADS: std::sync::LazyLock<Vec<(regex::Regex, RemovedReason, usize)>> =
        std::sync::LazyLock::new(|| {
            crate::rules::rules()
                .in_file("heads.rules")
                .map(|f| {
                    (
                        regex::Regex::new(&f.regex_source()).expect("valid head pattern"),
                        f.reason().expect("head families have a reason"),
                        f.index,
                    )
                })
                .collect()
        });
    let t = text.trim();
    HEADS
        .iter()
        .find(|(re, _, i)| tuning.on(*i) && re.is_match(t))
        .map(|(_, r, _)| *r)
}

/// Stage 4: the precise cascade inside the container (and the siblings that join it).
fn select(
    dom: &Dom,
    blocks: &[TextBlock],
    container: usize,
    extra: &[usize],
    tuning: &Tuning,
    sub: &Subtrees,
) -> Content {
    let end = dom.nodes[container].end as usize;
    let inside = |b: &TextBlock| {
        (container <= b.owner && b.owner < end)
            || extra
                .iter()
                .any(|&e| e <= b.owner && b.owner < dom.nodes[e].end as usize)
    };
    // Around the container: the parent's subtree, so a comment section or share bar next to
    // the article is listed, but not every menu item of the page.
    let scope = {
        let p = dom.nodes[container].parent;
        if p == NONE { container } else { p as usize }
    };
    let scope_end = dom.nodes[scope].end as usize;
    let mut kept: Vec<TextBlock> = Vec::new();
    let mut removed: Vec<(RemovedReason, String)> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut tail: Option<RemovedReason> = None;
    let mut teaser_end = 0;
    let mut second_end = 0;
    let mut announced = false;
    for (k, b) in blocks.iter().enumerate() {
        let drop = |removed: &mut Vec<(RemovedReason, String)>, r: RemovedReason| {
            if removed.len() < MAX_REMOVED && b.words >= 2 {
                removed.push((r, b.text.clone()));
            }
        };
        if !inside(b) {
            if scope <= b.owner && b.owner < scope_end {
                let r = b.marked.unwrap_or(if b.link_density() > 0.5 {
                    RemovedReason::Navigation
                } else {
                    RemovedReason::Boilerplate
                });
                drop(&mut removed, r);
            }
            continue;
        }
        if let Some(r) = tail {
            drop(&mut removed, r);
            continue;
        }
        // A teaser of another story: a heading that is a link, below prose already kept, in
        // a small card of its own (the smallest element around it that holds another block
        // holds few words: its date and summary); the card goes whole.
        if b.owner < teaser_end || b.owner < second_end {
            drop(&mut removed, RemovedReason::RelatedLink);
            continue;
        }
        // Another story inside the container, below this one: a heading with its own byline
        // or date line right under it, in an element of its own that starts after the story
        // (a box with a second article, the next story of an endless page).
        if b.kind == BlockKind::Heading
            && tuning.step("second-story")
            && kept
                .iter()
                .filter(|k| k.words >= 25)
                .map(|k| k.words)
                .sum::<usize>()
                >= 80
            && let Some(end) = second_story(dom, blocks, k, container, &kept)
        {
            second_end = end;
            drop(&mut removed, RemovedReason::RelatedLink);
            continue;
        }
        if b.kind == BlockKind::Heading
            && b.link_density() >= 0.9
            && b.words >= 3
            && tuning.step("teaser-heading")
            && kept
                .iter()
                .filter(|k| k.words >= 25)
                .map(|k| k.words)
                .sum::<usize>()
                >= 80
            && let Some(card) = teaser_card(dom, blocks, k)
        {
            teaser_end = dom.nodes[card].end as usize;
            drop(&mut removed, RemovedReason::RelatedLink);
            continue;
        }
        if let Some(r) = (b.words <= 12)
            .then(|| tail_head(&b.text, tuning))
            .flatten()
        {
            // The head of a comment section or of a list of other stories: below the story
            // (paragraphs of prose already kept) it and all after it go; above the story
            // ("0 Comments" beside the date) it is a label.
            let prose: usize = kept.iter().filter(|k| k.words >= 25).map(|k| k.words).sum();
            if prose >= 80 && tuning.step("tail-cut") {
                tail = Some(r);
            }
            drop(&mut removed, r);
            continue;
        }
        if let Some(r) = b.marked.filter(|_| tuning.step("marked-element")) {
            drop(&mut removed, r);
            continue;
        }
        // A list the story announces ("Our picks:", "Ingredients:") is part of it, links or
        // not; the announcing line stays with it unless it is a known boilerplate label.
        let next_is_item = blocks
            .get(k + 1)
            .is_some_and(|n| n.kind == BlockKind::ListItem && inside(n));
        if b.kind != BlockKind::ListItem {
            announced = next_is_item
                && tuning.step("announced-list")
                && b.text.trim_end().ends_with(':')
                && b.words <= 12
                && crate::boilerplate::classify_line(&b.text, tuning).is_none()
                && line_rule(&b.text, usize::MAX, tuning).is_none()
                && story_goes_on(blocks, k + 1, &inside);
            if announced {
                kept.push(b.clone());
                continue;
            }
        }
        if b.kind != BlockKind::Heading
            && b.link_density() > 0.5
            && b.words < 40
            && !(announced && b.kind == BlockKind::ListItem)
            && tuning.step("link-list")
        {
            drop(&mut removed, RemovedReason::RelatedLink);
            continue;
        }
        if let Some(r) = crate::boilerplate::classify_line(&b.text, tuning) {
            drop(&mut removed, r);
            continue;
        }
        if tuning.step("code-text") && is_code(&b.text) {
            drop(&mut removed, RemovedReason::Boilerplate);
            continue;
        }
        if b.kind != BlockKind::TableRow && tuning.step("link-bar") && is_link_bar(&b.text) {
            drop(&mut removed, RemovedReason::Navigation);
            continue;
        }
        if let Some(r) = line_rule(&b.text, b.words, tuning) {
            drop(&mut removed, r);
            continue;
        }
        if b.words <= 12 && tuning.step("byline-line") && is_byline_line(&b.text) {
            drop(&mut removed, RemovedReason::Byline);
            continue;
        }
        if b.words <= 16
            && tuning.step("date-line")
            && (crate::dateline::parse_date_line(&b.text).is_some()
                || crate::dateline::is_stamp_line(&b.text))
        {
            drop(&mut removed, RemovedReason::Byline);
            continue;
        }
        if tuning.step("image-caption") && sub.caption(dom, b) {
            drop(&mut removed, RemovedReason::Caption);
            continue;
        }
        // A short line printed twice is a label; a repeated paragraph (a pull quote, a
        // sentence the story repeats) is text the page shows twice, and stays.
        if b.words <= 12 && !seen.insert(b.text.as_str()) && tuning.step("duplicate-block") {
            drop(&mut removed, RemovedReason::DuplicateLine);
            continue;
        }
        kept.push(b.clone());
    }
    if tuning.step("tail-fragment") {
        trim_tail(&mut kept, &mut removed, tuning.tail_words);
    }
    if tuning.step("orphan-heading") {
        trim_headings(&mut kept, &mut removed);
    }
    Content {
        kept,
        removed,
        container: Some(container),
        owners: Vec::new(),
        lead: Vec::new(),
        dates: Vec::new(),
        bylines: Vec::new(),
    }
}

/// What each element's subtree holds: an image (or other media) and how many characters of
/// text.
pub(crate) struct Subtrees {
    media: Vec<bool>,
    chars: Vec<u32>,
}

impl Subtrees {
    fn of(dom: &Dom) -> Subtrees {
        let n = dom.len();
        let mut media = vec![false; n];
        let mut chars = vec![0u32; n];
        for i in (0..n).rev() {
            let node = &dom.nodes[i];
            if dom.text(i) {
                chars[i] = node.text.trim().chars().count() as u32;
            } else if matches!(
                node.tag,
                Tag::Img | Tag::Picture | Tag::Video | Tag::Figure | Tag::Svg | Tag::Canvas
            ) {
                media[i] = true;
            }
            let p = node.parent;
            if p != NONE {
                media[p as usize] |= media[i];
                chars[p as usize] = chars[p as usize].saturating_add(chars[i]);
            }
        }
        Subtrees { media, chars }
    }

    /// Whether a short block is the caption of an image: the block's element, its parent
    /// or its grandparent holds an image and little text besides the block (the wrapper of
    /// a picture and its legend), and the block is not a long sentence.
    fn caption(&self, dom: &Dom, b: &TextBlock) -> bool {
        // A sentence beside a picture (a product's pitch, a call to read on) is text; a
        // legend is a label, or a short line.
        let sentence = b.text.trim_end().ends_with(['.', '!', '?']);
        if b.kind != BlockKind::Paragraph || b.words > 20 || (sentence && b.words > 8) {
            return false;
        }
        let mut a = b.owner as u32;
        for _ in 0..3 {
            if a == NONE {
                return false;
            }
            let i = a as usize;
            // A table cell beside an icon is data, not a legend.
            if matches!(dom.nodes[i].tag, Tag::Td | Tag::Th | Tag::Tr | Tag::Table) {
                return false;
            }
            if self.media[i] {
                return self.chars[i] as usize <= b.chars + 60;
            }
            a = dom.nodes[i].parent;
        }
        false
    }
}

/// The end of the element holding another story that starts at the heading `blocks[k]`:
/// one of the next two blocks is a byline or a date line, and the smallest element around
/// the heading and that line is not the container and holds none of the story kept so far.
fn second_story(
    dom: &Dom,
    blocks: &[TextBlock],
    k: usize,
    container: usize,
    kept: &[TextBlock],
) -> Option<usize> {
    let j = (k + 1..(k + 3).min(blocks.len())).find(|&j| {
        let t = &blocks[j].text;
        blocks[j].words <= 16
            && (is_byline_line(t)
                || crate::dateline::parse_date_line(t).is_some()
                || crate::dateline::is_stamp_line(t))
    })?;
    let mut a = dom.nodes[blocks[k].owner].parent;
    while a != NONE {
        let i = a as usize;
        let end = dom.nodes[i].end as usize;
        if i <= blocks[j].owner && blocks[j].owner < end {
            let holds_story = kept.iter().any(|b| i <= b.owner && b.owner < end);
            // The second story is the smaller one: a box beside the story, or the next story
            // of an endless page, never the story itself after a preamble.
            let words: usize = blocks[k..]
                .iter()
                .take_while(|b| b.owner < end)
                .map(|b| b.words)
                .sum();
            let story: usize = kept.iter().map(|b| b.words).sum();
            return (i != container && i > container && !holds_story && words < story)
                .then_some(end);
        }
        a = dom.nodes[i].parent;
    }
    None
}

/// Whether the story goes on after the list that starts at `blocks[start]`: prose, or
/// another announced list, follows it inside the container. A list announced at the very
/// end of the container is more often "More on this topic:" than part of the story.
fn story_goes_on(blocks: &[TextBlock], start: usize, inside: &impl Fn(&TextBlock) -> bool) -> bool {
    let after = blocks[start..]
        .iter()
        .position(|b| b.kind != BlockKind::ListItem || !inside(b))
        .map_or(blocks.len(), |p| start + p);
    blocks[after..]
        .iter()
        .take_while(|b| inside(b))
        .enumerate()
        .any(|(j, b)| {
            (b.words >= 20 && b.link_density() < 0.3)
                || (b.text.trim_end().ends_with(':')
                    && blocks
                        .get(after + j + 1)
                        .is_some_and(|n| n.kind == BlockKind::ListItem))
        })
}

/// Words a teaser card may hold (headline, date, a summary of a sentence or two).
const TEASER_CARD_WORDS: usize = 80;

/// The card around the heading `blocks[k]`: the smallest element holding it and another
/// block, if that element holds at most [`TEASER_CARD_WORDS`] words.
fn teaser_card(dom: &Dom, blocks: &[TextBlock], k: usize) -> Option<usize> {
    let mut p = dom.nodes[blocks[k].owner].parent;
    while p != NONE {
        let a = p as usize;
        let end = dom.nodes[a].end as usize;
        let inside = |b: &&TextBlock| a <= b.owner && b.owner < end;
        let before = blocks[..k].iter().rev().take_while(inside).count();
        let after = blocks[k + 1..].iter().take_while(inside).count();
        if before + after > 0 {
            let words: usize = blocks[k - before..=k + after].iter().map(|b| b.words).sum();
            return (words <= TEASER_CARD_WORDS).then_some(a);
        }
        p = dom.nodes[a].parent;
    }
    None
}

/// Drops the headline from the top of the body: it is the record's title, not body text.
pub(crate) fn drop_title(kept: &mut Vec<TextBlock>, title: &str) {
    let t = fold(title);
    if t.is_empty() {
        return;
    }
    let at = kept.iter().take(4).position(|b| {
        let f = fold(&b.text);
        !f.is_empty()
            && (f == t || (b.level > 0 && b.level <= 3 && t.contains(&f) && f.len() * 2 >= t.len()))
    });
    if let Some(k) = at {
        kept.remove(k);
    }
}

/// Drops the short fragments after the story's last sentence: a box's label, a call to
/// share or subscribe, a lone link text left under the article (jusText's context rule at
/// the end of the text: a short block with nothing good after it is bad). Only plain
/// paragraphs of at most `max_words` words without sentence punctuation go; list items,
/// headings, quotes and table rows are left for the other rules.
fn trim_tail(
    kept: &mut Vec<TextBlock>,
    removed: &mut Vec<(RemovedReason, String)>,
    max_words: usize,
) {
    let Some(last_prose) = kept
        .iter()
        .rposition(|b| b.words >= 10 && ends_like_sentence(&b.text) && b.link_density() < 0.3)
    else {
        return;
    };
    let mut k = last_prose + 1;
    while k < kept.len() {
        let b = &kept[k];
        let fragment = b.kind == BlockKind::Paragraph
            && b.words <= max_words
            && !b
                .text
                .trim_end()
                .ends_with(['.', '!', '?', '"', '”', '»', '…']);
        if fragment {
            if removed.len() < MAX_REMOVED {
                removed.push((RemovedReason::Boilerplate, b.text.clone()));
            }
            kept.remove(k);
        } else {
            k += 1;
        }
    }
}

/// Drops headings with no text under them (a "Related stories" heading whose list went).
fn trim_headings(kept: &mut Vec<TextBlock>, removed: &mut Vec<(RemovedReason, String)>) {
    let mut out: Vec<TextBlock> = Vec::with_capacity(kept.len());
    for (k, b) in kept.iter().enumerate() {
        if b.kind == BlockKind::Heading {
            let next_is_text = kept[k + 1..]
                .iter()
                .find(|n| n.kind != BlockKind::Heading || n.level <= b.level)
                .is_some_and(|n| n.kind != BlockKind::Heading);
            if !next_is_text {
                if removed.len() < MAX_REMOVED {
                    removed.push((RemovedReason::Boilerplate, b.text.clone()));
                }
                continue;
            }
        }
        out.push(b.clone());
    }
    *kept = out;
}

/// Program text left in the page (an inline script outside `<script>`): many of `;{}=()`
/// among its characters, in statements.
fn is_code(text: &str) -> bool {
    let chars = text.chars().count();
    if chars < 20 {
        return false;
    }
    let code = text
        .chars()
        .filter(|c| matches!(c, ';' | '{' | '}' | '=' | '(' | ')'))
        .count();
    let statements = text.matches(';').count() + text.matches('{').count();
    code * 100 >= chars * 6 && statements >= 3
}

/// A bar of links or labels by its shape: three or more short segments (at most four words)
/// joined by " | " ("Impressum | Datenschutz | Kontakt").
fn is_link_bar(text: &str) -> bool {
    let segs: Vec<&str> = text.split(" | ").map(str::trim).collect();
    segs.len() >= 3
        && segs.iter().all(|s| {
            (1..=4).contains(&s.split_whitespace().count()) && !s.ends_with(['.', '!', '?'])
        })
}

/// Short lines that label, credit or tag rather than tell: "Themen:", "Foto: dpa",
/// "Tags: Bahn, Streik", "Photo: Getty Images" (the families of `rules/lines.rules`).
fn line_rule(text: &str, words: usize, tuning: &Tuning) -> Option<RemovedReason> {
    struct LineFamily {
        phrases: Vec<&'static str>,
        start: bool,
        max_words: usize,
        reason: RemovedReason,
        index: usize,
    }
    static LINES: std::sync::LazyLock<Vec<LineFamily>> = std::sync::LazyLock::new(|| {
        crate::rules::rules()
            .in_file("lines.rules")
            .map(|f| LineFamily {
                phrases: f.patterns().collect(),
                start: f.attr("match") == Some("start"),
                max_words: f.number("max-words", 25),
                reason: f.reason().expect("line families have a reason"),
                index: f.index,
            })
            .collect()
    });
    let t = text.trim();
    // `usize::MAX` words: the vocabulary only, whatever the length.
    let vocab_only = words == usize::MAX;
    let words = if vocab_only { count_words(t) } else { words };
    if !vocab_only && words <= 3 && t.ends_with(':') && tuning.step("short-label-colon") {
        return Some(RemovedReason::Boilerplate);
    }
    if words > 25 {
        return None;
    }
    let lower = t.to_lowercase();
    LINES
        .iter()
        .find(|f| {
            words <= f.max_words
                && tuning.on(f.index)
                && f.phrases.iter().any(|p| {
                    if f.start {
                        lower.starts_with(p)
                    } else {
                        lower.contains(p)
                    }
                })
        })
        .map(|f| f.reason)
}

/// "By Jane Doe", "Von Max Muster", "Por Ana Pérez, Reuters": a short line naming the author
/// (a lead of `byline-lead` in `rules/bylines.rules`, then a few words, most of them
/// capitalised).
pub(crate) fn is_byline_line(text: &str) -> bool {
    let t = text.trim();
    let Some(m) = BYLINE_LEAD.find(t) else {
        return false;
    };
    let words: Vec<&str> = t[m.end()..].split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 10
        && words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count()
            * 2
            >= words.len()
}

/// The lead words of a byline (`byline-lead`) at the start of a line, then white space.
pub(crate) static BYLINE_LEAD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    let f = crate::rules::rules().family("byline-lead");
    regex::Regex::new(&format!(r"(?i)^\s*(?:{})\s+", f.regex_source())).expect("valid byline lead")
});

/// Case and white space folded, punctuation dropped: how titles are compared.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Whether an element or one of its ancestors carries one of the class words (used for
/// headline candidates).
pub(crate) fn in_class(dom: &Dom, i: usize, words: &[&str]) -> bool {
    let mut p = i as u32;
    let mut depth = 0;
    while p != NONE && depth < 6 {
        let n = &dom.nodes[p as usize];
        if class_has(n.attr("class"), words) || class_has(n.attr("id"), words) {
            return true;
        }
        p = n.parent;
        depth += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str, title: Option<&str>) -> (Vec<String>, Vec<(RemovedReason, String)>) {
        let dom = Dom::parse(html);
        let mut c = extract_content(&dom, &Tuning::default());
        if let Some(t) = title {
            drop_title(&mut c.kept, t);
        }
        (c.kept.into_iter().map(|b| b.text).collect(), c.removed)
    }

    /// `f(0) + f(1) + ... + f(n - 1)`: repeated markup for test pages.
    fn each(n: usize, f: impl Fn(usize) -> String) -> String {
        (0..n).map(f).collect()
    }

    const PROSE: &str = "The council voted on Tuesday to reopen the harbour, which has been closed since the storm, and officials said the work would take a month.";

    #[test]
    fn picks_the_article_and_drops_chrome() {
        let html = format!(
            r#"<body><nav><a href=/>Home</a> <a href=/w>World</a></nav>
            <div id=main><h1>Harbour reopens</h1><p class=byline>By Ann Lee</p>
            <p>{PROSE}</p><div class=share-bar>Share this article</div><p>{PROSE} Again.</p>
            <figure><img src=x><figcaption>The harbour at dawn, seen from the pier.</figcaption></figure>
            <p>Third paragraph, with more text that reads like prose, said a spokesman on Monday.</p></div>
            <div class=comments><p>Great article, thanks for writing it, I learned a lot today!</p></div>
            <ul class=links><li><a href=/a>Another story about something else entirely</a></li><li><a href=/b>And yet another story</a></li></ul>
            </body>"#
        );
        let (kept, removed) = texts(&html, Some("Harbour reopens"));
        assert_eq!(kept.len(), 3, "{kept:?}");
        assert!(kept[0].starts_with("The council"));
        let reasons: Vec<RemovedReason> = removed.iter().map(|r| r.0).collect();
        assert!(reasons.contains(&RemovedReason::Byline), "{removed:?}");
        assert!(reasons.contains(&RemovedReason::ShareBar), "{removed:?}");
        assert!(reasons.contains(&RemovedReason::Caption), "{removed:?}");
        assert!(reasons.contains(&RemovedReason::Comments), "{removed:?}");
    }

    #[test]
    fn block_kinds_and_tables() {
        let html = format!(
            "<article><p>{PROSE}</p><h2>What next</h2><ul><li>First point of the plan, explained.</li></ul>\
             <blockquote><p>We are ready to go, the mayor said at the meeting.</p></blockquote>\
             <table><tr><th>Year</th><th>Ships</th></tr><tr><td>2023</td><td>410</td></tr></table>\
             <p>{PROSE} The end.</p></article>"
        );
        let dom = Dom::parse(&html);
        let c = extract_content(&dom, &Tuning::default());
        let kinds: Vec<BlockKind> = c.kept.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Paragraph,
                BlockKind::Heading,
                BlockKind::ListItem,
                BlockKind::Blockquote,
                BlockKind::TableRow,
                BlockKind::TableRow,
                BlockKind::Paragraph
            ]
        );
        assert_eq!(c.kept[4].text, "Year | Ships");
    }

    #[test]
    fn br_splits_and_classes() {
        let (kept, _) = texts(&format!("<td>{PROSE}<br><br>{PROSE} Two.</td>"), None);
        assert_eq!(kept.len(), 2);
        assert_eq!(
            class_reason("article-comments", &Tuning::default()),
            Some((RemovedReason::Comments, true))
        );
        assert_eq!(
            class_reason("site-header", &Tuning::default()),
            Some((RemovedReason::Navigation, false))
        );
        assert_eq!(class_reason("article-header", &Tuning::default()), None);
        assert_eq!(class_reason("shadow head", &Tuning::default()), None);
        assert_eq!(
            class_reason("ad-slot", &Tuning::default()),
            Some((RemovedReason::Promo, true))
        );
        assert!(is_byline_line("By Jane Doe and John Roe"));
        assert!(!is_byline_line(
            "By the end of the year, prices rose sharply"
        ));
    }

    #[test]
    fn photo_post_falls_back_to_the_marked_article() {
        let html = "<body><article class=post><div class=entry-content>\
            <p>Shuji: Japan.</p><p>Walter: Deutschland.</p><p>Fuji X-TRA 400.</p>\
            <p>Shuji: Widelux.</p><p class=cc-block>Copyright © 2018. All Rights Reserved.</p>\
            </div></article></body>";
        // The only prose that scores is the copyright line, which the rules then drop.
        let (kept, _) = texts(html, None);
        assert!(kept.iter().any(|t| t == "Fuji X-TRA 400."), "{kept:?}");
        assert!(!kept.iter().any(|t| t.contains("Copyright")), "{kept:?}");
    }

    #[test]
    fn container_grows_to_the_marked_article_that_holds_it() {
        let html = format!(
            "<body><div class=sidebar><p>{PROSE} Sidebar.</p></div>\
             <article><div class=intro><p>Seit Monaten wird gestritten; nun hat der Rat \
             entschieden, den Hafen wieder zu öffnen, trotz der Bedenken.</p></div>\
             <div class=text>{body}</div><ul>{links}</ul></article></body>",
            body = each(8, |k| format!("<p>{PROSE} {k}.</p>")),
            // Links under the text: they make the article score below its text box.
            links = each(4, |k| format!(
                "<li><a href=/{k}>Weitere Meldungen aus dem Hafen {k}</a></li>"
            ))
        );
        let (kept, _) = texts(&html, None);
        assert!(
            kept.iter().any(|t| t.starts_with("Seit Monaten")),
            "{kept:?}"
        );
        assert!(!kept.iter().any(|t| t.ends_with("Sidebar.")), "{kept:?}");
    }

    #[test]
    fn long_comment_section_under_a_short_article_stays_marked() {
        let comment = "i read every word of this and i still think the council should have \
            asked the people who live by the water before spending a cent of our money on it";
        let html = format!(
            "<body><div id=article_body><p>{PROSE}</p><p>{PROSE} Two.</p></div>\
             <div id=commentsDiv>{c}</div></body>",
            c = each(6, |k| format!("<p>{comment} {k}.</p>"))
        );
        let (kept, removed) = texts(&html, None);
        assert!(kept.iter().any(|t| t.ends_with("Two.")), "{kept:?}");
        assert!(!kept.iter().any(|t| t.contains("every word")), "{kept:?}");
        assert!(removed.iter().any(|(r, _)| *r == RemovedReason::Comments));
    }

    #[test]
    fn short_pick_falls_back_to_a_richer_marked_article() {
        // Show notes whose paragraphs carry many links score below zero; the citation box
        // under them wins the scoring alone.
        let note = "Kathrin <a href=/a>Göbel</a> ist <a href=/b>Astrophysikerin</a> und \
            arbeitet am <a href=/c>GSI Helmholtzzentrum für Schwerionenforschung</a>, wo sie \
            die letzten zwei Jahre am Experiment verbracht hat";
        let html = format!(
            "<body><article class=post><div class=entry-content>{notes}\
             <div class=cite><p>{PROSE}</p><p>{PROSE} Two.</p></div></div></article></body>",
            notes = each(3, |k| format!("<p>{note} {k}.</p>"))
        );
        let (kept, _) = texts(&html, None);
        assert!(
            kept.iter().any(|t| t.starts_with("Kathrin Göbel")),
            "{kept:?}"
        );
        assert!(kept.iter().any(|t| t.ends_with("Two.")), "{kept:?}");
    }

    #[test]
    fn comment_head_below_the_story_cuts_the_rest() {
        let html = format!(
            "<body><div id=main><p>0 Comments</p><p>{PROSE}</p><p>{PROSE} Two.</p>\
             <p>{PROSE} Three.</p><p>{PROSE} Four.</p>\
             <h3>Comments are now closed</h3>\
             <p>harbourwatcher</p><p>Every year the same promise is made about the quay and \
             every year the repairs start late, so forgive me if I wait before I cheer.</p>\
             </div></body>"
        );
        let (kept, removed) = texts(&html, None);
        assert!(kept.iter().any(|t| t.ends_with("Four.")), "{kept:?}");
        assert!(!kept.iter().any(|t| t.contains("same promise")), "{kept:?}");
        assert!(!kept.iter().any(|t| t == "0 Comments"), "{kept:?}");
        assert!(
            removed
                .iter()
                .any(|(r, t)| *r == RemovedReason::Comments && t.contains("same promise"))
        );
    }

    #[test]
    fn other_stories_head_cuts_only_below_the_story() {
        let teaser = "The regional transit board approved a new timetable on Friday that adds \
            late buses on weekends and cuts two routes that few riders used last year.";
        // Below four paragraphs: the head and the teasers after it go.
        let html = format!(
            "<body><div id=main><p>{PROSE}</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p>\
             <p>{PROSE} Four.</p><p>MORE REGIONAL HEADLINES »</p><p>{teaser}</p></div></body>"
        );
        let (kept, _) = texts(&html, None);
        assert!(kept.iter().any(|t| t.ends_with("Four.")), "{kept:?}");
        assert!(!kept.iter().any(|t| t.contains("timetable")), "{kept:?}");
        // Above the story, a sidebar's "Most read" cuts nothing.
        let html = format!(
            "<body><div id=main><p>Most read</p><p>{PROSE}</p><p>{PROSE} Two.</p>\
             <p>{PROSE} Three.</p><p>{PROSE} Four.</p></div></body>"
        );
        let (kept, _) = texts(&html, None);
        assert!(kept.iter().any(|t| t.ends_with("Four.")), "{kept:?}");
    }

    #[test]
    fn program_text_is_no_prose() {
        assert!(is_code(
            "var n=0,e=new Array;function ev(a,b){b=e[n++]=new Object();b.a=a;return b;} var h=ev(\"pv\");"
        ));
        assert!(!is_code(
            "The council (which met on Tuesday) voted 7-2; the mayor abstained; the plan passed."
        ));
    }

    /// Every family of `heads.rules` and `lines.rules` matches its examples and none of its
    /// counter-examples.
    #[test]
    fn head_and_line_families_match_their_examples() {
        let t = Tuning::default();
        for f in crate::rules::rules().in_file("heads.rules") {
            for e in &f.examples {
                assert_eq!(tail_head(e, &t), f.reason(), "[{}] {e:?}", f.id);
            }
            for c in &f.counters {
                assert_eq!(tail_head(c, &t), None, "[{}] {c:?}", f.id);
            }
        }
        for f in crate::rules::rules().in_file("lines.rules") {
            for e in &f.examples {
                let words = e.split_whitespace().count();
                assert_eq!(line_rule(e, words, &t), f.reason(), "[{}] {e:?}", f.id);
            }
        }
        for (line, want) in [
            ("Comments are now closed", Some(RemovedReason::Comments)),
            ("14 Kommentare", Some(RemovedReason::Comments)),
            ("Other stories", Some(RemovedReason::RelatedLink)),
            (
                "More regional headlines »",
                Some(RemovedReason::RelatedLink),
            ),
            (
                "More rain is expected in the headlines of tomorrow's papers",
                None,
            ),
        ] {
            assert_eq!(tail_head(line, &t), want, "{line}");
        }
    }
}

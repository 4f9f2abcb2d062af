//! Direct quotes: the spans between quotation marks, in every style news prose uses.
//!
//! Styles: “…” and "…" (English), „…“ and „…” (German, Polish), «…» and »…« (French, Spanish,
//! German books), ‚…‘, ‘…’, ‹…› and '…' (single, when nothing double is open), ”…” (Swedish),
//! and dialogue dashes (a paragraph opening with — or –, as Spanish and French write speech;
//! the narrator's words between a pair of dashes, or after a comma, are not part of it).
//!
//! A quote never runs past its paragraph unless the next paragraph opens with a quotation mark
//! (the convention for a quote of several paragraphs: each opens, only the last closes). A mark
//! left open at the end of a paragraph closes the quote there, so an unbalanced mark costs at
//! most one paragraph, never the rest of the article. Nested quotes (single marks inside
//! double, « » inside “ ”) stay inside the outer quote.

/// A quoted span: byte offsets into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quoted {
    /// The opening mark (or the dash).
    pub(crate) open: usize,
    /// Start of the quoted words.
    pub(crate) start: usize,
    /// End of the quoted words (exclusive).
    pub(crate) end: usize,
    /// Just after the closing mark, or `end` when the quote was left open.
    pub(crate) close: usize,
    /// Whether a closing mark was found.
    pub(crate) closed: bool,
    /// A dialogue dash rather than a quotation mark.
    pub(crate) dash: bool,
}

/// The closing marks that end a quote opened by `open`.
fn closers(open: char) -> &'static [char] {
    match open {
        // Double marks close each other's quotes: pages mix straight and curly marks.
        '“' => &['”', '“', '"'],
        '„' => &['“', '”', '"'],
        '”' => &['”', '"'],
        '«' => &['»'],
        '»' => &['«'],
        '"' => &['"', '”', '“'],
        '‚' => &['‘', '’'],
        '‘' => &['’'],
        '‹' => &['›'],
        '›' => &['‹'],
        '\'' => &['\''],
        _ => &[],
    }
}

fn is_single(c: char) -> bool {
    matches!(c, '‚' | '‘' | '‹' | '›' | '\'')
}

/// Whether `c` may open a quote here: it is at the start or after space or an opening
/// bracket, and words follow it.
fn may_open(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let before_ok = prev.is_none_or(|p| {
        p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–' | '-' | ':' | '/' | '«' | '“' | '"')
    });
    let after_ok = next.is_some_and(|n| !n.is_whitespace());
    match c {
        // French sets « and » off with a space inside.
        '«' => next.is_some(),
        '„' | '‹' | '‚' => after_ok,
        '“' | '‘' => after_ok && (before_ok || !prev.is_some_and(char::is_alphanumeric)),
        // Marks that also close elsewhere open only at a word's start.
        '"' | '\'' | '”' | '»' | '›' => before_ok && after_ok,
        _ => false,
    }
}

/// Whether the closing mark `c` may close here: after a word or punctuation, and not inside a
/// word (an apostrophe: "don’t", "Putin's").
fn may_close(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let prev_ok = prev.is_some_and(|p| !p.is_whitespace());
    let inside_word =
        prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
    match c {
        '’' | '\'' => prev_ok && !inside_word,
        '»' => true,
        // A mark that also opens closes only where no word follows it.
        '“' | '"' => prev_ok && !next.is_some_and(char::is_alphanumeric),
        _ => prev_ok || next.is_none_or(char::is_whitespace),
    }
}

/// Byte ranges of the paragraphs (blocks are separated by blank lines; single line breaks are
/// kept inside a paragraph).
pub(crate) fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\n' && bytes[i + 1] == b'\n' {
            if i > start {
                out.push((start, i));
            }
            let mut j = i;
            while j < bytes.len() && bytes[j] == b'\n' {
                j += 1;
            }
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The first non-space character of a paragraph, with its byte offset.
fn first_char(text: &str, (s, e): (usize, usize)) -> Option<(usize, char)> {
    text[s..e]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (s + i, c))
}

/// Whether a paragraph opens with an opening quotation mark.
fn opens_with_mark(text: &str, p: (usize, usize)) -> Option<char> {
    let (i, c) = first_char(text, p)?;
    if text[i..p.1].starts_with("''") || text[i..p.1].starts_with("``") {
        return Some('"');
    }
    let next = text[i + c.len_utf8()..p.1].chars().next();
    (matches!(c, '“' | '„' | '«' | '"' | '»' | '”') && may_open(c, None, next)).then_some(c)
}

/// Finds the quoted spans of `text`, in text order, not overlapping.
pub(crate) fn find_quoted(text: &str) -> Vec<Quoted> {
    let paras = paragraphs(text);
    let mut out: Vec<Quoted> = Vec::new();
    // A quote carried over from the previous paragraph: (opening mark, open byte, start byte).
    let mut carried: Option<(char, usize, usize)> = None;
    for (k, &p) in paras.iter().enumerate() {
        let (ps, pe) = p;
        // Dialogue: a paragraph that opens with a dash.
        if carried.is_none()
            && let Some((i, c)) = first_char(text, p)
            && matches!(c, '—' | '–')
        {
            dialogue(text, i, c, pe, &mut out);
            continue;
        }
        let mut open: Option<(char, usize, usize)> = carried.take();
        // The quote carried over re-opens with this paragraph's first mark: skip that mark.
        let mut skip_to = ps;
        if let Some((c, _, _)) = open
            && let Some((i, m)) = first_char(text, p)
            && (opens_with_mark(text, p).is_some() || m == c)
        {
            let doubled = text[i..pe].starts_with("''") || text[i..pe].starts_with("``");
            skip_to = i + if doubled { 2 } else { m.len_utf8() };
        }
        let seg = &text[skip_to..pe];
        let mut prev: Option<char> = text[ps..skip_to].chars().next_back();
        let mut iter = seg.char_indices().peekable();
        while let Some((off, raw)) = iter.next() {
            let i = skip_to + off;
            let mut next = iter.peek().map(|&(_, n)| n);
            // Doubled apostrophes or backticks stand for a double mark (''…'' and ``…'', as
            // some archives and the Penn Treebank write quotes).
            let mut c = raw;
            let mut width = raw.len_utf8();
            if (raw == '\'' || raw == '`') && next == Some(raw) {
                iter.next();
                next = iter.peek().map(|&(_, n)| n);
                c = '"';
                width = 2;
            } else if raw == '`' {
                prev = Some(raw);
                continue;
            }
            match open {
                Some((o, oi, os)) => {
                    if closers(o).contains(&c) && may_close(c, prev, next) {
                        let closing = i + width;
                        out.push(Quoted {
                            open: oi,
                            start: os,
                            end: i,
                            close: closing,
                            closed: true,
                            dash: false,
                        });
                        open = None;
                    }
                }
                None => {
                    if may_open(c, prev, next) {
                        open = Some((c, i, i + width));
                    }
                }
            }
            prev = Some(c);
        }
        if let Some((o, oi, os)) = open {
            // Open at the paragraph's end: a double mark carries over when the next paragraph
            // opens with a mark; otherwise (or for a single mark) the quote ends here.
            let continues = !is_single(o)
                && paras
                    .get(k + 1)
                    .is_some_and(|&n| opens_with_mark(text, n).is_some());
            if continues {
                carried = Some((o, oi, os));
            } else if !is_single(o) {
                let end = trim_end(text, os, pe);
                if end > os {
                    out.push(Quoted {
                        open: oi,
                        start: os,
                        end,
                        close: end,
                        closed: false,
                        dash: false,
                    });
                }
            }
        }
    }
    // The quoted words without the white space inside the marks (« Nous aidons »).
    for q in &mut out {
        let inner = &text[q.start..q.end];
        q.start += inner.len() - inner.trim_start().len();
        q.end = trim_end(text, q.start, q.end);
    }
    out.retain(|q| q.end > q.start);
    out
}

/// The end of `text[start..end]` without trailing white space.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

/// A dialogue paragraph opening with the dash at `i`: the speech runs to the next dash that
/// follows a space (the narrator's words start there) and resumes after the narrator's closing
/// dash if speech follows it.
fn dialogue(text: &str, i: usize, dash: char, pe: usize, out: &mut Vec<Quoted>) {
    let mut open = i;
    let mut start = i + dash.len_utf8();
    loop {
        // Skip white space after the dash.
        let rest = &text[start..pe];
        start += rest.len() - rest.trim_start().len();
        if start >= pe {
            return;
        }
        // The narrator's dash: a dash after a space.
        let seg = &text[start..pe];
        let mut narr = None;
        let mut prev = ' ';
        for (off, c) in seg.char_indices() {
            if matches!(c, '—' | '–') && prev.is_whitespace() && off > 0 {
                narr = Some(start + off);
                break;
            }
            prev = c;
        }
        let end = narr.unwrap_or(pe);
        let qend = trim_end(text, start, end);
        if qend > start {
            out.push(Quoted {
                open,
                start,
                end: qend,
                close: qend,
                closed: narr.is_some(),
                dash: true,
            });
        }
        let Some(n) = narr else { return };
        // The narrator's words run to the closing dash; speech resumes after it when a
        // sentence follows (". Lo repetimos.").
        let after = n + text[n..].chars().next().map_or(1, char::len_utf8);
        let Some(off) = text[after..pe].find(['—', '–']) else {
            return;
        };
        let close = after + off;
        let mut resume = close + text[close..].chars().next().map_or(1, char::len_utf8);
        let tail = &text[resume..pe];
        let t = tail.trim_start_matches(['.', ',', ';', ':']);
        resume += tail.len() - t.len();
        if !text[resume..pe]
            .trim()
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '¿' || c == '¡')
        {
            return;
        }
        open = close;
        start = resume;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> Vec<&str> {
        find_quoted(text)
            .iter()
            .map(|q| &text[q.start..q.end])
            .collect()
    }

    #[test]
    fn styles() {
        assert_eq!(quoted("He said “we agree” and left."), ["we agree"]);
        assert_eq!(quoted("He said \"we agree,\" and left."), ["we agree,"]);
        assert_eq!(quoted("„Wir helfen“, sagte sie."), ["Wir helfen"]);
        assert_eq!(quoted("« Nous aidons », a-t-il dit."), ["Nous aidons"]);
        assert_eq!(quoted("»Wir helfen«, sagte sie."), ["Wir helfen"]);
        assert_eq!(quoted("He called it ‘a disgrace’ today."), ["a disgrace"]);
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(
            quoted("Putin's visit and the leaders' talks don’t end."),
            Vec::<&str>::new()
        );
        assert_eq!(quoted("“It’s Putin’s,” he said."), ["It’s Putin’s,"]);
    }

    #[test]
    fn doubled_apostrophes() {
        assert_eq!(
            quoted("He called it ''a display of panic,'' and ``left.''"),
            ["a display of panic,", "left."]
        );
    }

    #[test]
    fn nested_quotes_stay_inside() {
        assert_eq!(
            quoted("She said: “He told me ‘no’ twice.” Then she left."),
            ["He told me ‘no’ twice."]
        );
    }

    #[test]
    fn multi_paragraph_quote() {
        let text = "He said: “First part.\n\n“Second part.”\n\nNarration.";
        assert_eq!(quoted(text), ["First part.\n\n“Second part."]);
    }

    #[test]
    fn unbalanced_mark_costs_one_paragraph() {
        let text = "He said “we agree and left.\n\nNext paragraph “quoted” here.";
        assert_eq!(quoted(text), ["we agree and left.", "quoted"]);
    }

    #[test]
    fn dialogue_dashes() {
        assert_eq!(
            quoted("—No vamos a ceder —dijo el ministro—. Lo repetimos."),
            ["No vamos a ceder", "Lo repetimos."]
        );
        assert_eq!(
            quoted("– Nous n'avons rien à cacher, a déclaré le ministre."),
            ["Nous n'avons rien à cacher, a déclaré le ministre."]
        );
    }
}

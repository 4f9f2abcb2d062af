//! Language identification (whatlang), reported as ISO 639-1 codes.
//!
//! One detector for the whole pipeline: extraction names the body's language (and the language
//! of removed pieces) with it, and the NLP stage the language of each block, so a tagger is
//! chosen by the same judgement that set the record's `language`. It does no I/O.
//!
//! ```
//! assert_eq!(
//!     newsmill_lang::detect_language("Die Regierung hat am Mittwoch neue Regeln beschlossen."),
//!     Some("de")
//! );
//! ```

use whatlang::Lang;

/// How much of a text detection reads: its first this many bytes (trigram statistics settle
/// within a few hundred words).
pub const SAMPLE_BYTES: usize = 2000;

/// Below this many letters, a text in Latin script gets a language only when whatlang is
/// confident (0.5): about two sentences.
const SHORT_LETTERS: usize = 200;

/// The ISO 639-1 code of the language `text` is written in, or `None` when the text is too
/// short or too mixed to tell (a short Latin-script text whose guess is not confident says
/// unknown rather than guess).
pub fn detect_language(text: &str) -> Option<&'static str> {
    // Trigram statistics settle within a few hundred words; a sample keeps long articles cheap
    // (detection over a whole article was most of the text extractor's time).
    let text = sample(text, SAMPLE_BYTES);
    let info = whatlang::detect(text)?;
    // Short texts in Latin script are often misread (a sentence of English with three names
    // in it reads as Afrikaans, confidence 0.2): under a few sentences, demand confidence.
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < SHORT_LETTERS
        && info.confidence() < 0.5
        && info.script() == whatlang::Script::Latin
    {
        return None;
    }
    iso639_1(info.lang())
}

/// Like [`detect_language`], but only when whatlang deems the guess reliable: for short
/// pieces in the body's own script, where a wrong guess is likely.
pub fn detect_language_reliable(text: &str) -> Option<&'static str> {
    let info = whatlang::detect(sample(text, SAMPLE_BYTES))?;
    if !info.is_reliable() {
        return None;
    }
    iso639_1(info.lang())
}

/// The function words of each language (`data/function-words.txt`, which says where they come
/// from), read once.
fn function_words() -> &'static [(&'static str, std::collections::HashSet<&'static str>)] {
    static LISTS: std::sync::OnceLock<
        Vec<(&'static str, std::collections::HashSet<&'static str>)>,
    > = std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        include_str!("../data/function-words.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(':'))
            .map(|(code, words)| (code.trim(), words.split_whitespace().collect()))
            .collect()
    })
}

/// The fewest function words a short text needs for [`guess_short`] to name its language.
const GUESS_MIN_WORDS: usize = 3;
/// How many more function words the best language needs than the next one.
const GUESS_MARGIN: usize = 2;

/// The language of a text too short for [`detect_language`] to tell, from its function words
/// (articles, pronouns, prepositions, auxiliaries, weekday names and reporting verbs of
/// English, German, Spanish, Dutch, French, Italian and Portuguese): the language with at
/// least 3 of them in the text and 2 more than any other, else `None`.
///
/// On the short sentences (40 to 199 letters) of the NER dev sets (English CoNLL-2003, German,
/// Spanish and Dutch), it names the right language for 85%, 83%, 84% and 93% of them and a
/// wrong one for none (`cargo xtask eval lang-short`: dev figures; the margin was chosen on
/// them).
///
/// ```
/// assert_eq!(
///     newsmill_lang::guess_short("Angela Merkel met Emmanuel Macron in Paris on Tuesday. \"We agree,\" Merkel said."),
///     Some("en")
/// );
/// assert_eq!(newsmill_lang::guess_short("Merkel, Macron, Paris."), None);
/// ```
pub fn guess_short(text: &str) -> Option<&'static str> {
    let lists = function_words();
    let mut scores = vec![0usize; lists.len()];
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        for (score, (_, words)) in scores.iter_mut().zip(lists) {
            if words.contains(lower.as_str()) {
                *score += 1;
            }
        }
    }
    let (best, &top) = scores.iter().enumerate().max_by_key(|&(_, s)| *s)?;
    let next = scores
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(0);
    (top >= GUESS_MIN_WORDS && top >= next + GUESS_MARGIN).then_some(lists[best].0)
}

/// Each function word of `data/function-words.txt` with the languages it belongs to, as a bit
/// per entry of [`function_words`], read once.
fn function_word_bits() -> &'static std::collections::HashMap<&'static str, u32> {
    static BITS: std::sync::OnceLock<std::collections::HashMap<&'static str, u32>> =
        std::sync::OnceLock::new();
    BITS.get_or_init(|| {
        let mut bits = std::collections::HashMap::new();
        for (i, (_, words)) in function_words().iter().enumerate().take(32) {
            for &w in words {
                *bits.entry(w).or_insert(0) |= 1u32 << i;
            }
        }
        bits
    })
}

/// The least share of a text's words that must be function words of the language (in 8 of 10
/// windows of news prose on the extraction dev pages, en/de/es/fr, 0.29 to 0.49 of them are).
const CONFIRM_MIN_SHARE: f64 = 0.25;
/// How many times more function words of the language than of any other list.
const CONFIRM_RATIO: usize = 2;
/// Languages [`function_words_confirm`] never confirms: whatlang knows a close relative of
/// each that has no function-word list here and shares most of its function words (Afrikaans
/// reads as Dutch by them, Catalan nearly as Spanish), so a text in it could be confirmed.
const CONFIRM_NEVER: &[&str] = &["nl", "es"];

/// Whether the function words of `text` plainly say it is written in `code`: at least
/// `min_words` of them, a quarter of its words, and twice as many as of any other language of
/// `data/function-words.txt`. A cheap check, for prose long enough to tell (a few sentences),
/// that the caller's expected language is right; `false` says nothing (the text may still be
/// in `code`). A language without a list is never confirmed, nor Dutch and Spanish, whose
/// close relatives whatlang knows (Afrikaans, Catalan) share their function words.
///
/// The NLP stage asks it of each block before asking whatlang ([`detect_language_reliable`]).
/// The thresholds were chosen on the extraction dev pages, where 8 in 10 windows of news prose
/// have 0.29 to 0.49 of their words in the list of their language, and the windows with a block
/// whatlang gives another language than the record's have at most 0.05 in the record's list;
/// with the check, the records of those 789 pages and of the sample WARC are byte-identical
/// to those without it.
///
/// ```
/// let de = "Die Regierung hat am Mittwoch neue Regeln für den Verkehr beschlossen. Sie sollen \
///           ab dem nächsten Jahr gelten, sagte der Minister in Berlin, und er wird sie mit den \
///           Ländern noch einmal besprechen, bevor das Gesetz in den Bundestag kommt.";
/// assert!(newsmill_lang::function_words_confirm(de, "de", 10));
/// assert!(!newsmill_lang::function_words_confirm(de, "en", 10));
/// assert!(!newsmill_lang::function_words_confirm("Merkel, Macron, Paris.", "de", 1));
/// ```
pub fn function_words_confirm(text: &str, code: &str, min_words: usize) -> bool {
    if CONFIRM_NEVER.contains(&code) {
        return false;
    }
    let Some(target) = function_words()
        .iter()
        .take(32)
        .position(|(c, _)| *c == code)
    else {
        return false;
    };
    let (scores, words) = function_word_scores(text);
    confirmed(&scores, words, target, min_words)
}

/// The language whose function words plainly say `text` is written in it, by the test of
/// [`function_words_confirm`] (which at most one language can pass: it needs twice as many
/// of its function words as of any other list), or `None`. One pass over the text; Dutch and
/// Spanish are never named, as there.
///
/// ```
/// let de = "Die Regierung hat am Mittwoch neue Regeln für den Verkehr beschlossen. Sie sollen \
///           ab dem nächsten Jahr gelten, sagte der Minister in Berlin, und er wird sie mit den \
///           Ländern noch einmal besprechen, bevor das Gesetz in den Bundestag kommt.";
/// assert_eq!(newsmill_lang::function_words_language(de, 10), Some("de"));
/// assert_eq!(newsmill_lang::function_words_language("Merkel, Macron, Paris.", 1), None);
/// ```
pub fn function_words_language(text: &str, min_words: usize) -> Option<&'static str> {
    let lists = function_words();
    let (scores, words) = function_word_scores(text);
    let (best, _) = scores
        .iter()
        .enumerate()
        .take(lists.len())
        .max_by_key(|&(i, s)| (*s, std::cmp::Reverse(i)))?;
    let code = lists[best].0;
    (!CONFIRM_NEVER.contains(&code) && confirmed(&scores, words, best, min_words)).then_some(code)
}

/// How many words of `text` are function words of each list of [`function_words`] (by index;
/// a word may count for several lists), and how many words it has.
fn function_word_scores(text: &str) -> ([usize; 32], usize) {
    let lists = function_words();
    let bits = function_word_bits();
    let mut scores = [0usize; 32];
    let mut words = 0usize;
    let mut lower = String::new();
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        let key = if word.chars().any(char::is_uppercase) {
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            lower.as_str()
        } else {
            word
        };
        if let Some(&b) = bits.get(key) {
            for (i, score) in scores.iter_mut().enumerate().take(lists.len()) {
                if b & (1 << i) != 0 {
                    *score += 1;
                }
            }
        }
    }
    (scores, words)
}

/// The test of [`function_words_confirm`] on counted scores: at least `min_words` function
/// words of list `target`, a quarter of the words, and twice as many as of any other list.
fn confirmed(scores: &[usize; 32], words: usize, target: usize, min_words: usize) -> bool {
    let top = scores[target];
    let next = scores
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != target)
        .map(|(_, &s)| s)
        .max()
        .unwrap_or(0);
    top >= min_words.max(1)
        && top as f64 >= CONFIRM_MIN_SHARE * words as f64
        && top >= CONFIRM_RATIO * next
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn sample(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Maps whatlang's ISO 639-3 languages to ISO 639-1 (none for the few without a two-letter code).
fn iso639_1(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_languages() {
        assert_eq!(detect_language("পাঠকের মন্তব্য"), Some("bn"));
        assert_eq!(
            detect_language("The president arrived in the capital on Wednesday morning for talks."),
            Some("en")
        );
        assert_eq!(
            detect_language(
                "Die Regierung hat am Mittwoch neue Regeln für den Verkehr beschlossen."
            ),
            Some("de")
        );
        assert_eq!(detect_language("12 34"), None);
    }

    // See: issue 23 (a two-sentence English text came out as `af`).
    #[test]
    fn regression_23_short_text_says_unknown_rather_than_guess() {
        let short =
            "Angela Merkel met Emmanuel Macron in Paris on Tuesday. \"We agree,\" Merkel said.";
        assert_eq!(detect_language(short), None);
        assert_eq!(
            detect_language("Die Regierung hat am Mittwoch neue Regeln beschlossen."),
            Some("de"),
            "a short text whose guess is confident keeps it"
        );
        let longer = format!(
            "{short} The two leaders spoke for an hour about trade, energy and the war, and \
             agreed to meet again in Berlin next month before the summit of the union."
        );
        assert_eq!(detect_language(&longer), Some("en"));
    }

    #[test]
    fn function_words_never_confirm_a_close_relative() {
        // Afrikaans has most of Dutch's function words; whatlang tells it apart.
        let af = "Die regering het op Dinsdag 'n nuwe plan goedgekeur om die infrastruktuur van \
                  die land te verbeter. Volgens die minister sal die werk volgende jaar begin en \
                  in verskeie fases gedoen word. Hy het ook gesê dat die begroting meer as \
                  honderd miljoen rand sal wees en dat munisipaliteite kan deelneem.";
        assert_eq!(detect_language_reliable(af), Some("af"));
        assert!(!function_words_confirm(af, "nl", 10));
        let en = "The government approved a new plan on Tuesday to improve the roads of the \
                  country. According to the minister, the work will begin next year and will be \
                  done in several stages. He also said that the budget would be more than a \
                  hundred million euros and that the towns could take part in it.";
        assert!(function_words_confirm(en, "en", 10));
        assert!(!function_words_confirm(en, "de", 10));
        assert!(!function_words_confirm(en, "xx", 10));
    }
}

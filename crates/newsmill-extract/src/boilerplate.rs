//! Boilerplate lines shared by the text and HTML extractors.
//!
//! A line is boilerplate when it is short and is, or starts with, a known site-chrome phrase:
//! share bars, "Read more" link lines, comment-box labels, newsletter and cookie prompts,
//! copyright lines. The phrases cover the languages newsmill meets most; lines in a script
//! other than the body's are caught separately by [`foreign_script`], so a comment label in a
//! language missing from these lists still goes.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use newsmill_core::RemovedReason;
use regex::{Regex, RegexSet};

/// Longest line (in characters) that a label-like pattern may match. Longer lines are prose
/// that merely contains the phrase.
const MAX_LABEL_CHARS: usize = 90;

/// Patterns for whole short lines, by reason. Matched case-insensitively after trimming.
static LABELS: LazyLock<Vec<(RemovedReason, Regex)>> = LazyLock::new(|| {
    let table: &[(RemovedReason, &str)] = &[
        (
            RemovedReason::Comments,
            r"(?i)^(\d+\s+)?(reader'?s?'?\s+comments?|comments?|comments are closed|be the first to comment|write a comment|add your comment|show comments|view comments|leave a (comment|reply)|add (a )?comment|post a comment|join the (conversation|discussion)|discussion|\d+\s+comments?|comentarios?( de (los )?lectores)?|deja (un|tu) comentario|comentários?( dos leitores)?|deixe (um|seu) comentário|kommentare|leserkommentare|kommentieren|kommentar verfassen|kommentar schreiben|commentaires?( des lecteurs)?|réagir|laisser un commentaire|commenti( dei lettori)?|lascia un commento|reacties|yorumlar|komentar|komentarze|комментарии|комментарии читателей|коментарі|تعليقات(\s+القراء)?|التعليقات|أضف تعليق(ا|ك)?|تبصرے|نظرات|پاسخ|পাঠকের মন্তব্য|মন্তব্য(সমূহ)?|মন্তব্য করুন|पाठकों की (टिप्पणियाँ|टिप्पणियां)|टिप्पणियाँ|टिप्पणी करें|评论|读者评论|發表評論|评论区|コメント|読者のコメント|댓글|독자 댓글)\s*[:：]?\s*(\(\d+\))?$",
        ),
        (
            RemovedReason::ShareBar,
            r"(?i)^(share( this)?( article| story| post| page| on (facebook|twitter|x|linkedin|whatsapp|email))?|share via|click to share|tweet( this)?|pin it|email this|print( this)?( article| page)?|follow us( on .{1,40})?|like us on facebook|copy link|link copied|compartir( en .{1,20})?|comparte( esta noticia)?|teilen|artikel teilen|partager( cet article)?|condividi|compartilhe?|delen|paylaş|udostępnij|поделиться|شارك(\s+\S+)?|مشاركة|শেয়ার করুন|शेयर करें|分享|シェア|공유하기)(\s*[:|/·•,]\s*(facebook|twitter|x|linkedin|whatsapp|e-?mail|reddit|telegram|print|copy link)?)*\s*$",
        ),
        (
            RemovedReason::RelatedLink,
            r"(?i)^(read more|read also|also read|more on this|more from|related( articles?| stories| content| coverage)?|see also|recommended( for you)?|you may also like|more stories|top stories|most read|most popular|trending|watch|video|listen|lee (también|además|más)|leer más|ver más|noticias relacionadas|te puede interesar|lesen sie (auch|mehr)|mehr zum thema|weiterlesen|auch interessant|lire (aussi|la suite)|à lire aussi|sur le même sujet|leggi anche|leia (também|mais)|veja também|читайте также|по теме|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد|ذات صلة|আরও পড়ুন|আরো পড়ুন|আরও খবর|यह भी पढ़ें|और पढ़ें|相关(文章|新闻|阅读)|関連記事|관련 기사)\s*([:|»›>]|[-–—]\s|\.{3}|…|$)",
        ),
        (
            RemovedReason::Promo,
            r"(?i)^(advertisement|advertising|sponsored( content)?|anzeige|werbung|publicidad|publicité|pubblicità|реклама|إعلان|বিজ্ঞাপন|विज्ञापन|广告|広告|광고|subscribe( now| today| to .{1,60})?|sign up( for| to| now).{0,80}|get (our|the) .{1,40}newsletter.{0,40}|newsletter|suscríbete.{0,60}|abonnieren.{0,60}|jetzt abonnieren|abonnez-vous.{0,60}|we use cookies.{0,200}|this (site|website) uses cookies.{0,200}|accept( all)? cookies|cookie (settings|policy|preferences)|download (our|the) app.{0,60})\s*[.!:]?\s*$",
        ),
        (
            RemovedReason::Caption,
            r"(?i)^\(?(photo|photograph|image|picture|illustration|graphic|video|foto|bild|imagen|crédito|credit|photo credit|getty images|ap photo|reuters photo|afp photo)\s*(:|/|by\b|©).{0,100}$",
        ),
        (
            RemovedReason::Legal,
            r"(?i)^((©|\(c\)|copyright|℗)\s*.{0,120}|all rights reserved\.?|todos los derechos reservados\.?|alle rechte vorbehalten\.?|tous droits réservés\.?|terms (of use|and conditions)|privacy policy|impressum|aviso legal|mentions légales)$",
        ),
        (
            RemovedReason::Promo,
            r"(?i)^[-–—\s]*(anzeige|advertisement|werbung)[-–—\s]*$",
        ),
        (
            RemovedReason::RelatedLink,
            r"(?i)^(das könnte (sie|dich) (auch|ebenfalls) interessieren|das könnte sie auch|empfehlungen( der redaktion)?|schlagworte|schlagwörter|stichworte|tags|themen|mehr aus (dem|der) .{1,40}|more (in|from) this (section|category)|quellen (ausblenden|anzeigen)|den artikel mit anderen teilen.{0,40}|submit your letter to the editor.{0,40}|weitere (artikel|beiträge|meldungen|nachrichten)( zum thema| aus .{1,30})?|kommentierte artikel|meistgelesen(e)?( artikel)?|(ähnliche|verwandte) (artikel|beiträge)|aktuell|à découvrir( aussi)?|articles similaires|sur le même thème|artículos relacionados|más noticias|(more|other|similar) articles)\s*[:.]?\s*$",
        ),
        (
            RemovedReason::Boilerplate,
            r"(?i)^(\d+\s*(min(ute)?s?|minut|minuten)\.?\s*(read|reading|czytania|lesezeit|lectura|de lecture|di lettura)?|(lesezeit|reading time|temps de lecture|tiempo de lectura)\s*:?\s*\d+\s*(min(ute)?s?|minuten)\.?)\s*$",
        ),
        (
            RemovedReason::Caption,
            r"(?i)^[^.!?]{1,60}/\s*(getty images|afp|reuters|ap|dpa|imago|epa|shutterstock|istock(photo)?)\b[^.!?]{0,40}$",
        ),
        (
            RemovedReason::Navigation,
            r"(?i)^(home|back to top|skip to (main )?content|menu|search|log ?in|sign in|next article|previous article|next|previous|inicio|startseite|accueil|главная|الرئيسية|প্রচ্ছদ|首页|ホーム|홈)\s*$|^(home|inicio|startseite|accueil)\s*[>»/›|].{0,80}$",
        ),
    ];
    table
        .iter()
        .map(|(r, p)| (*r, Regex::new(p).expect("valid boilerplate pattern")))
        .collect()
});

/// Paywall, donation and privacy notices: lines that start with one of these phrases.
const NOTICES: &[&str] = &[
    "to view the full story",
    "to read the full story",
    "to read the full article",
    "to continue reading",
    "please subscribe",
    "if you're seeing this message",
    "if you’re seeing this message",
    "if you're already a subscriber",
    "if you’re already a subscriber",
    "already a subscriber",
    "already a member",
    "first-time subscribers",
    "instant access to",
    "support our journalism",
    "support independent journalism",
    "become a member",
    "become a supporter",
    "jede kleine spende",
    "jeder kleine beitrag",
    "unterstütze uns",
    "unterstützen sie uns",
    "jetzt spenden",
    "wir respektieren deine privatsphäre",
    "wir respektieren ihre privatsphäre",
    "we respect your privacy",
    "únete a nuestro canal",
    "suscríbete a nuestro canal",
    "¡mira lo que tiene nuestro canal",
    "¿ya sabías que en",
    "síguenos en",
    "get the latest news straight",
    "download our app",
    "sign up for our newsletter",
    "unterstütze ",
    "jetzt die aktuelle ausgabe",
    ">>> jetzt",
    "die aktuelle ausgabe der",
    "abonniere unseren newsletter",
];

/// Contributor and advice disclaimers: lines that hold one of these phrases near their start.
const DISCLAIMERS: &[&str] = &[
    "does not offer medical advice",
    "does not provide medical advice",
    "does not constitute medical advice",
    "does not offer legal advice",
    "does not constitute legal advice",
    "does not constitute financial advice",
    "does not constitute investment advice",
    "is not responsible for the opinions",
    "is not responsible for the content",
    "are not responsible for the opinions",
    "n'engagent que leurs auteurs",
    "n’engagent que leurs auteurs",
    "advertising disclaimer",
    "advertisers do not influence",
    "republication or redistribution of",
];

static NOTICE_AC: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(NOTICES.iter().chain(DISCLAIMERS))
        .expect("valid phrase list")
});

/// A paywall or donation notice (at the start of the line) or a disclaimer (in its first
/// 160 bytes), whatever the line's length.
fn notice(line: &str) -> Option<RemovedReason> {
    let head = &line.as_bytes()[..line.len().min(200)];
    let m = NOTICE_AC.find(head)?;
    if m.pattern().as_usize() < NOTICES.len() {
        (m.start() == 0).then_some(RemovedReason::Promo)
    } else {
        (m.start() <= 160).then_some(RemovedReason::Legal)
    }
}

/// A cheap pre-filter: most prose lines match none of the patterns, and a RegexSet says so in
/// one pass.
static ANY: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(LABELS.iter().map(|(_, r)| r.as_str())).expect("valid set"));

/// Why `line` is boilerplate, or `None` when it may be article text.
pub(crate) fn classify_line(line: &str) -> Option<RemovedReason> {
    let line = line.trim();
    if line.is_empty() || line.chars().count() > MAX_LABEL_CHARS * 3 {
        return None;
    }
    if let Some(r) = notice(line) {
        return Some(r);
    }
    let matches = ANY.matches(line);
    if !matches.matched_any() {
        return None;
    }
    let short = line.chars().count() <= MAX_LABEL_CHARS;
    // "Read more: <headline>" lines may be long (the pattern demands the separator); other
    // labels must be short.
    matches.iter().map(|i| LABELS[i].0).find(|&reason| {
        short || reason == RemovedReason::RelatedLink || reason == RemovedReason::Legal
    })
}

/// The writing systems newsmill tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Bengali,
    Han,
    Kana,
    Hangul,
    Thai,
    Other,
}

/// The script of one character, `None` for digits, punctuation and spaces.
fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    let s = match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        0x0900..=0x097F => Script::Devanagari,
        0x0980..=0x09FF => Script::Bengali,
        0x0E00..=0x0E7F => Script::Thai,
        0x3040..=0x30FF => Script::Kana,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => Script::Han,
        0xAC00..=0xD7AF | 0x1100..=0x11FF => Script::Hangul,
        _ => Script::Other,
    };
    Some(s)
}

/// The script most letters of `text` are written in.
pub(crate) fn dominant_script(text: &str) -> Option<Script> {
    let mut counts: [usize; 12] = [0; 12];
    for c in text.chars() {
        if let Some(s) = script_of(c) {
            counts[s as usize] += 1;
        }
    }
    let (i, &n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))?;
    if n == 0 {
        return None;
    }
    Some(ALL_SCRIPTS[i])
}

const ALL_SCRIPTS: [Script; 12] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Greek,
    Script::Arabic,
    Script::Hebrew,
    Script::Devanagari,
    Script::Bengali,
    Script::Han,
    Script::Kana,
    Script::Hangul,
    Script::Thai,
    Script::Other,
];

/// True when a short `line` is written in another script than the body (`body_script`): site
/// chrome left in the page's own language around an article in another (the founding
/// example's Bengali comment label under an English article).
pub(crate) fn foreign_script(line: &str, body_script: Option<Script>) -> bool {
    let Some(body) = body_script else {
        return false;
    };
    let words = line.split_whitespace().count();
    if words == 0 || words > 8 {
        return false;
    }
    matches!(dominant_script(line), Some(s) if s != body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, expect: Option<RemovedReason>) {
        assert_eq!(classify_line(line), expect, "{line:?}");
    }

    #[test]
    fn labels_in_many_languages() {
        use RemovedReason::*;
        check("পাঠকের মন্তব্য", Some(Comments));
        check("Comentarios de los lectores", Some(Comments));
        check("تعليقات القراء", Some(Comments));
        check("Reader comments (12)", Some(Comments));
        check("Share this article", Some(ShareBar));
        check("Share: Facebook | Twitter | Email", Some(ShareBar));
        check(
            "Read more: Putin arrives in Pyongyang for a rare visit",
            Some(RelatedLink),
        );
        check("Related: Kim inspects missile factory", Some(RelatedLink));
        check("Lesen Sie auch: Die Bahn streikt wieder", Some(RelatedLink));
        check("Sign up for our daily newsletter", Some(Promo));
        check("© 2024 The Daily Planet. All rights reserved.", Some(Legal));
        check("Advertisement", Some(Promo));
        check("Photo: Reuters/Kim Hong-Ji", Some(Caption));
        check("Augusta National/Getty Images", Some(Caption));
        check("- Anzeige -", Some(Promo));
        check(
            "To view the full story, please subscribe to The Daily Planet.",
            Some(Promo),
        );
        check("Jede kleine Spende hilft uns weiter", Some(Promo));
        check("Das könnte Sie auch interessieren", Some(RelatedLink));
        check("Schlagworte:", Some(RelatedLink));
        check("Weitere Artikel zum Thema", Some(RelatedLink));
        check(
            "Get the latest news straight to your phone with the VI Consortium app.",
            Some(Promo),
        );
        check("Unterstütze RosaMag bereits mit 2,50!", Some(Promo));
        check(
            "We recommend the best products through an independent review process, and \
             advertisers do not influence our picks.",
            Some(Legal),
        );
        check("À découvrir", Some(RelatedLink));
        check("Aktuell wird die Strecke saniert.", None);
        check("11 minut czytania", Some(Boilerplate));
        check("Lesezeit: 4 Minuten", Some(Boilerplate));
        check(
            "The Daily Planet is not responsible for the opinions, statements or media \
             content presented by contributors. Contact the editors with any concerns.",
            Some(Legal),
        );
    }

    #[test]
    fn prose_with_label_words_is_kept() {
        check(
            "The minister said she would support our journalism award next year.",
            None,
        );
        check(
            "He spent 11 minutes reading the statement to reporters.",
            None,
        );
    }

    #[test]
    fn prose_is_kept() {
        check(
            "Comments from the minister drew criticism from the opposition on Tuesday.",
            None,
        );
        check("Share prices fell sharply after the announcement.", None);
        check(
            "Read the full statement here, officials said, adding that the talks would go on for weeks.",
            None,
        );
        check(
            "Related talks between the two sides collapsed last year.",
            None,
        );
        check("Home prices rose 4% in the year to March.", None);
    }

    #[test]
    fn scripts() {
        assert_eq!(
            dominant_script("Putin visited Pyongyang"),
            Some(Script::Latin)
        );
        assert!(foreign_script("পাঠকের মন্তব্য", Some(Script::Latin)));
        assert!(!foreign_script("Moscow and Pyongyang", Some(Script::Latin)));
        assert!(!foreign_script("2024", Some(Script::Latin)));
    }
}

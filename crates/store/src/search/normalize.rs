//! The searchable form of text, the same for what is stored and what is asked: lower case,
//! accents removed (NFKD, combining marks dropped), every run of characters that are neither
//! letters nor digits one space, and each Chinese, Japanese or Korean character a word of its
//! own (these scripts do not put spaces between words, so any run of characters of a message
//! is found). The stored form has a space at both ends; a query word is found where
//! ` word` occurs: at the start of a word, or anywhere in CJK text.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Whether `c` is written without spaces between words (Han, kana, Hangul syllables and
/// jamo, and their compatibility and half-width forms): each is a word of its own.
pub fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x11FF       // Hangul jamo
        | 0x2E80..=0x2FDF     // radicals
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3040..=0x30FF     // hiragana, katakana
        | 0x3130..=0x318F     // Hangul compatibility jamo
        | 0x31F0..=0x31FF     // katakana extensions
        | 0x3400..=0x4DBF     // Han extension A
        | 0x4E00..=0x9FFF     // Han
        | 0xA960..=0xA97F     // Hangul jamo extended A
        | 0xAC00..=0xD7FF     // Hangul syllables, jamo extended B
        | 0xF900..=0xFAFF     // Han compatibility
        | 0xFF66..=0xFFDC     // half-width katakana and Hangul
        | 0x20000..=0x3134F // Han extensions B-G
    )
}

/// The words of `text` in searchable form, each CJK character a word.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    // CJK characters are composed (NFKC: half-width kana become full-width, compatibility
    // ideographs unified ones), not decomposed: NFKD would split Hangul syllables into jamo.
    for c in text.chars() {
        if is_cjk(c) {
            flush(&mut out, &mut word);
            out.extend(std::iter::once(c).nfkc().map(String::from));
            continue;
        }
        for d in std::iter::once(c).nfkd() {
            if is_combining_mark(d) {
                continue;
            }
            if is_cjk(d) {
                flush(&mut out, &mut word);
                out.push(d.to_string());
            } else if d.is_alphanumeric() {
                word.extend(d.to_lowercase());
            } else {
                flush(&mut out, &mut word);
            }
        }
    }
    flush(&mut out, &mut word);
    out
}

fn flush(out: &mut Vec<String>, word: &mut String) {
    if !word.is_empty() {
        out.push(std::mem::take(word));
    }
}

/// The stored form of a message's text: its words, one space between, one at each end
/// (` ` for text without words).
pub fn body(text: &str) -> String {
    let w = words(text);
    if w.is_empty() {
        " ".to_owned()
    } else {
        format!(" {} ", w.join(" "))
    }
}

/// The terms of a query: each whitespace-separated piece of `query` in searchable form (a
/// piece with punctuation or CJK text is several words that must follow each other, as
/// typed), without pieces that have no letter or digit, without repeats. A message matches
/// when it holds every term.
pub fn terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in query.split_whitespace() {
        let w = words(piece);
        if w.is_empty() {
            continue;
        }
        let t = w.join(" ");
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The LIKE pattern that finds `term` (from [`terms`]) in a stored body: ` term` anywhere.
/// Terms hold letters, digits and spaces only, so nothing needs escaping.
pub fn pattern(term: &str) -> String {
    format!("% {term}%")
}

/// How well `body` (stored form) answers `terms`: per term, its occurrences, and more when
/// one is a whole word. Orders results by relevance (higher first).
pub fn score(body: &str, terms: &[String]) -> i64 {
    terms
        .iter()
        .map(|t| {
            let start = format!(" {t}");
            let whole = format!(" {t} ");
            body.matches(&start).count() as i64 + 2 * body.matches(&whole).count() as i64
        })
        .sum()
}

/// The ids of the users `content` mentions (`<@id>` and `<@!id>`), stored as ` id id `
/// (` ` for none), without repeats.
pub fn mentions(content: &str) -> String {
    let mut ids: Vec<u64> = Vec::new();
    let mut rest = content;
    while let Some(at) = rest.find("<@") {
        rest = &rest[at + 2..];
        let digits = rest.strip_prefix('!').unwrap_or(rest);
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if digits[end..].starts_with('>') {
            if let Ok(id) = digits[..end].parse::<u64>() {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    let mut s = " ".to_owned();
    for id in ids {
        s.push_str(&id.to_string());
        s.push(' ');
    }
    s
}

/// The LIKE pattern that finds a mentioned user in the stored `mentions`.
pub fn mention_pattern(user: u64) -> String {
    format!("% {user} %")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_lower_cased_without_accents_or_punctuation() {
        assert_eq!(
            body("Crème Brûlée, s'il VOUS plaît!"),
            " creme brulee s il vous plait "
        );
        assert_eq!(body("..."), " ");
        assert_eq!(terms("Brûlée  ÉTÉ!! ?"), vec!["brulee", "ete"]);
    }

    #[test]
    fn cjk_characters_are_words_of_their_own() {
        assert_eq!(body("東京タワーへ行く"), " 東 京 タ ワ ー へ 行 く ");
        assert_eq!(body("서울에서 만나요"), " 서 울 에 서 만 나 요 ");
        assert_eq!(body("hello世界ok"), " hello 世 界 ok ");
        assert_eq!(terms("京タ"), vec!["京 タ"]);
        assert!(body("東京タワー").contains(&format!(" {}", terms("京タ")[0])));
    }

    #[test]
    fn mentions_are_parsed_from_content() {
        assert_eq!(mentions("hi <@12> and <@!34>, <@12> <@x> <@56"), " 12 34 ");
        assert_eq!(mentions("none"), " ");
    }

    #[test]
    fn whole_words_score_higher_than_prefixes() {
        let t = terms("cat");
        assert!(score(" cat ", &t) > score(" catalog ", &t));
        assert_eq!(score(" dog ", &t), 0);
    }
}

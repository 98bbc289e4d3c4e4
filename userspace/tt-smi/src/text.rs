//! Text for a terminal: names come from any user, and a control character
//! (ESC starting a title or clear sequence, a C1 CSI) must not reach the
//! operator's terminal. Replaced by `?`, as ps and top do.

use std::borrow::Cow;

/// C0, DEL and C1 (Unicode's Cc category) replaced.
pub fn printable(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_control) {
        Cow::Owned(s.chars().map(|c| if c.is_control() { '?' } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn controls_become_question_marks() {
        assert_eq!(super::printable("a\u{1b}]0;x\u{7}\u{7f}\u{9b}\tz ü"), "a?]0;x????z ü");
    }
}

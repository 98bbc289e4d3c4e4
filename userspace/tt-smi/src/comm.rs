//! tt_track's comm escaping, undone (README.md, "The /proc files"): the
//! kernel writes a backslash, every byte below 0x20 and every byte from 0x7f
//! up as `\ooo`, so anything else is not a line the module wrote.

/// The original name (invalid UTF-8 shown as U+FFFD), or `None` when `escaped`
/// is not in the kernel's escaping.
pub fn decode(escaped: &str) -> Option<String> {
    let raw = escaped.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\\' => {
                let digits = std::str::from_utf8(raw.get(i + 1..i + 4)?).ok()?;
                if !digits.bytes().all(|d| (b'0'..=b'7').contains(&d)) {
                    return None;
                }
                out.push(u8::from_str_radix(digits, 8).ok()?);
                i += 4;
            }
            b if (0x20..0x7f).contains(&b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn escapes_decode_to_the_original_bytes() {
        assert_eq!(decode("x\\012leak 0 999 9").unwrap(), "x\nleak 0 999 9");
        assert_eq!(decode("back\\134slash").unwrap(), "back\\slash");
        assert_eq!(decode("tab\\011here").unwrap(), "tab\there");
        assert_eq!(decode("caf\\303\\251").unwrap(), "caf\u{e9}");
        assert_eq!(decode("\\377bin").unwrap(), "\u{fffd}bin");
        assert_eq!(decode("\\055").unwrap(), "-");
        assert_eq!(decode("").unwrap(), "");
    }

    #[test]
    fn anything_the_kernel_would_have_escaped_is_rejected() {
        for bad in ["plain \\9", "short \\12", "\\400", "raw\ttab", "caf\u{e9}", "del\u{7f}", "end\\"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}

//! What an upload may be (issue 10): its file name, normalised or refused, and its bytes,
//! which must be what the declared type says (PDF, JPEG and PNG by their signatures), so a
//! program labelled `application/pdf` is never stored and served back.

use crate::error::DomainError;
use unicode_normalization::UnicodeNormalization;

/// The longest file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 200;

/// Characters that reorder or hide text (bidi controls, marks, zero-width, BOM): a name
/// with U+202E before `fdp.exe` shows as "exe.pdf".
fn is_deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// The file name as stored and sent back: NFC, trimmed; refused (400 naming `filename`)
/// when empty, only dots, longer than 200 characters, with a path part, or with a control
/// or text-direction character.
pub fn normalise_filename(name: &str) -> Result<String, DomainError> {
    let name: String = name.nfc().collect();
    let name = name.trim();
    let refuse = |why: &str| Err(DomainError::invalid("filename", format!("文件名{why}")));
    if name.is_empty() || name.chars().all(|c| c == '.') {
        return refuse("不能为空或只有句点");
    }
    if name.chars().count() > MAX_FILENAME_CHARS {
        return refuse("不能超过200字");
    }
    if name.contains(['/', '\\']) {
        return refuse("不能包含路径");
    }
    if name.chars().any(|c| c.is_control() || is_deceptive(c)) {
        return refuse("不能包含控制字符或改变文字方向的字符");
    }
    Ok(name.to_owned())
}

/// The type the bytes' signature shows, among PDF, JPEG and PNG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// The bytes must be of the declared type (415 naming `body` otherwise).
pub fn check_signature(declared: &str, bytes: &[u8]) -> Result<(), DomainError> {
    if sniff(bytes) == Some(declared) {
        Ok(())
    } else {
        Err(DomainError::UnsupportedMediaType {
            field: "body".into(),
            message: format!("文件内容与声明的类型 {declared} 不符（文件可能已损坏或不是该格式）"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_nfc_and_deceptive_or_empty_names_are_refused() {
        // "é" as e + combining acute becomes one code point.
        assert_eq!(normalise_filename(" caf\u{0065}\u{0301}.pdf ").unwrap(), "caf\u{00E9}.pdf");
        assert_eq!(normalise_filename("学位证.pdf").unwrap(), "学位证.pdf");
        for bad in ["", ".", "..", "a/b.pdf", "..\\x.pdf", "a\0.pdf", "\u{202E}fdp.exe", "x\u{200B}.pdf", "a\n.pdf"] {
            assert!(normalise_filename(bad).is_err(), "{bad:?} accepted");
        }
        assert!(normalise_filename(&"长".repeat(201)).is_err());
        assert!(normalise_filename(&"长".repeat(200)).is_ok());
    }

    #[test]
    fn the_bytes_must_be_what_the_declared_type_says() {
        assert!(check_signature("application/pdf", b"%PDF-1.7 ...").is_ok());
        assert!(check_signature("image/jpeg", b"\xFF\xD8\xFF\xE0....").is_ok());
        assert!(check_signature("image/png", b"\x89PNG\r\n\x1a\n....").is_ok());
        // An executable (MZ / ELF) labelled as a PDF, a PNG labelled as a JPEG.
        assert!(check_signature("application/pdf", b"MZ\x90\x00\x03").is_err());
        assert!(check_signature("application/pdf", b"\x7fELF\x02\x01").is_err());
        assert!(check_signature("image/jpeg", b"\x89PNG\r\n\x1a\n").is_err());
    }
}

//! Input stage, for email: the text of an HTML part, for bounces that come only as HTML.

/// Text of an HTML part: tags removed, line breaks kept at block ends, common entities read.
pub fn strip_html(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    let mut i = 0;
    while i < html.len() {
        match html[i] {
            b'<' => {
                let end = html[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(html.len(), |p| i + p + 1);
                let tag = html[i + 1..end.saturating_sub(1).max(i + 1)].to_ascii_lowercase();
                if [
                    &b"br"[..],
                    b"/p",
                    b"p",
                    b"/div",
                    b"/tr",
                    b"tr",
                    b"/li",
                    b"/h1",
                    b"/h2",
                    b"/h3",
                    b"/table",
                ]
                .iter()
                .any(|t| tag.starts_with(t))
                {
                    out.push(b'\n');
                }
                i = end;
            }
            b'&' => {
                let rest = &html[i..html.len().min(i + 8)];
                let (text, len): (&[u8], usize) = match () {
                    _ if rest.starts_with(b"&lt;") => (b"<", 4),
                    _ if rest.starts_with(b"&gt;") => (b">", 4),
                    _ if rest.starts_with(b"&amp;") => (b"&", 5),
                    _ if rest.starts_with(b"&nbsp;") => (b" ", 6),
                    _ if rest.starts_with(b"&quot;") => (b"\"", 6),
                    _ if rest.starts_with(b"&#64;") => (b"@", 5),
                    _ => (b"&", 1),
                };
                out.extend_from_slice(text);
                i += len;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            strip_html(b"<p>550 5.1.1 &lt;a&#64;b&gt;</p><br>x"),
            b"\n550 5.1.1 <a@b>\n\nx"
        );
    }
}

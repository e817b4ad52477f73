//! Splits a YAML stream into its documents by marker lines, so that each document can be
//! parsed on its own and a broken one cannot hide the others.

/// One document of a YAML stream that has content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// 0-based position of the document in the stream, counting empty documents opened by
    /// an explicit `---` too.
    pub index: usize,
    /// 1-based line in the file where `text` starts.
    pub first_line: usize,
    /// The document's lines, with a leading `---` blanked out so that columns and line
    /// numbers stay as they are in the file.
    pub text: String,
}

/// A document marker line at column 0.
enum Marker {
    /// `---`, starting a document.
    Start,
    /// `...`, ending the current document.
    End,
}

/// A document being collected.
struct Pending {
    /// Whether a `---` opened it (then it counts as a document even when empty).
    explicit: bool,
    first_line: usize,
    text: String,
}

impl Pending {
    fn new(explicit: bool, first_line: usize) -> Self {
        Self { explicit, first_line, text: String::new() }
    }
}

/// Splits `text` into the documents that have content (anything but blank lines, comments
/// and directives). A leading `---` does not produce an empty document before it, and
/// neither do comments or directives ahead of it.
pub(crate) fn split_documents(text: &str) -> Vec<Chunk> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut chunks = Vec::new();
    let mut next_index = 0;
    let mut pending = Pending::new(false, 1);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_number = i + 1;
        match marker(line) {
            Some(Marker::Start) => {
                finish(pending, &mut next_index, &mut chunks);
                pending = Pending::new(true, line_number);
                pending.text.push_str("   ");
                pending.text.push_str(&line[3..]);
            }
            Some(Marker::End) => {
                finish(pending, &mut next_index, &mut chunks);
                pending = Pending::new(false, line_number + 1);
            }
            None => pending.text.push_str(line),
        }
    }
    finish(pending, &mut next_index, &mut chunks);
    chunks
}

fn finish(pending: Pending, next_index: &mut usize, chunks: &mut Vec<Chunk>) {
    let has_content = has_content(&pending.text);
    if !(pending.explicit || has_content) {
        return;
    }
    let index = *next_index;
    *next_index += 1;
    if has_content {
        chunks.push(Chunk { index, first_line: pending.first_line, text: pending.text });
    }
}

/// Recognises `---` and `...` at column 0, alone or followed by whitespace (and possibly a
/// comment or, for `---`, inline content).
fn marker(line: &str) -> Option<Marker> {
    let line = line.trim_end_matches(['\n', '\r']);
    let (found, rest) = if let Some(rest) = line.strip_prefix("---") {
        (Marker::Start, rest)
    } else if let Some(rest) = line.strip_prefix("...") {
        (Marker::End, rest)
    } else {
        return None;
    };
    if rest.is_empty() {
        return Some(found);
    }
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    match found {
        Marker::Start => Some(found),
        Marker::End => {
            let rest = rest.trim_start();
            (rest.is_empty() || rest.starts_with('#')).then_some(found)
        }
    }
}

/// Whether a document has anything besides blank lines, comments and directives.
fn has_content(text: &str) -> bool {
    text.lines().any(|line| {
        let trimmed = line.trim_start();
        !(trimmed.is_empty() || trimmed.starts_with('#') || line.starts_with('%'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> Vec<(usize, usize, String)> {
        split_documents(text).into_iter().map(|c| (c.index, c.first_line, c.text.trim().to_owned())).collect()
    }

    #[test]
    fn single_document_without_marker() {
        assert_eq!(summary("a: 1\nb: 2\n"), vec![(0, 1, "a: 1\nb: 2".to_owned())]);
    }

    #[test]
    fn leading_separator_and_comments_do_not_add_documents() {
        let text = "# header\n%YAML 1.2\n--- # first\na: 1\n---\nb: 2\n";
        assert_eq!(summary(text), vec![(0, 3, "# first\na: 1".to_owned()), (1, 5, "b: 2".to_owned())]);
    }

    #[test]
    fn empty_and_comment_only_documents_count_but_are_dropped() {
        let text = "a: 1\n---\n---\n# only a comment\n---   \nb: 2\n---\n";
        assert_eq!(summary(text), vec![(0, 1, "a: 1".to_owned()), (3, 5, "b: 2".to_owned())]);
    }

    #[test]
    fn end_markers_close_documents() {
        let text = "a: 1\n...\n---\nb: 2\n... # done\n";
        assert_eq!(summary(text), vec![(0, 1, "a: 1".to_owned()), (1, 3, "b: 2".to_owned())]);
    }

    #[test]
    fn markers_must_be_alone_at_column_zero() {
        let text = "a: |\n  ---\n  text\nb: ----\n----\n";
        let chunks = split_documents(text);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].text, text);
    }

    #[test]
    fn crlf_and_bom_are_handled() {
        let text = "\u{feff}a: 1\r\n---\r\nb: 2\r\n";
        assert_eq!(summary(text), vec![(0, 1, "a: 1".to_owned()), (1, 2, "b: 2".to_owned())]);
    }

    #[test]
    fn inline_content_after_separator_keeps_its_column() {
        let chunks = split_documents("--- {a: 1}\n");
        assert_eq!(chunks[0].text, "    {a: 1}\n");
    }
}

//! The bad-input corpus lives in `corpus/` and is run by `tests/corpus.rs`; this library is empty.
//!
//! Every corpus file starts with one or more `# expect:` lines (after a byte-order mark, if the
//! file has one):
//!
//! - `# expect: error TEXT`: an input error (file, document, object, field, message) contains TEXT;
//! - `# expect: status KIND NAMESPACE/NAME TEXT`: the object's computed status contains TEXT (a
//!   condition reason or message naming the field);
//! - `# expect: skipped KIND`: the kind is reported as not read;
//! - `# expect: nothing`: the file holds no object and produces no error.

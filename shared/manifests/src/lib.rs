//! Reads Kubernetes manifest files and directories into a [`ClusterSnapshot`].
//!
//! This crate owns the file edge of the controller's offline path: finding manifest files,
//! splitting YAML streams into documents, and turning each document into the typed object
//! the snapshot holds (Gateway API kinds from `gateway-api`, core kinds from `k8s-openapi`).
//! It depends on `model` for the snapshot shape and on no Kubernetes or AWS client.
//!
//! Data flow: paths → files (directories walked recursively, sorted) → documents (split on
//! `---` lines, each parsed on its own) → `apiVersion`/`kind` dispatch → typed object with
//! defaults applied → [`Loaded::snapshot`]. Kinds the controller does not read are counted in
//! [`Loaded::skipped`]; broken documents become [`DocumentError`]s and never stop the others.
//! Only an unreadable path is an [`Error`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use model::snapshot::{ClusterSnapshot, ObjectRef};
use serde_saphyr::{MessageFormatter, UserMessageFormatter};

mod objects;
mod split;
mod validate;

/// Extensions of the files read from a directory.
const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Errors that stop loading: a path that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading a path's metadata failed (it may not exist).
    #[error("failed to inspect {}", path.display())]
    ReadMetadata {
        /// The path.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Listing a directory failed.
    #[error("failed to read directory {}", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Reading a file failed.
    #[error("failed to read file {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The result of loading manifests: the objects read, what was skipped, what was wrong.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The objects read, with defaults applied (namespace `default` for namespaced objects).
    pub snapshot: ClusterSnapshot,
    /// Number of documents per kind that the controller does not read (Deployment, ...).
    pub skipped: BTreeMap<String, usize>,
    /// Documents (or objects within them) that could not be read, in file order.
    pub errors: Vec<DocumentError>,
    /// Where each object read so far came from, keyed by API group (for kinds that exist in
    /// several groups, else empty) and reference; finds duplicates.
    origins: BTreeMap<(String, ObjectRef), Origin>,
}

/// A document that could not be read, or an object in it that was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentError {
    /// File the document is in.
    pub file: PathBuf,
    /// 0-based index of the document in the file.
    pub index: usize,
    /// 1-based line in the file, when the YAML or JSON parser tells.
    pub line: Option<usize>,
    /// The object, like `HTTPRoute default/rates`, when known.
    pub object: Option<String>,
    /// JSON path of the offending field, like `spec.rules[0].matches[0].path.type`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.index)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        if let Some(object) = &self.object {
            write!(f, " {object}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where a document came from: a file and the document's 0-based index in it. Objects that do
/// not come from a file (an API server's response) name their source the same way, e.g. the
/// request path and the item's index in the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file (or request path).
    pub file: PathBuf,
    /// 0-based index of the document in it.
    pub index: usize,
}

impl Origin {
    /// The `index`th document of `file`.
    pub fn new(file: impl Into<PathBuf>, index: usize) -> Self {
        Self { file: file.into(), index }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.index)
    }
}

/// Loads manifest files and directories. Directories are walked recursively in sorted order
/// and only their `*.yaml`, `*.yml` and `*.json` files are read, except below a subdirectory
/// named `events` (sample Lambda events, not manifests); files named directly are read
/// whatever their extension. A file reached twice is read once. A document with neither
/// `apiVersion` nor `kind` is counted in [`Loaded::skipped`] as `(not a Kubernetes object)`.
///
/// Returns an [`Error`] only when a path cannot be read; bad documents are collected in
/// [`Loaded::errors`].
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, Error> {
    let mut files = Vec::new();
    let mut seen_dirs = BTreeSet::new();
    for path in paths {
        if metadata(path)?.is_dir() {
            collect_dir(path, &mut files, &mut seen_dirs)?;
        } else {
            files.push(path.clone());
        }
    }
    let mut loaded = Loaded::default();
    let mut seen_files = BTreeSet::new();
    for file in files {
        let canonical = fs::canonicalize(&file).map_err(|source| Error::ReadMetadata { path: file.clone(), source })?;
        if !seen_files.insert(canonical) {
            continue;
        }
        let bytes = fs::read(&file).map_err(|source| Error::ReadFile { path: file.clone(), source })?;
        match String::from_utf8(bytes) {
            Ok(text) => load_str(&text, &file, &mut loaded),
            Err(_) => loaded.errors.push(DocumentError {
                file,
                index: 0,
                line: None,
                object: None,
                field: None,
                message: "file is not UTF-8 text".to_owned(),
            }),
        }
    }
    Ok(loaded)
}

/// Reads the documents of one file's `text` into `into`; `file` names it in error reports.
/// A file whose name ends in `.json` is read as a stream of JSON values, anything else as
/// a YAML stream.
pub fn load_str(text: &str, file: &Path, into: &mut Loaded) {
    if file.extension().is_some_and(|ext| ext == "json") {
        load_json(text, file, into);
    } else {
        load_yaml(text, file, into);
    }
}

/// Reads one parsed object (or a `List` of them) from `origin` into `into`, exactly as a
/// document of a manifest file: dispatch on `apiVersion` and `kind`, typed conversion with
/// defaults, and a [`DocumentError`] naming the object and field when it cannot be read.
/// This is the entry point for objects that arrive already parsed, such as the items of an API
/// server's list response.
pub fn add_object(value: serde_json::Value, origin: Origin, into: &mut Loaded) {
    let mut place = objects::Place { loaded: into, origin: &origin };
    objects::read_document(value, &mut place);
}

fn load_yaml(text: &str, file: &Path, into: &mut Loaded) {
    for chunk in split::split_documents(text) {
        let origin = Origin { file: file.to_owned(), index: chunk.index };
        match serde_saphyr::from_str::<serde_json::Value>(&chunk.text) {
            Ok(value) => add_object(value, origin, into),
            Err(error) => {
                let line = error
                    .location()
                    .and_then(|at| usize::try_from(at.line()).ok())
                    .and_then(|line| (chunk.first_line + line).checked_sub(1));
                let error = error.without_snippet();
                let message = format!("invalid YAML: {}", UserMessageFormatter.format_message(error));
                into.errors.push(DocumentError {
                    file: origin.file,
                    index: origin.index,
                    line,
                    object: None,
                    field: None,
                    message,
                });
            }
        }
    }
}

fn load_json(text: &str, file: &Path, into: &mut Loaded) {
    let stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    for (index, value) in stream.enumerate() {
        let origin = Origin { file: file.to_owned(), index };
        match value {
            Ok(value) => add_object(value, origin, into),
            Err(error) => {
                into.errors.push(DocumentError {
                    file: origin.file,
                    index,
                    line: Some(error.line()).filter(|line| *line > 0),
                    object: None,
                    field: None,
                    message: format!("invalid JSON: {error}"),
                });
                // A JSON stream cannot be resumed after a syntax error.
                break;
            }
        }
    }
}

fn metadata(path: &Path) -> Result<fs::Metadata, Error> {
    fs::metadata(path).map_err(|source| Error::ReadMetadata { path: path.to_owned(), source })
}

/// Appends the manifest files under `dir` in sorted order, following symbolic links but
/// entering each directory once.
/// Subdirectories with this name hold sample Lambda events and are not walked.
const SAMPLE_EVENTS_DIR: &str = "events";

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>, seen_dirs: &mut BTreeSet<PathBuf>) -> Result<(), Error> {
    let canonical = fs::canonicalize(dir).map_err(|source| Error::ReadMetadata { path: dir.to_owned(), source })?;
    if !seen_dirs.insert(canonical) {
        return Ok(());
    }
    let read_dir = |source| Error::ReadDir { path: dir.to_owned(), source };
    let mut entries = fs::read_dir(dir)
        .map_err(read_dir)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_dir)?;
    entries.sort();
    for entry in entries {
        if metadata(&entry)?.is_dir() {
            if entry.file_name().is_some_and(|name| name == SAMPLE_EVENTS_DIR) {
                continue;
            }
            collect_dir(&entry, files, seen_dirs)?;
        } else if entry.extension().and_then(|ext| ext.to_str()).is_some_and(|ext| EXTENSIONS.contains(&ext)) {
            files.push(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_aws;

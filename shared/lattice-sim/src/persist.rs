//! The `--state FILE` persistence: load at start, atomic save (temporary file, then rename).

use std::io::ErrorKind;
use std::path::Path;

use crate::Error;
use crate::state::State;

/// Loads a saved state; None when the file does not exist yet.
pub(crate) fn load(path: &Path) -> Result<Option<State>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::ReadState { path: path.to_owned(), source }),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|source| Error::ParseState { path: path.to_owned(), source })
}

/// Writes the state next to `path` and renames it into place.
pub(crate) fn save(path: &Path, state: &State) -> Result<(), Error> {
    let write_err = |source| Error::WriteState { path: path.to_owned(), source };
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| write_err(std::io::Error::other(e)))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing_file() {
        let dir = std::env::temp_dir().join(format!("lattice-sim-persist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("state.json");
        let _ = std::fs::remove_file(&path);
        assert_eq!(load(&path).expect("missing is fine"), None);
        let mut state = State::new(3);
        state.new_id("sn");
        save(&path, &state).expect("saved");
        assert_eq!(load(&path).expect("loads"), Some(state));
        std::fs::write(&path, b"not json").expect("write");
        assert!(matches!(load(&path), Err(Error::ParseState { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

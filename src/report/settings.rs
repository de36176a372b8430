//! The settings file (clinic, therapist, face blurring), parsed on its own: this module depends
//! on no other part of romcam, so that `fuzz/` can compile it directly.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The two formats a settings file may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsFormat {
    Toml,
    Json,
}

/// The settings file: `config.toml` in the user's config folder (on Linux
/// `~/.config/romcam/config.toml`), or the file given with `--config`.
///
/// ```toml
/// clinic = "Physiotherapie am Markt"
/// therapist = "A. Jensen"
/// blur_faces = true   # blur the client's face in every image and video, as --blur-faces does
/// store = "postgres://alice@db.clinic.example/romcam"   # the clinic's shared store (no password here)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    pub clinic: Option<String>,
    pub therapist: Option<String>,
    /// Make `--blur-faces` the default.
    pub blur_faces: Option<bool>,
    /// The clinic's PostgreSQL store (`postgres://ROLE@HOST/DATABASE`), as `--store` gives it.
    /// A password is refused here: it comes from `PGPASSWORD`, `~/.pgpass` or a prompt.
    pub store: Option<String>,
}

impl ReportConfig {
    /// Where romcam looks for its settings when `--config` is not given.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "romcam").map(|d| d.config_dir().join("config.toml"))
    }

    /// Reads a TOML settings file (or JSON, when the name ends in `.json`).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let format = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            SettingsFormat::Json
        } else {
            SettingsFormat::Toml
        };
        Self::parse(&text, format)
            .map_err(|e| format!("{} is not a valid romcam settings file: {e}", path.display()))
    }

    /// Parses the text of a settings file; the error is the parser's own message.
    pub fn parse(text: &str, format: SettingsFormat) -> Result<Self, String> {
        let config: Self = match format {
            SettingsFormat::Json => serde_json::from_str(text).map_err(|e| e.to_string())?,
            SettingsFormat::Toml => toml::from_str(text).map_err(|e| e.message().to_string())?,
        };
        if config.store.as_deref().is_some_and(url_has_password) {
            return Err("the store address holds a password: keep it in ~/.pgpass or $PGPASSWORD, not in the settings file".into());
        }
        Ok(config)
    }

    /// The settings from the default place: none when there is no file; a file that cannot be
    /// read gives the settings-less header and the reason, for a warning.
    pub fn load_default() -> (Self, Option<String>) {
        match Self::default_path().filter(|p| p.is_file()) {
            None => (Self::default(), None),
            Some(p) => match Self::from_file(&p) {
                Ok(c) => (c, None),
                Err(e) => (Self::default(), Some(e)),
            },
        }
    }
}

/// Whether a PostgreSQL address carries a password (`postgres://role:secret@host/db` or
/// `password=` among its parameters).
pub fn url_has_password(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.contains("password=") {
        return true;
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// Parses `--config FILE` for clap, so that a bad file is a usage error.
pub fn parse_config_arg(s: &str) -> Result<ReportConfig, String> {
    ReportConfig::from_file(Path::new(s))
}

//! `config.toml`: which files feed which kind, in which format, and the limits.
//!
//! Looked up at `--config PATH`, else `./config.toml`, else `$XDG_CONFIG_HOME/watchfloor/config.toml`, else
//! the built-in default (the shipped `config.toml`). Relative paths are resolved against the config file's
//! folder. Every error names the file, line and column and what was expected.

use crate::formats::Format;
use crate::model::record::Body;
use crate::model::rules::{Condition, Effects, Rule, Test, LEVEL_FIELDS, PSEUDO_FIELDS};
use crate::model::vocab::{Kind, Level};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The shipped default configuration, used when no config file is found.
pub const DEFAULT_TOML: &str = include_str!("../../../../config.toml");

/// A configuration ready to use: every path resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The file it came from; `None` for the built-in default.
    pub file: Option<PathBuf>,
    pub feeds_dir: PathBuf,
    pub feeds: Vec<FeedSpec>,
    pub limits: Limits,
    pub ui: UiConfig,
    /// `[categories]`: category → keywords that put a shortage or an aid item in it (for coverage).
    pub categories: crate::model::links::Vocabulary,
    /// `[[rule]]`: watch rules.
    pub rules: Vec<Rule>,
    /// `poll_ms`: look at the feed files on this timer instead of waiting for file-system events.
    pub poll_ms: Option<u64>,
    /// `[retention]`: per panel, how many records (or how many days of them) are kept in memory.
    pub retention: BTreeMap<Kind, Retention>,
}

/// How long a panel keeps its records: the newest `keep` (trimmed when 10% over), and/or those whose
/// latest version is at most `days` old; and of each record, at most its newest `versions`. Off by
/// default: everything is kept (up to `limits.max_versions` versions a record).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub keep: Option<usize>,
    pub days: Option<u32>,
    pub versions: Option<usize>,
}

/// The longest `days` a `[retention]` can keep: a hundred years (beyond it the calendar runs out).
pub const MAX_RETENTION_DAYS: u32 = 36_525;

/// `[ui]`: how the dashboard talks to the terminal.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Colours: `auto` (on unless NO_COLOR is set), `always`, `never`. `--color` overrides it.
    pub color: ColorMode,
    /// Mouse capture at start (it stops the terminal's own text selection; `m` toggles it).
    pub mouse: bool,
    /// Wrap each frame in synchronized output (DEC mode 2026), so terminals show it whole.
    pub synchronized_output: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig { color: ColorMode::Auto, mouse: false, synchronized_output: true }
    }
}

/// When to use colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ColorMode {
    /// Colours unless NO_COLOR is set (to anything but an empty string) or TERM is `dumb`.
    #[default]
    Auto,
    Always,
    Never,
}

/// One `[[feed]]`: a path or glob, the kind its records are (unless they say), and the format.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedSpec {
    /// The path as written in the config, relative to the feeds folder unless absolute.
    pub given: PathBuf,
    /// The path resolved against the feeds folder.
    pub path: PathBuf,
    pub kind: Option<Kind>,
    pub format: Format,
    /// `poll_ms` of this feed: its folder sends no events (a network share), so every file is looked at
    /// on this timer, while the other feeds keep their events.
    pub poll_ms: Option<u64>,
    /// `deltas`, for OpenSanctions entities: a glob of delta files applied to this one, in the order of
    /// their names (the version they begin with), resolved against the feeds folder.
    pub deltas: Option<PathBuf>,
}

impl FeedSpec {
    /// True when the path holds glob wildcards.
    pub fn is_glob(&self) -> bool {
        self.path.to_string_lossy().contains(['*', '?', '['])
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// A line longer than this is skipped and reported.
    pub max_line_bytes: usize,
    /// When a new download of a published list is held rather than applied.
    pub shrink: ShrinkGuard,
    /// Versions kept of one record at most; the oldest beyond go (0: every version).
    pub max_versions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 1024 * 1024,
            shrink: ShrinkGuard::default(),
            max_versions: crate::model::store::MAX_VERSIONS,
        }
    }
}

/// A new download of a published list that has lost more than `percent` of the records of the last good
/// one, and at least `records` of them, is held as suspicious (a download cut short) rather than applied:
/// its delistings would be false alarms. It is applied when a second download gives the same contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShrinkGuard {
    pub percent: u32,
    pub records: usize,
}

impl Default for ShrinkGuard {
    fn default() -> Self {
        ShrinkGuard { percent: 2, records: 3 }
    }
}

impl ShrinkGuard {
    /// Whether losing `lost` of `before` records is suspicious.
    pub fn holds(&self, before: usize, lost: usize) -> bool {
        lost >= self.records && lost as u128 * 100 > before as u128 * u128::from(self.percent)
    }
}

/// A configuration that cannot be used, with where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column, when the problem is at a place in the file.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    feeds_dir: Option<Spanned<String>>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default, rename = "feed")]
    feeds: Vec<Spanned<RawFeed>>,
    #[serde(default)]
    ui: UiConfig,
    categories: Option<std::collections::BTreeMap<String, Vec<String>>>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
    poll_ms: Option<Spanned<i64>>,
    retention: Option<BTreeMap<Spanned<String>, Spanned<Retention>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    kind: Option<Spanned<String>>,
    when: Option<Spanned<std::collections::BTreeMap<Spanned<String>, Spanned<toml::Value>>>>,
    #[serde(rename = "do")]
    effects: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_line_bytes: Option<Spanned<i64>>,
    max_versions: Option<Spanned<i64>>,
    hold_shrink_percent: Option<Spanned<i64>>,
    hold_shrink_records: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    path: Spanned<String>,
    kind: Option<Kind>,
    #[serde(default)]
    format: Format,
    poll_ms: Option<Spanned<i64>>,
    deltas: Option<Spanned<String>>,
}

/// Where to look for the configuration, in order.
pub struct Lookup<'a> {
    /// `--config PATH`: must exist.
    pub explicit: Option<&'a Path>,
    /// `--feeds DIR`: replaces `feeds_dir`.
    pub feeds_dir: Option<&'a Path>,
}

impl Lookup<'_> {
    /// Finds, reads and checks the configuration.
    pub fn load(&self) -> Result<Config, ConfigError> {
        let (file, text) = match self.explicit {
            Some(p) => (Some(p.to_path_buf()), read(p)?),
            None => match candidates().into_iter().find(|p| p.is_file()) {
                Some(p) => {
                    let text = read(&p)?;
                    (Some(p), text)
                }
                None => (None, DEFAULT_TOML.to_owned()),
            },
        };
        let mut config = parse(&text, file.as_deref())?;
        if let Some(dir) = self.feeds_dir {
            config.feeds_dir = dir.to_path_buf();
            for feed in &mut config.feeds {
                feed.path = dir.join(&feed.given);
            }
        }
        Ok(config)
    }
}

/// `./config.toml`, then `$XDG_CONFIG_HOME/watchfloor/config.toml` (`~/.config` when unset).
fn candidates() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("config.toml")];
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = xdg {
        out.push(dir.join("watchfloor").join("config.toml"));
    }
    out
}

fn read(path: &Path) -> Result<String, ConfigError> {
    crate::files::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        at: None,
        message: format!("cannot read the configuration: {}", crate::text::describe_io(&e)),
    })
}

/// Parses and checks configuration text. `file` names it in errors and anchors relative paths (its folder);
/// `None` means the built-in default, anchored at the current folder.
pub fn parse(text: &str, file: Option<&Path>) -> Result<Config, ConfigError> {
    let name = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("<built-in config.toml>"));
    let err_at = |span: std::ops::Range<usize>, message: String| ConfigError {
        file: name.clone(),
        at: Some(line_col(text, span.start)),
        message,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError {
        file: name.clone(),
        at: e.span().map(|s| line_col(text, s.start)),
        message: e.message().trim().to_owned(),
    })?;

    let base = file.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let feeds_dir = match &raw.feeds_dir {
        Some(d) if d.get_ref().trim().is_empty() => {
            return Err(err_at(d.span(), "`feeds_dir` is empty: expected a folder path".into()))
        }
        Some(d) => base.join(d.get_ref()),
        None => base.clone(),
    };

    let number = |v: &Option<Spanned<i64>>, key: &str, range: std::ops::RangeInclusive<i64>, default: i64| match v {
        None => Ok(default),
        Some(v) if range.contains(v.get_ref()) => Ok(*v.get_ref()),
        Some(v) => Err(err_at(
            v.span(),
            format!("`{key}` is {}: expected a number from {} to {}", v.get_ref(), range.start(), range.end()),
        )),
    };
    let d = Limits::default();
    let limits = Limits {
        max_line_bytes: number(&raw.limits.max_line_bytes, "max_line_bytes", 1..=1 << 30, d.max_line_bytes as i64)?
            as usize,
        shrink: ShrinkGuard {
            percent: number(&raw.limits.hold_shrink_percent, "hold_shrink_percent", 0..=100, d.shrink.percent.into())?
                as u32,
            records: number(
                &raw.limits.hold_shrink_records,
                "hold_shrink_records",
                1..=1 << 30,
                d.shrink.records as i64,
            )? as usize,
        },
        max_versions: number(&raw.limits.max_versions, "max_versions", 0..=1 << 30, d.max_versions as i64)? as usize,
    };

    if raw.feeds.is_empty() {
        return Err(ConfigError {
            file: name,
            at: None,
            message: "no [[feed]] tables: expected at least one feed to follow".into(),
        });
    }
    let mut feeds: Vec<FeedSpec> = Vec::new();
    for feed in raw.feeds {
        let span = feed.span();
        let feed = feed.into_inner();
        let p = feed.path.get_ref();
        if p.trim().is_empty() {
            return Err(err_at(feed.path.span(), "`path` is empty: expected a file path or glob".into()));
        }
        if let Err(e) = glob::Pattern::new(p) {
            return Err(err_at(feed.path.span(), format!("`path` is not a valid glob: {}", e.msg)));
        }
        if feed.format.is_snapshot() && p.contains(['*', '?', '[']) {
            return Err(err_at(
                feed.path.span(),
                format!(
                    "`path` is a glob, but a published list (format {}) is one file: name the file",
                    feed.format.name()
                ),
            ));
        }
        let poll_ms = feed.poll_ms.map(poll_interval).transpose().map_err(|(span, m)| err_at(span, m))?;
        let deltas = match &feed.deltas {
            Some(d) if feed.format != Format::Ftm => {
                return Err(err_at(d.span(), "`deltas` are OpenSanctions delta files: only for format \"ftm\"".into()))
            }
            Some(d) if glob::Pattern::new(d.get_ref()).is_err() || d.get_ref().trim().is_empty() => {
                return Err(err_at(
                    d.span(),
                    "`deltas` is not a valid glob: expected a path like \"deltas/*.json\"".into(),
                ))
            }
            Some(d) => Some(feeds_dir.join(d.get_ref())),
            None => None,
        };
        let spec = FeedSpec {
            given: PathBuf::from(p),
            path: feeds_dir.join(p),
            kind: feed.kind,
            format: feed.format,
            poll_ms,
            deltas,
        };
        if feeds.iter().any(|f| f.path == spec.path) {
            return Err(err_at(span, format!("feed `{p}` is listed twice")));
        }
        feeds.push(spec);
    }
    let categories = raw.categories.unwrap_or_else(crate::model::links::default_vocabulary);
    let mut rules = Vec::new();
    for r in raw.rules {
        rules.push(rule(r).map_err(|(span, message)| err_at(span, message))?);
    }
    let poll_ms = raw.poll_ms.map(poll_interval).transpose().map_err(|(span, m)| err_at(span, m))?;
    let mut retention = BTreeMap::new();
    for (kind, r) in raw.retention.unwrap_or_default() {
        let k = Kind::parse(kind.get_ref()).ok_or_else(|| {
            err_at(
                kind.span(),
                format!("[retention]: unknown kind {:?}, expected one of {}", kind.get_ref(), Kind::expected()),
            )
        })?;
        if r.get_ref().keep == Some(0) || r.get_ref().days == Some(0) || r.get_ref().versions == Some(0) {
            return Err(err_at(r.span(), "[retention]: `keep`, `days` and `versions` must be at least 1".into()));
        }
        if r.get_ref().days.is_some_and(|d| d > MAX_RETENTION_DAYS) {
            let message = format!("[retention]: `days` is at most {MAX_RETENTION_DAYS} (a hundred years)");
            return Err(err_at(r.span(), message));
        }
        retention.insert(k, r.into_inner());
    }
    Ok(Config {
        file: file.map(Path::to_path_buf),
        feeds_dir,
        feeds,
        limits,
        ui: raw.ui,
        categories,
        rules,
        poll_ms,
        retention,
    })
}

type Span = std::ops::Range<usize>;

/// A `poll_ms` value: 50 ms to a minute.
fn poll_interval(v: Spanned<i64>) -> Result<u64, (Span, String)> {
    match u64::try_from(*v.get_ref()) {
        Ok(ms) if (50..=60_000).contains(&ms) => Ok(ms),
        _ => Err((v.span(), format!("`poll_ms` is {}: expected 50 to 60000", v.get_ref()))),
    }
}

impl Config {
    /// How often every file must be looked at even with file-system events: the shortest `poll_ms` of a
    /// feed that asks for one.
    pub fn feed_poll_ms(&self) -> Option<u64> {
        self.feeds.iter().filter_map(|f| f.poll_ms).min()
    }
}

/// Checks a `[[rule]]` against the kinds and their fields.
fn rule(raw: RawRule) -> Result<Rule, (Span, String)> {
    let kind = match &raw.kind {
        None => None,
        Some(k) => Some(Kind::parse(k.get_ref()).ok_or_else(|| {
            (
                k.span(),
                format!(
                    "rule {:?}: unknown kind {:?}, expected one of {}",
                    raw.name.get_ref(),
                    k.get_ref(),
                    Kind::expected()
                ),
            )
        })?),
    };
    let name = raw.name.get_ref().clone();
    let mut conditions = Vec::new();
    for (field, value) in raw.when.map(Spanned::into_inner).unwrap_or_default() {
        let f = field.get_ref().as_str();
        let known = PSEUDO_FIELDS.contains(&f)
            || match kind {
                Some(k) => Body::declared(k).contains(&f),
                None => Kind::ALL.iter().any(|k| Body::declared(*k).contains(&f)),
            };
        if !known {
            let fields = match kind {
                Some(k) => Body::declared(k).join(", "),
                None => "the fields of any kind".into(),
            };
            return Err((
                field.span(),
                format!("rule {name:?}: unknown field `{f}`; expected {fields}, or {}", PSEUDO_FIELDS.join(", ")),
            ));
        }
        let test = condition(&name, f, &value)?;
        conditions.push(Condition::new(f, test));
    }
    let mut effects = Effects { alert: false, highlight: false, bell: false };
    match &raw.effects {
        None => effects.alert = true,
        Some(list) => {
            for e in list.get_ref() {
                match e.get_ref().as_str() {
                    "alert" => effects.alert = true,
                    "highlight" => effects.highlight = true,
                    "bell" => effects.bell = true,
                    other => {
                        return Err((
                            e.span(),
                            format!("rule {name:?}: unknown effect {other:?}; expected alert, highlight, bell"),
                        ))
                    }
                }
            }
            if list.get_ref().is_empty() {
                return Err((list.span(), format!("rule {name:?}: `do` is empty; expected alert, highlight, bell")));
            }
        }
    }
    Ok(Rule { name, kind, conditions, effects })
}

/// One condition: `"value"`, `true`, `["a", "b"]`, or `{ equals | one_of | contains | min = ... }`.
fn condition(name: &str, field: &str, value: &Spanned<toml::Value>) -> Result<Test, (Span, String)> {
    let bad = |what: &str| (value.span(), format!("rule {name:?}, field `{field}`: {what}"));
    let strings = |v: &toml::Value| -> Option<Vec<String>> {
        match v {
            toml::Value::String(s) => Some(vec![s.clone()]),
            toml::Value::Boolean(b) => Some(vec![b.to_string()]),
            toml::Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    toml::Value::String(s) => Some(s.clone()),
                    toml::Value::Boolean(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    };
    match value.get_ref() {
        toml::Value::Table(t) if t.len() == 1 => {
            let (op, v) = t.iter().next().ok_or_else(|| bad("an empty condition"))?;
            match op.as_str() {
                "equals" | "one_of" => {
                    strings(v).map(Test::OneOf).ok_or_else(|| bad("expected a string, a boolean or a list of strings"))
                }
                "contains" => {
                    strings(v).map(Test::Contains).ok_or_else(|| bad("expected a string or a list of strings"))
                }
                "min" => {
                    if !LEVEL_FIELDS.contains(&field) {
                        return Err(bad("`min` applies to risk and severity only"));
                    }
                    v.as_str()
                        .and_then(Level::parse)
                        .map(Test::AtLeast)
                        .ok_or_else(|| bad(&format!("`min` expects one of {}", Level::expected())))
                }
                other => Err(bad(&format!("unknown test `{other}`; expected equals, one_of, contains or min"))),
            }
        }
        toml::Value::Table(_) => Err(bad("expected one test: equals, one_of, contains or min")),
        v => strings(v).map(Test::OneOf).ok_or_else(|| bad("expected a string, a boolean, a list or a test table")),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_settings_have_defaults_and_are_checked() {
        let c = parse("[[feed]]\npath = \"a\"\n", None).expect("valid");
        assert_eq!(c.ui, UiConfig::default());
        let c = parse("[ui]\ncolor = \"never\"\nsynchronized_output = false\n[[feed]]\npath = \"a\"\n", None)
            .expect("valid");
        assert_eq!(c.ui.color, ColorMode::Never);
        assert!(!c.ui.synchronized_output);
        let e = parse("[ui]\ncolor = \"sometimes\"\n[[feed]]\npath = \"a\"\n", None).expect_err("bad");
        assert_eq!(e.at, Some((2, 9)));
    }

    #[test]
    fn rules_are_checked_against_kinds_and_fields() {
        let ok = "[[feed]]\npath = \"a\"\n[[rule]]\nname = \"r\"\nkind = \"shortages\"\nwhen = { severity = { min = \"high\" }, region = [\"Kharkiv\", \"Sumy\"] }\ndo = [\"alert\", \"bell\"]\n";
        let c = parse(ok, None).expect("valid");
        assert_eq!(c.rules.len(), 1);
        assert!(c.rules[0].effects.bell && c.rules[0].effects.alert && !c.rules[0].effects.highlight);
        let bad_field =
            "[[feed]]\npath = \"a\"\n[[rule]]\nname = \"r\"\nkind = \"aid\"\nwhen = { severity = \"critical\" }\n";
        let e = parse(bad_field, Some(Path::new("c.toml"))).expect_err("severity is not an aid field");
        assert_eq!(e.at, Some((6, 10)));
        assert!(e.message.contains("unknown field `severity`"), "{e}");
        let bad_kind = "[[feed]]\npath = \"a\"\n[[rule]]\nname = \"r\"\nkind = \"weather\"\n";
        let e = parse(bad_kind, None).expect_err("unknown kind");
        assert_eq!(e.at, Some((5, 8)));
        let bad_min = "[[feed]]\npath = \"a\"\n[[rule]]\nname = \"r\"\nwhen = { region = { min = \"high\" } }\n";
        assert!(parse(bad_min, None).expect_err("min on text").message.contains("risk and severity only"));
        let bad_do = "[[feed]]\npath = \"a\"\n[[rule]]\nname = \"r\"\ndo = [\"email\"]\n";
        assert!(parse(bad_do, None).expect_err("effect").message.contains("unknown effect"));
    }

    #[test]
    fn the_shipped_config_is_valid() {
        let c = parse(DEFAULT_TOML, Some(Path::new("config.toml"))).expect("valid");
        assert_eq!(c.feeds.len(), 4);
        assert!(c.feeds.iter().all(|f| f.path.starts_with("feeds")));
        assert_eq!(c.limits.max_line_bytes, 1024 * 1024);
        assert_eq!(
            c.categories,
            crate::model::links::default_vocabulary(),
            "the shipped vocabulary is the built-in one"
        );
    }

    #[test]
    fn relative_paths_start_from_the_config_folder() {
        let text = "feeds_dir = \"data\"\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n";
        let c = parse(text, Some(Path::new("/etc/wf/config.toml"))).expect("valid");
        assert_eq!(c.feeds[0].path, Path::new("/etc/wf/data/s.jsonl"));
    }

    #[test]
    fn a_wrong_kind_names_line_and_column() {
        let text = "[[feed]]\npath = \"s.jsonl\"\nkind = \"sanction\"\n";
        let e = parse(text, Some(Path::new("c.toml"))).expect_err("invalid");
        assert_eq!(e.at, Some((3, 8)));
        assert!(e.to_string().starts_with("c.toml:3:8: unknown variant `sanction`"), "{e}");
    }

    #[test]
    fn a_feed_on_a_share_gets_its_own_poll_interval() {
        let text = "[[feed]]\npath = \"local.jsonl\"\n[[feed]]\npath = \"/mnt/share/s.jsonl\"\npoll_ms = 2000\n[[feed]]\npath = \"/mnt/nfs/a.jsonl\"\npoll_ms = 750\n";
        let c = parse(text, None).expect("valid");
        assert_eq!(c.feeds[0].poll_ms, None);
        assert_eq!(c.feeds[1].poll_ms, Some(2000));
        assert_eq!(c.feed_poll_ms(), Some(750), "every file is looked at as often as the most eager feed asks");
        let e = parse("[[feed]]\npath = \"a\"\npoll_ms = -1\n", None).expect_err("negative");
        assert!(e.to_string().contains("`poll_ms` is -1: expected 50 to 60000"), "{e}");
        assert!(e.to_string().contains(":3:"), "the line of the bad value: {e}");
    }

    #[test]
    fn unknown_keys_and_bad_limits_are_errors() {
        let e = parse("[[feed]]\npath = \"a\"\nknd = \"aid\"\n", None).expect_err("typo");
        assert_eq!(e.at, Some((3, 1)));
        assert!(e.message.contains("unknown field `knd`"), "{e}");
        let e = parse("[limits]\nmax_line_bytes = 0\n[[feed]]\npath = \"a\"\n", None).expect_err("zero");
        assert_eq!(e.at, Some((2, 18)));
        let e = parse("[limits]\nhold_shrink_percent = 101\n[[feed]]\npath = \"a\"\n", None).expect_err("percent");
        assert!(e.message.contains("expected a number from 0 to 100"), "{e}");
        let c = parse("[limits]\nhold_shrink_records = 50\n[[feed]]\npath = \"a\"\n", None).expect("records");
        assert_eq!(c.limits.shrink, ShrinkGuard { percent: 2, records: 50 });
        let e = parse("[[feed]]\npath = \"a[\"\n", None).expect_err("glob");
        assert!(e.message.contains("not a valid glob"), "{e}");
        let e = parse("[[feed]]\npath = \"*.csv\"\nformat = \"ofac-csv\"\n", None).expect_err("glob");
        assert!(e.message.contains("name the file"), "{e}");
        let c = parse("[[feed]]\npath = \"a\"\n[retention]\nsanctions = { keep = 1000 }\naid = { days = 90 }\n", None)
            .expect("retention");
        assert_eq!(c.retention[&Kind::Sanctions].keep, Some(1000));
        let ftm = "[[feed]]\npath = \"os/entities.ftm.json\"\nformat = \"ftm\"\ndeltas = \"os/deltas/*.json\"\n";
        let c = parse(ftm, Some(Path::new("/cfg/config.toml"))).expect("deltas");
        assert_eq!(c.feeds[0].deltas.as_deref(), Some(Path::new("/cfg/os/deltas/*.json")));
        let jsonl = "[[feed]]\npath = \"a.jsonl\"\ndeltas = \"d/*.json\"\n";
        assert!(parse(jsonl, None).expect_err("deltas of a jsonl feed").message.contains("only for format"));
        let c = parse("[[feed]]\npath = \"a\"\n[retention]\naid = { versions = 5 }\n", None).expect("versions");
        assert_eq!(c.retention[&Kind::Aid].versions, Some(5));
        assert!(parse("[[feed]]\npath = \"a\"\n[retention]\naid = { versions = 0 }\n", None).is_err());
        assert!(parse("[[feed]]\npath = \"a\"\n[retention]\nweather = { keep = 1 }\n", None).is_err());
        let e =
            parse("[[feed]]\npath = \"a\"\n[retention]\naid = { days = 4000000000 }\n", None).expect_err("too long");
        assert_eq!((e.at.map(|a| a.0), e.message.contains("at most 36525")), (Some(4), true), "{e}");
        let e = parse("poll_ms = 5\n[[feed]]\npath = \"a\"\n", None).expect_err("too fast");
        assert!(e.message.contains("`poll_ms` is 5"), "{e}");
        let e = parse("feeds_dir = \"x\"\n", None).expect_err("no feeds");
        assert!(e.message.contains("no [[feed]]"), "{e}");
    }

    #[test]
    fn feeds_override_re_anchors_relative_paths() {
        let dir = tempfile::tempdir().expect("tmp");
        let cfg = dir.path().join("c.toml");
        std::fs::write(&cfg, "feeds_dir = \"feeds\"\n[[feed]]\npath = \"sub/a.jsonl\"\nkind = \"aid\"\n[[feed]]\npath = \"/abs/b.jsonl\"\nkind = \"aid\"\n").expect("write");
        let c = Lookup { explicit: Some(&cfg), feeds_dir: Some(Path::new("/other")) }.load().expect("valid");
        assert_eq!(c.feeds[0].path, Path::new("/other/sub/a.jsonl"));
        assert_eq!(c.feeds[1].path, Path::new("/abs/b.jsonl"));
    }

    #[test]
    fn a_missing_explicit_config_is_an_error() {
        let e =
            Lookup { explicit: Some(Path::new("/nonexistent/c.toml")), feeds_dir: None }.load().expect_err("missing");
        assert!(e.to_string().contains("cannot read the configuration"), "{e}");
    }
}

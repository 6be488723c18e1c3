//! The command line: options, and the headless commands that answer without the dashboard.

pub mod check;
pub mod demo;
pub mod follow;
pub mod gen;
pub mod markdown;
pub mod snapshot;
pub mod table;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use watchfloor_core::config::{ColorMode, Config, ConfigError, Lookup};
use watchfloor_core::model::Kind;
use watchfloor_core::present::query::Query;

pub use crate::exit::{complain, EXIT_CONFIG, EXIT_OK, EXIT_PROBLEMS};

/// A live terminal dashboard of sanctions, flagged suppliers, aid packages and shortages, fed by local files.
#[derive(Debug, Parser)]
#[command(name = "watchfloor", version, propagate_version = true, about, long_about = None)]
pub struct Cli {
    /// Configuration file [default: ./config.toml, else $XDG_CONFIG_HOME/watchfloor/config.toml, else built in]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Folder that relative feed paths start from (overrides `feeds_dir` in the config)
    #[arg(long, global = true, value_name = "DIR")]
    pub feeds: Option<PathBuf>,

    /// Log file [default: $XDG_STATE_HOME/watchfloor/watchfloor.log]; level from WATCHFLOOR_LOG
    #[arg(long, global = true, value_name = "PATH")]
    pub log: Option<PathBuf>,

    /// Folder where watchfloor remembers what it saw between runs [default: $XDG_STATE_HOME/watchfloor]
    #[arg(long, global = true, value_name = "DIR")]
    pub state: Option<PathBuf>,

    /// Look at the feed files every MS milliseconds (default 500) instead of waiting for file-system events:
    /// for feeds on NFS, SSHFS and other mounts that send none
    #[arg(long, global = true, value_name = "MS", num_args = 0..=1, default_missing_value = "500",
          require_equals = true, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub poll: Option<u64>,

    /// Colours in the dashboard [default: `color` in the config, else auto: on unless NO_COLOR is set]
    #[arg(long, value_name = "WHEN")]
    pub color: Option<ColorArg>,

    /// Capture the mouse in the dashboard (click selects, wheel scrolls; the terminal's text selection then
    /// needs Shift). Off by default; `m` toggles it
    #[arg(long)]
    pub mouse: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the configuration and every feed; print each problem as `file:line: reason`
    ///
    /// Exit status: 0 when clean, 1 when a feed has problems, 2 when the configuration cannot be used.
    Check,
    /// Load every feed and print the state: per kind, the count and the newest records
    Snapshot {
        /// One JSON document: {"panels": {KIND: {"count", "records"}}, "errors": [...]}
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// A short brief to paste into a report: new since the last acknowledgement, rule matches,
        /// uncovered and at-risk shortages, stalled packages
        #[arg(long)]
        markdown: bool,
        /// Newest records shown per kind (all of them with --json and CSV when not given)
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Only the records that match QUERY, read as the dashboard's `/` reads it: words,
        /// field:value, risk>=high, -word, "a phrase", /regex/
        #[arg(long, value_name = "QUERY", conflicts_with = "markdown", allow_hyphen_values = true)]
        filter: Option<String>,
        /// Only this panel
        #[arg(long, value_name = "PANEL")]
        panel: Option<PanelArg>,
        /// How to print: text tables, one JSON document, the Markdown brief, or CSV of one panel's rows
        /// as shown (csv needs --panel: each panel has its own columns)
        #[arg(long, value_name = "FORMAT", conflicts_with_all = ["json", "markdown"])]
        format: Option<FormatArg>,
    },
    /// Write realistic, deterministic feeds of every kind and their config.toml (the same seed gives the
    /// same bytes), for benchmarks and for trying watchfloor at scale
    Gen {
        /// How many lines to write in all (70% sanctions, 15% suppliers, 5% aid, 10% shortages)
        #[arg(long, value_name = "N")]
        records: usize,
        /// Folder to write to (created if needed)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
    },
    /// Open the dashboard on a copy of the sample feeds that keeps growing, to see it live at once (its
    /// own feeds and state: --config, --feeds and --state are refused)
    Demo,
    /// Print the shell completion script for SHELL (e.g. `watchfloor completions bash > ~/.local/share/bash-completion/completions/watchfloor`)
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; e.g. `watchfloor man > ~/.local/share/man/man1/watchfloor.1`)
    Man,
    /// Load every feed, then print one line per change as it happens, until interrupted
    Follow {
        /// JSON lines: {"event", "kind", "id", "file", "line", ...}; see docs/feeds.md
        #[arg(long)]
        json: bool,
        /// With --json: each record's every version too (`history`), not only the one in force
        #[arg(long, requires = "json")]
        history: bool,
    },
}

/// Runs the command line and returns the exit status.
pub fn run(cli: Cli) -> i32 {
    if let Some(path) = cli.log.clone().or_else(crate::logging::default_path) {
        // Logging is a help, not a requirement: without a writable log file the program still works.
        let _ = crate::logging::init(&path);
    }
    raise_open_file_limit();
    // Commands that need no configuration.
    match &cli.command {
        Some(Command::Gen { records, out, seed }) => {
            return match gen::write(out, *records, *seed) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    complain(&format!("watchfloor gen: cannot write to {}: {e}", out.display()));
                    EXIT_PROBLEMS
                }
            };
        }
        // Written whole, then printed: a reader that stops early (`| head`) is no error.
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "watchfloor", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            return EXIT_OK;
        }
        Some(Command::Man) => {
            use clap::CommandFactory;
            let mut page = Vec::new();
            if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
                complain(&format!("watchfloor man: {e}"));
                return EXIT_PROBLEMS;
            }
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &page);
            return EXIT_OK;
        }
        Some(Command::Demo) if cli.config.is_some() || cli.feeds.is_some() || cli.state.is_some() => {
            // The options every command takes, which the demo cannot use: said, not ignored in silence.
            complain(
                "watchfloor demo: runs on its own copy of the sample feeds, with its own state: --config, --feeds \
                 and --state are not used (try `watchfloor --config PATH` for the dashboard on your feeds)",
            );
            return EXIT_CONFIG;
        }
        Some(Command::Demo) => {
            return demo::run(crate::ui::Options {
                color: cli.color.map(ColorMode::from),
                mouse: cli.mouse,
                state: None,
                poll_ms: cli.poll,
            });
        }
        _ => {}
    }
    let config = match load_config(&cli) {
        Ok(c) => c,
        Err(e) => {
            complain(&format!("watchfloor: configuration error: {e}"));
            return EXIT_CONFIG;
        }
    };
    tracing::info!(
        "config {}, {} feeds",
        config.file.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "built in".into()),
        config.feeds.len()
    );
    match cli.command {
        Some(Command::Check) => check::run(&config),
        Some(Command::Snapshot { json, markdown, limit, filter, panel, format }) => {
            let state = cli.state.clone().or_else(watchfloor_core::state::default_dir);
            let style = match format {
                Some(f) => f.into(),
                None => snapshot::Style::pick(json, markdown),
            };
            if style == snapshot::Style::Csv && panel.is_none() {
                complain("snapshot --format csv needs --panel (sanctions, suppliers, aid or shortages): each panel has its own columns");
                return EXIT_CONFIG;
            }
            if style == snapshot::Style::Markdown && (filter.is_some() || panel.is_some()) {
                complain("snapshot --format markdown is the whole brief: --filter and --panel do not apply to it");
                return EXIT_CONFIG;
            }
            let only = snapshot::Only { panel: panel.map(Kind::from), query: filter.as_deref().map(Query::parse) };
            if let Some(problem) = only.query.as_ref().and_then(|q| q.problem()) {
                complain(&format!("--filter: {problem}"));
            }
            snapshot::run(&config, style, limit, &only, state.as_deref())
        }
        Some(Command::Follow { json, history }) => {
            let form = follow::Form { json, history };
            follow::run(&config, form, cli.state.as_deref(), cli.poll.or(config.poll_ms))
        }
        // Handled above, before the configuration is read.
        Some(Command::Gen { .. } | Command::Demo | Command::Completions { .. } | Command::Man) => EXIT_OK,
        None => crate::ui::run(
            &config,
            crate::ui::Options {
                color: cli.color.map(ColorMode::from),
                mouse: cli.mouse,
                state: cli.state.clone(),
                poll_ms: cli.poll.or(config.poll_ms),
            },
        ),
    }
}

fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
    Lookup { explicit: cli.config.as_deref(), feeds_dir: cli.feeds.as_deref() }.load()
}

/// Writes to stdout, ending quietly when the reader has gone (`watchfloor follow --json | head`).
pub(crate) fn emit(out: &mut impl std::io::Write, text: &str) -> bool {
    out.write_all(text.as_bytes()).is_ok()
}

/// `snapshot --panel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PanelArg {
    Sanctions,
    Suppliers,
    Aid,
    Shortages,
}

impl From<PanelArg> for Kind {
    fn from(arg: PanelArg) -> Self {
        match arg {
            PanelArg::Sanctions => Kind::Sanctions,
            PanelArg::Suppliers => Kind::Suppliers,
            PanelArg::Aid => Kind::Aid,
            PanelArg::Shortages => Kind::Shortages,
        }
    }
}

/// `snapshot --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Markdown,
    Csv,
}

impl From<FormatArg> for snapshot::Style {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Text => snapshot::Style::Text,
            FormatArg::Json => snapshot::Style::Json,
            FormatArg::Markdown => snapshot::Style::Markdown,
            FormatArg::Csv => snapshot::Style::Csv,
        }
    }
}

/// `--color`: the command line's words for [`ColorMode`] (the core knows no command-line crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    /// Colours unless NO_COLOR is set (to anything but an empty string) or TERM is `dumb`.
    Auto,
    Always,
    Never,
}

impl From<ColorArg> for ColorMode {
    fn from(arg: ColorArg) -> Self {
        match arg {
            ColorArg::Auto => ColorMode::Auto,
            ColorArg::Always => ColorMode::Always,
            ColorArg::Never => ColorMode::Never,
        }
    }
}

/// Raises the limit of open files to what the system allows this process (the soft limit to the hard
/// one): a glob of thousands of feeds holds a file open for each, and the usual soft limit of 1,024 made
/// most of them fail with "Too many open files" (and then the state could not be saved).
fn raise_open_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 || limit.rlim_cur >= limit.rlim_max {
            return;
        }
        let before = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
            tracing::info!("open files: the limit raised from {before} to {}", limit.rlim_max);
        }
    }
}

use clap::Parser;
use watchfloor::cli::{run, Cli};

fn main() {
    std::process::exit(run(Cli::parse()));
}

//! `latticectl`: plan Gateway API manifests onto Amazon VPC Lattice.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = latticectl::Cli::parse();
    match latticectl::run(cli, &mut std::io::stdout().lock()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

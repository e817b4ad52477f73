//! `latticectl`: plan and apply Gateway API manifests onto Amazon VPC Lattice.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = latticectl::Cli::parse();
    match latticectl::run(cli, &mut std::io::stdout().lock()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

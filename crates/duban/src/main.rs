//! `duban` — the command line of duban (督办). A thin layer: it parses flags, calls the store
//! and the office crates, and prints.

mod cli;
mod commands;
mod memory;
mod render;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A command whose output is piped into a reader that stops early (`duban items list | head`)
/// ends quietly, as other command-line tools do, instead of failing on its next line; what
/// it writes to the database is one transaction, committed whole or not at all. The server
/// keeps ignoring the signal: a client leaving is an error on that connection alone.
fn quiet_when_the_reader_leaves() {
    #[cfg(unix)]
    // SAFETY: restores the signal's default action at the start of main, before any other
    // thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Clap parses on this thread: still the only one.
    let serving = matches!(cli.command, cli::Command::Serve(_));
    memory::configure_allocator(serving);
    if !serving {
        quiet_when_the_reader_leaves();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

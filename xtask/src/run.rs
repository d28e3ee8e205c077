//! Running commands with a clear line for each step and a clear error when one fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// `PATH` with the tools the build needs first: cargo-installed tools (trunk, wasm-bindgen)
/// and npm's (wasm-opt from binaryen).
pub fn tool_path() -> String {
    let mut dirs = vec![root().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    let mut path: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    if let Ok(existing) = std::env::var("PATH") {
        path.push(existing);
    }
    path.join(":")
}

/// A command run from the workspace root with the tool `PATH`.
pub fn cmd(program: &str) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root()).env("PATH", tool_path());
    command
}

/// Prints the step, runs it, and turns a failure into an error that names the step.
pub fn step(title: &str, command: &mut Command) -> Result<(), String> {
    println!("==> {title}");
    let status = command
        .status()
        .map_err(|e| format!("{title}: could not start {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{title}: failed ({status})"))
    }
}

/// The trimmed standard output of a command, or `None` if it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

//! Trunk's post-build step (see Trunk.toml). Trunk 0.21 has no split step, so this does what
//! cargo-leptos does for `#[lazy]` code, on the files Trunk just wrote:
//!
//! 1. when the app was built with `--features split` (its raw wasm imports the split
//!    placeholder), split the raw wasm at its `#[wasm_split]` points, run wasm-bindgen again
//!    on the main part under the name Trunk chose (so Trunk's `index.html` still loads it),
//!    and put the loader and the route chunks beside it, their names carrying the build's hash;
//! 2. optimise every wasm with binaryen's wasm-opt (Trunk's own is off: it would run before
//!    the split and drop the relocations the split needs);
//! 3. write the brotli/gzip copies (`tools/precompress.mjs`).
//!
//! Debug builds are left as Trunk wrote them.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// What `#[wasm_split]` functions import before the split resolves them.
const PLACEHOLDER: &[u8] = b"__wasm_split_placeholder__";
/// The files each split point downloads (read by the platform).
const PRELOADS: &str = "route-preloads.json";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quartier-split: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let staging = PathBuf::from(
        std::env::var_os("TRUNK_STAGING_DIR")
            .ok_or("TRUNK_STAGING_DIR is not set (run by Trunk)")?,
    );
    if std::env::var("TRUNK_PROFILE").as_deref() != Ok("release") {
        return Ok(());
    }
    let root = root();
    let index = std::fs::read_to_string(staging.join("index.html"))
        .map_err(|e| format!("index.html: {e}"))?;
    let (stem, hash) = app_stem(&index).ok_or("no quartier-<hash>.js in index.html")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let raw_path = target.join("wasm32-unknown-unknown/wasm-release/quartier.wasm");
    let raw = std::fs::read(&raw_path).map_err(|e| format!("{}: {e}", raw_path.display()))?;
    if contains(&raw, PLACEHOLDER) {
        split(&raw, &staging, &stem, &hash)?;
    }
    optimise(&staging)?;
    let status = Command::new("node")
        .arg(root.join("tools/precompress.mjs"))
        .arg(&staging)
        .status()
        .map_err(|e| format!("node: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("precompress failed ({status})"))
}

fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or(manifest)
}

/// `quartier-<hex>` and `<hex>`, from the script Trunk's `index.html` loads.
fn app_stem(index: &str) -> Option<(String, String)> {
    index.match_indices("quartier-").find_map(|(at, _)| {
        let rest = &index[at + "quartier-".len()..];
        let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        // Trunk writes its 64-bit hash without leading zeros: 16 hex digits or fewer.
        (hex.len() >= 8 && rest[hex.len()..].starts_with(".js"))
            .then(|| (format!("quartier-{hex}"), hex))
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Splits the raw wasm and replaces Trunk's output with the main part and its chunks.
fn split(raw: &[u8], staging: &Path, stem: &str, hash: &str) -> Result<(), String> {
    let work = staging.join(".wasm-split");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let main_wasm = work.join("main.wasm");
    // The loader and the chunks carry the build's hash, so the platform caches them for good.
    let loader = format!("__wasm_split-{hash}.js");
    let link_name = format!("./{loader}");
    let main_module = format!("./{stem}.js");
    let mut options = wasm_split_cli_support::Options::new(raw);
    options.output_dir = &work;
    options.main_out_path = &main_wasm;
    options.link_name = &link_name;
    options.main_module = &main_module;
    let split = wasm_split_cli_support::transform(options).map_err(|e| format!("split: {e:#}"))?;
    println!(
        "quartier-split: {} chunks split off the main wasm",
        split.split_modules.len()
    );
    // `--keep-lld-exports`: the loader needs the function table the linker exported.
    tool("wasm-bindgen")
        .args(["--target", "web", "--keep-lld-exports", "--no-typescript"])
        .arg("--out-name")
        .arg(stem)
        .arg("--out-dir")
        .arg(staging)
        .arg(&main_wasm)
        .status()
        .map_err(|e| format!("wasm-bindgen: {e}"))
        .and_then(|s| {
            s.success()
                .then_some(())
                .ok_or(format!("wasm-bindgen failed ({s})"))
        })?;
    let mut loader_js =
        std::fs::read_to_string(work.join(&loader)).map_err(|e| format!("{loader}: {e}"))?;
    for chunk in &split.split_modules {
        let Some(name) = chunk.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let hashed = format!("{name}-{hash}.wasm");
        loader_js = loader_js.replace(&format!("\"./{name}.wasm\""), &format!("\"./{hashed}\""));
        std::fs::copy(chunk, staging.join(&hashed))
            .map_err(|e| format!("{}: {e}", chunk.display()))?;
    }
    std::fs::write(staging.join(&loader), loader_js).map_err(|e| format!("{loader}: {e}"))?;
    write_preloads(staging, &split.prefetch_map, hash)?;
    // QUARTIER_SPLIT_KEEP=DIR keeps the parts before optimisation (with their function names),
    // to see what each one holds (`twiggy top DIR/main.wasm`).
    if let Some(keep) = std::env::var_os("QUARTIER_SPLIT_KEEP") {
        let _ = std::fs::remove_dir_all(&keep);
        std::fs::rename(&work, &keep).map_err(|e| format!("keeping the parts: {e}"))?;
        return Ok(());
    }
    std::fs::remove_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))
}

/// `route-preloads.json`: for each split point, the files its first call downloads, so that the
/// platform can tell the browser to fetch a route's code with the main wasm (a `Link: rel=preload`
/// on the page of that route) instead of after it.
fn write_preloads(
    staging: &Path,
    prefetch: &std::collections::HashMap<String, Vec<String>>,
    hash: &str,
) -> Result<(), String> {
    let mut splits: Vec<_> = prefetch.iter().collect();
    splits.sort();
    let entries: Vec<String> = splits
        .into_iter()
        .map(|(split, files)| {
            let files: Vec<String> = files
                .iter()
                .map(|file| format!("\"/{file}-{hash}.wasm\""))
                .collect();
            format!("\"{split}\": [{}]", files.join(", "))
        })
        .collect();
    let json = format!("{{\n  {}\n}}\n", entries.join(",\n  "));
    std::fs::write(staging.join(PRELOADS), json).map_err(|e| format!("{PRELOADS}: {e}"))
}

/// `wasm-opt -Oz` on every wasm of the build, in place.
fn optimise(staging: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("wasm") {
            continue;
        }
        let status = tool("wasm-opt")
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
            ])
            .arg(&path)
            .arg("-o")
            .arg(&path)
            .status()
            .map_err(|e| format!("wasm-opt: {e}"))?;
        if !status.success() {
            return Err(format!("wasm-opt {} failed ({status})", path.display()));
        }
    }
    Ok(())
}

/// A build tool, from npm's `node_modules/.bin` (wasm-opt) or cargo's bin (wasm-bindgen).
fn tool(name: &str) -> Command {
    let root = root();
    let mut dirs = vec![root.join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    let program = dirs
        .iter()
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(name));
    Command::new(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_script_is_found_in_trunks_index() {
        let index = r#"<link rel="modulepreload" href="/quartier-3f5a0c1d2e4b6a79.js"><script type=module>import init from '/quartier-3f5a0c1d2e4b6a79.js';"#;
        assert_eq!(
            app_stem(index),
            Some((
                "quartier-3f5a0c1d2e4b6a79".into(),
                "3f5a0c1d2e4b6a79".into()
            ))
        );
        assert_eq!(app_stem("<link href=/quartier-abc.css>"), None);
        // A hash whose first digit was 0 has 15 digits (Trunk does not pad it).
        assert_eq!(
            app_stem("import init from '/quartier-b0669befefd22f1.js';"),
            Some(("quartier-b0669befefd22f1".into(), "b0669befefd22f1".into()))
        );
    }
}

//! `cargo xtask demo`: everything a newcomer needs to see Quartier running, in one command.

use crate::build;
use crate::run::{root, step};
use crate::tools;

#[derive(Debug)]
pub struct DemoOptions {
    port: u16,
    scale: u32,
    /// The sensor simulator (`--simulate`): on unless `--no-simulate`.
    simulate: bool,
}

pub fn options(args: &[String]) -> Result<DemoOptions, String> {
    let mut options = DemoOptions {
        port: 8080,
        scale: 1,
        simulate: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .cloned()
        };
        match arg.as_str() {
            "--port" => {
                options.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port must be a number between 1 and 65535".to_string())?
            }
            "--scale" => {
                options.scale = value("--scale")?
                    .parse()
                    .map_err(|_| "--scale must be a positive number".to_string())?
            }
            "--no-simulate" => options.simulate = false,
            other => {
                return Err(format!(
                    "unknown option {other} (try --port P, --scale N, --no-simulate)"
                ));
            }
        }
    }
    Ok(options)
}

pub fn run(options: DemoOptions) -> Result<(), String> {
    tools::ensure_build_tools()?;
    build::app(false)?;
    build::platform("release")?;
    let data = root().join(".quartier/demo");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    println!();
    println!("Quartier demo: http://127.0.0.1:{}/", options.port);
    println!("Demo residents (password quartier-demo):");
    println!("  camille.martin@example.org");
    println!("  lucas.bernard@example.org");
    if options.simulate {
        println!("The town's sensors are simulated: the map moves (--no-simulate to stop it).");
    }
    println!("Stop with Ctrl-C.");
    println!();
    step(
        if options.simulate {
            "quartier-platform --demo --simulate"
        } else {
            "quartier-platform --demo"
        },
        std::process::Command::new(build::platform_binary("release"))
            .current_dir(root())
            .args(["--demo", "--port", &options.port.to_string()])
            .args(["--scale", &options.scale.to_string()])
            .args(options.simulate.then_some("--simulate"))
            .arg("--dist")
            .arg(root().join("dist"))
            .arg("--data")
            .arg(&data),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<DemoOptions, String> {
        options(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn port_defaults_to_8080_and_can_be_set() {
        assert_eq!(parse(&[]).unwrap().port, 8080);
        let options = parse(&["--port", "18080", "--scale", "10"]).unwrap();
        assert_eq!((options.port, options.scale), (18080, 10));
    }

    #[test]
    fn the_simulator_is_on_unless_turned_off() {
        assert!(parse(&[]).unwrap().simulate);
        assert!(!parse(&["--no-simulate"]).unwrap().simulate);
    }

    #[test]
    fn bad_options_are_explained() {
        assert!(parse(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--port", "x"]).unwrap_err().contains("number"));
        assert!(parse(&["--bogus"]).unwrap_err().contains("unknown option"));
    }
}

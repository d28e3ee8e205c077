//! Entry point of the wasm app: a panic hook (so a bug shows in the console, not as a silent
//! freeze) and the mount. Everything else lives in the library.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(quartier::app::App);
}

//! The `mixdown` binary: everything lives in the library's `cli` module.
fn main() -> std::process::ExitCode {
    mixdown::cli::run()
}

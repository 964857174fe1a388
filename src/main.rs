//! The `oat` binary: everything lives in the library; this only hands over to it, joining
//! the two front ends — the commands, and the app they start when given none.

fn main() -> std::process::ExitCode {
    oat::cli::main(oat::tui::entry)
}

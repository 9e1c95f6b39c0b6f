//! Phase timings for profiling: with `XINXI_PHASES=1` in the environment, each stage of a run
//! prints the seconds since the run began to stderr ("  0.426 s  read"). The
//! benchmark's README section says how to use it; nothing is printed otherwise.

use std::sync::OnceLock;
use std::time::Instant;

/// The environment variable that turns the timings on.
pub const VAR: &str = "XINXI_PHASES";

fn start() -> &'static Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now)
}

fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os(VAR).is_some())
}

/// Start the clock (the first call of either function does).
pub fn begin() {
    start();
}

/// Note that the stage `what` is done.
pub fn mark(what: &str) {
    let at = start().elapsed().as_secs_f64();
    if on() {
        eprintln!("{at:8.3} s  {what}");
    }
}

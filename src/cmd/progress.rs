//! A progress bar on the terminal while files are read (only when stderr is a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("读取报送表 {bar:30} {pos}/{len} 个文件 {elapsed}")
                .expect("valid template"),
        );
        Progress(Some(bar))
    }

    /// Called with (done, total) as each file finishes.
    pub fn tick(&self, done: usize, total: usize) {
        if let Some(b) = &self.0 {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

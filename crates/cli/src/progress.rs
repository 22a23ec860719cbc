//! The CLI's one home for progress and confirmation on a terminal: whether stderr and stdin are
//! terminals, the indicatif bar style every command shares, and the yes/no question. Commands
//! print plain lines instead when these say there is no terminal (CI logs, pipes).

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress bars only when a person watches stderr.
pub fn bars_wanted() -> bool {
    std::io::stderr().is_terminal()
}

/// A set of bars drawn on stderr.
pub fn multi() -> MultiProgress {
    MultiProgress::with_draw_target(ProgressDrawTarget::stderr())
}

/// One bar of `steps` steps, labelled `label`, in the shared style.
pub fn bar(multi: &MultiProgress, label: &str, steps: usize) -> ProgressBar {
    let bar = multi.add(ProgressBar::new(steps as u64));
    let style = ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(label.to_string());
    bar
}

/// Asks `question` on the terminal; `false` without one (CI never approves by silence) or on
/// anything but yes.
pub fn confirm(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes")
}

//! One bench row run outside criterion, so that its instructions can be counted
//! (`valgrind --tool=callgrind --toggle-collect='*run_once*'`): instruction counts do not
//! depend on the machine's load, criterion's timings do.

use std::hint::black_box;
use std::time::Instant;

/// When `$var` is `<row>[:<n>]`, calls `run(row, n)` (`n` defaults to 20) five times, prints
/// `<row>: <units> <unit>, <best> M/s` to stderr and returns `true`: the bench then exits
/// without criterion. `run` returns how many units (PDUs, messages) it processed; it should
/// call the bench's `#[inline(never)] fn run_once`, the function callgrind is told to count.
/// Returns `false` when `$var` is not set.
pub fn run_row_from_env(var: &str, unit: &str, run: impl Fn(&str, usize) -> usize) -> bool {
    let Ok(v) = std::env::var(var) else {
        return false;
    };
    let (row, times) = v.split_once(':').unwrap_or((&v, "20"));
    let times = times.parse().unwrap_or(20);
    // Best of 5 (the machine is shared): million units per second.
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..5 {
        let t = Instant::now();
        n = black_box(run(row, times));
        best = best.min(t.elapsed().as_secs_f64());
    }
    eprintln!("{row}: {n} {unit}, {:.2} M/s", n as f64 / best / 1e6);
    true
}

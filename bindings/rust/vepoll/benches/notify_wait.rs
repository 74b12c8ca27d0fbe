//! What the binding costs: the notify + wait(0) cycle of vepoll-bench's
//! scenarios 1 (level-triggered) and 2 (edge-triggered) with one source,
//! timed in one run, interleaved, three ways:
//!
//! - `rust`: the safe API, `Source::update` + `Epoll::wait(.., Some(ZERO))`;
//! - `rust-ffi`: the raw `vepoll_sys` calls from Rust;
//! - `c`: the C loop of bench/s_local.c (`run_vepoll`), compiled by
//!   vepoll-sys's build script (csrc/check.c) with the library's flags.
//!
//! All three call the same libvepoll.a.  Goal (issue #18): the binding costs
//! at most 1.1x the C call.  Target lines as vepoll-bench prints them; the
//! ratio is the median over rounds of rust[r] / c[r] (paired, so a slow
//! phase of a shared machine hits both runs of a round).
//!
//!   cargo bench --offline --bench notify_wait [-- --quick] [-- --reps N]
//!
//! `--quick` runs tiny counts (checks that everything runs and prints its
//! lines; its numbers mean nothing).  Exit status: 0 when everything ran
//! (MISS included), 1 when a run lost events, 2 on bad usage.
use std::time::{Duration, Instant};

use vepoll::{Epoll, Event, Interest, Source};
use vepoll_sys as sys;

#[link(name = "vepoll_sys_check", kind = "static")]
extern "C" {
    fn vepoll_sys_c_notify_wait(
        ep: *mut sys::vepoll_t,
        src: *mut sys::vepoll_source_t,
        ev: *mut sys::vepoll_event,
        maxevents: i32,
        iters: i64,
    ) -> i64;
}

/// bench/s_local.c's MAXB: every wait offers 64 slots.
const MAXB: usize = 64;
const GOAL: f64 = 1.1;

struct Setup {
    ep: Epoll,
    src: Source,
    events: Vec<Event>,
}

impl Setup {
    fn new(et: bool) -> Setup {
        let ep = Epoll::new().expect("create");
        let src = Source::new(Interest::empty()).expect("source");
        let mode = if et { Interest::ET } else { Interest::empty() };
        ep.add(&src, 0, Interest::IN | mode, 0).expect("add");
        Setup { ep, src, events: vec![Event::default(); MAXB] }
    }
}

/// One timed run of `iters` cycles: ns per cycle, or None if a cycle did
/// not get exactly one event.
type Run = fn(&mut Setup, i64) -> Option<f64>;

fn per_cycle(t: Instant, got: i64, iters: i64) -> Option<f64> {
    let ns = t.elapsed().as_nanos() as f64;
    if got == iters {
        Some(ns / iters as f64)
    } else {
        None
    }
}

fn run_rust(s: &mut Setup, iters: i64) -> Option<f64> {
    let t = Instant::now();
    let mut got = 0i64;
    for _ in 0..iters {
        s.src.update(Interest::IN, Interest::empty());
        got += s.ep.wait(&mut s.events, Some(Duration::ZERO)).unwrap_or(0) as i64;
    }
    per_cycle(t, got, iters)
}

fn run_ffi(s: &mut Setup, iters: i64) -> Option<f64> {
    let (ep, src, ev) = (s.ep.as_raw(), s.src.as_raw(), s.events.as_mut_ptr().cast());
    let t = Instant::now();
    let mut got = 0i64;
    for _ in 0..iters {
        // SAFETY: open instance and source, a buffer of MAXB events.
        unsafe {
            sys::vepoll_source_update(src, sys::VEPOLL_IN, 0);
            got += sys::vepoll_wait(ep, ev, MAXB as i32, 0) as i64;
        }
    }
    per_cycle(t, got, iters)
}

fn run_c(s: &mut Setup, iters: i64) -> Option<f64> {
    let (ep, src, ev) = (s.ep.as_raw(), s.src.as_raw(), s.events.as_mut_ptr().cast());
    let t = Instant::now();
    // SAFETY: as run_ffi.
    let got = unsafe { vepoll_sys_c_notify_wait(ep, src, ev, MAXB as i32, iters) };
    per_cycle(t, got, iters)
}

/// median, min, max, q1, q3 (linear interpolation, as bench/harness.c).
fn summary(v: &[f64]) -> [f64; 5] {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let q = |p: f64| {
        let pos = p * (s.len() - 1) as f64;
        let i = pos as usize;
        if i + 1 >= s.len() {
            s[s.len() - 1]
        } else {
            s[i] + (pos - i as f64) * (s[i + 1] - s[i])
        }
    };
    [q(0.5), s[0], s[s.len() - 1], q(0.25), q(0.75)]
}

/// Interleaved rounds of every variant on one instance and source (so
/// where their memory lies is the same for all); None if a run lost events.
fn measure(et: bool, variants: &[(&str, Run)], iters: i64, reps: usize) -> Option<Vec<Vec<f64>>> {
    let mut setup = Setup::new(et);
    for v in variants {
        (v.1)(&mut setup, iters)?; // warm-up
    }
    let n = variants.len();
    let mut vals = vec![Vec::with_capacity(reps); n];
    for r in 0..reps {
        // Each round starts with the next variant, so none always runs
        // first (or right after another one).
        for k in 0..n {
            let i = (r + k) % n;
            vals[i].push((variants[i].1)(&mut setup, iters)?);
        }
    }
    Some(vals)
}

fn main() {
    let mut quick = false;
    let mut reps = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--bench" => {} // cargo bench passes it
            "--reps" => reps = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => {
                eprintln!("usage: notify_wait [--quick] [--reps N]");
                std::process::exit(2);
            }
        }
    }
    if reps == 0 {
        reps = if quick { 3 } else { 31 };
    }
    // About 1 ms per run: short runs are less likely to be split by a time
    // slice of another job on a shared machine.
    let iters: i64 = if quick { 1_000 } else { 20_000 };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "vepoll {}.{}.{} Rust binding, {} run, {} timed repetitions per variant (median, min/max, IQR)",
        sys::VEPOLL_VERSION_MAJOR,
        sys::VEPOLL_VERSION_MINOR,
        sys::VEPOLL_VERSION_PATCH,
        if quick { "QUICK (numbers meaningless)" } else { "full" },
        reps
    );
    println!("load average at start: {}", load.trim());

    let variants: [(&str, Run); 3] = [("rust", run_rust), ("rust-ffi", run_ffi), ("c", run_c)];
    let mut lines = Vec::new();
    let mut failed = false;
    for (et, name) in [(false, "lt"), (true, "et")] {
        println!(
            "\n== {} notify + wait(0), one source, ns per cycle ==",
            if et { "ET" } else { "LT" }
        );
        println!(
            "  {:<10} {:>10} {:>10} {:>10} {:>21} {:>9}",
            "variant", "median", "min", "max", "IQR", "vs c"
        );
        let vals = match measure(et, &variants, iters, reps) {
            Some(v) => v,
            None => {
                eprintln!("notify_wait: FAILED: a {} run lost events", name);
                failed = true;
                continue;
            }
        };
        let c = summary(&vals[2])[0];
        for (v, x) in variants.iter().zip(&vals) {
            let s = summary(x);
            let iqr = format!("{:.4}-{:.4}", s[3], s[4]);
            println!(
                "  {:<10} {:>10.4} {:>10.4} {:>10.4} {:>21} {:>8.3}x",
                v.0,
                s[0],
                s[1],
                s[2],
                iqr,
                s[0] / c
            );
        }
        let paired = |i: usize| {
            let r: Vec<f64> = vals[i].iter().zip(&vals[2]).map(|(a, b)| a / b).collect();
            summary(&r)[0]
        };
        let rust = paired(0);
        lines.push((format!("rust_{}_notify_wait_vs_c", name), rust, rust <= GOAL));
        println!(
            "info rust_ffi_{}_notify_wait_vs_c: {:.3}x (raw vepoll-sys calls from Rust / the C loop)",
            name,
            paired(1)
        );
        // The fastest run of each: what is left when no other job got in
        // the way (a shared machine's load shows in the medians first).
        println!(
            "info rust_{}_notify_wait_min_vs_c: {:.3}x (fastest run of each: rust / c)",
            name,
            summary(&vals[0])[1] / summary(&vals[2])[1]
        );
    }
    println!();
    let mut pass = 0;
    for (name, ratio, ok) in &lines {
        println!(
            "target {}: {:.3}x (goal <= {}x) {}",
            name,
            ratio,
            GOAL,
            if *ok { "PASS" } else { "MISS" }
        );
        pass += *ok as usize;
    }
    println!("\n== targets: {} PASS, {} MISS ==", pass, lines.len() - pass);
    std::process::exit(if failed { 1 } else { 0 });
}

//! A std-only Rust guest (tests/rust/run-guest.sh runs it as wasm32-wasi
//! on the wasm2c host, and natively, and compares both with expected.txt):
//! arguments, environment, stdin, stdout, stderr, sleep, the clocks,
//! random numbers (HashMap's keys) and the exit code, through Rust's std
//! over WASI preview1.  Input: args `alpha beta exit=3`, environment
//! VEPOLL_GUEST_GREETING, three lines on stdin.
use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    // args[0] is the program's name, which differs between the two runs.
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args: {:?}", args);
    match std::env::var("VEPOLL_GUEST_GREETING") {
        Ok(g) => println!("env: {}", g),
        Err(e) => println!("env: missing ({})", e),
    }
    println!("env unset: {}", std::env::var_os("VEPOLL_GUEST_UNSET").is_none());

    let stdin = io::stdin();
    let mut words = 0;
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.expect("stdin");
        words += line.split_whitespace().count();
        println!("stdin {}: {}", i + 1, line.chars().rev().collect::<String>());
    }
    println!("stdin words: {}", words);

    let t = Instant::now();
    std::thread::sleep(Duration::from_millis(30));
    let slept = t.elapsed();
    println!("sleep(30 ms) slept at least 30 ms: {}", slept >= Duration::from_millis(30));
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).expect("wall clock");
    println!("wall clock after 2020: {}", wall.as_secs() > 1_577_836_800);

    let mut m = HashMap::new(); // keys from random_get
    for w in ["one", "two", "three"] {
        m.insert(w, w.len());
    }
    println!("hashmap: {}", m["three"]);

    eprintln!("a line on stderr");
    io::stdout().flush().expect("flush");
    let code = args.iter().find_map(|a| a.strip_prefix("exit=")).map_or(0, |c| c.parse().unwrap());
    std::process::exit(code);
}

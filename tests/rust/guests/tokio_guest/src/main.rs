//! A tokio guest (rt current_thread + time + sync), run as wasm32-wasi on
//! the wasm2c host and natively by tests/rust/run-guest.sh and compared
//! with expected.txt.  On WASI, tokio's timer parks the thread with
//! std::thread::sleep, i.e. a clock subscription of poll_oneoff.
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::time::{interval, sleep, timeout};

const MS: Duration = Duration::from_millis(1);

async fn run() {
    // Tasks finish in the order of their timers, not of their spawns.
    let (tx, mut rx) = mpsc::channel::<(u32, u32)>(8);
    for (id, ms) in [(0u32, 10u32), (1, 50), (2, 30)] {
        let tx = tx.clone();
        tokio::spawn(async move {
            sleep(MS * ms).await;
            tx.send((id, ms)).await.expect("send");
        });
    }
    drop(tx);
    let mut order = Vec::new();
    while let Some((id, ms)) = rx.recv().await {
        order.push(format!("task {} after {} ms", id, ms));
    }
    println!("mpsc: {}", order.join(", "));

    let (otx, orx) = oneshot::channel();
    tokio::spawn(async move {
        sleep(MS * 5).await;
        let _ = otx.send("pong");
    });
    println!("oneshot: {}", orx.await.expect("oneshot"));

    let t = Instant::now();
    sleep(MS * 40).await;
    println!("sleep(40 ms) slept at least 40 ms: {}", t.elapsed() >= MS * 40);

    let t = Instant::now();
    let expired = timeout(MS * 25, std::future::pending::<()>()).await.is_err();
    println!("timeout(25 ms) of a pending future expired: {} (at least 25 ms: {})", expired, t.elapsed() >= MS * 25);
    let in_time = timeout(MS * 500, async {
        sleep(MS * 5).await;
        7
    })
    .await;
    println!("timeout(500 ms) of a 5 ms future: {:?}", in_time.ok());

    let t = Instant::now();
    let mut iv = interval(MS * 10);
    for _ in 0..5 {
        iv.tick().await; // the first tick is immediate
    }
    println!("interval(10 ms): 5 ticks took at least 40 ms: {}", t.elapsed() >= MS * 40);
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
    rt.block_on(run());
    println!("tokio guest: ok");
}

//! The process-wide watch limit (Linux's max_user_watches): its own test
//! binary, since the limit is global to the process and the other test
//! files run their tests in parallel threads.
mod common;

use common::*;
use vepoll::{set_max_watches, Epoll, Interest, Source};

#[test]
fn add_beyond_the_watch_limit_is_enospc_until_a_watch_is_freed() {
    let ep = Epoll::new().unwrap();
    let srcs: Vec<Source> = (0..3).map(|_| Source::new(Interest::empty()).unwrap()).collect();
    set_max_watches(2);
    ep.add(&srcs[0], 0, Interest::IN, 0).unwrap();
    ep.add(&srcs[1], 1, Interest::IN, 1).unwrap();
    let e = ep.add(&srcs[2], 2, Interest::IN, 2).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(ENOSPC));
    ep.delete(&srcs[0], 0).unwrap(); // gives its watch back
    ep.add(&srcs[2], 2, Interest::IN, 2).unwrap();
    drop(srcs); // so do closes
    let more: Vec<Source> = (0..2).map(|_| Source::new(Interest::empty()).unwrap()).collect();
    ep.add(&more[0], 0, Interest::IN, 0).unwrap();
    ep.add(&more[1], 1, Interest::IN, 1).unwrap();
    set_max_watches(0);
}

//! Allocation failure: every constructor of the safe API returns `ENOMEM`
//! (`ErrorKind::OutOfMemory` on newer toolchains) as an io::Error, and
//! works again once memory does.  Its own test binary: the allocator is
//! process-wide and can only be changed while no vepoll object exists
//! (`vepoll_set_allocator`: EBUSY otherwise), so nothing may run beside it.

use std::ffi::c_void;
use std::ptr;

use vepoll::{pipe, socket_pair, Clock, Epoll, EventFd, Interest, Interrupt, Source, TimerFd};
use vepoll_sys as sys;

const ENOMEM: i32 = 12;

unsafe extern "C" fn no_memory(_ctx: *mut c_void, _size: usize) -> *mut c_void {
    ptr::null_mut()
}

unsafe extern "C" fn nothing_to_free(_ctx: *mut c_void, _ptr: *mut c_void, _size: usize) {}

fn set_allocator(a: Option<&sys::vepoll_allocator>) -> i32 {
    // SAFETY: a valid allocator or NULL (malloc/free); no vepoll object
    // exists while this test runs, and the allocator functions are 'static.
    unsafe { sys::vepoll_set_allocator(a.map_or(ptr::null(), |a| a as *const _)) }
}

#[test]
fn every_constructor_returns_enomem_when_allocation_fails_and_works_after() {
    let failing = sys::vepoll_allocator {
        alloc: Some(no_memory),
        free: Some(nothing_to_free),
        ctx: ptr::null_mut(),
    };
    assert_eq!(set_allocator(Some(&failing)), 0);
    let errors = [
        ("Interrupt", Interrupt::new().err()),
        ("TimerFd realtime", TimerFd::new(Clock::Realtime).err()),
        ("TimerFd monotonic", TimerFd::new(Clock::Monotonic).err()),
        ("Epoll", Epoll::new().err()),
        ("Source", Source::new(Interest::empty()).err()),
        ("pipe", pipe().err()),
        ("EventFd", EventFd::new(0).err()),
        ("socket_pair", socket_pair().err()),
    ]
    .map(|(name, e)| (name, e.and_then(|e| e.raw_os_error())));
    assert_eq!(set_allocator(None), 0);
    for (name, errno) in errors {
        assert_eq!(errno, Some(ENOMEM), "{}", name);
    }
    // Memory again: everything is created (and dropped) as usual.
    let h = Interrupt::new().unwrap();
    let _bound = h.bind().unwrap();
    let t = TimerFd::new(Clock::Monotonic).unwrap();
    let ep = Epoll::new().unwrap();
    ep.add(&t, 1, Interest::IN, 1).unwrap();
}

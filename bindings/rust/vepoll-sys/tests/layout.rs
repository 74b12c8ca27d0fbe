//! The declarations against the C headers.
//!
//! - `layout_matches_the_c_headers`: every size, alignment and field offset
//!   of the Rust types and every constant's value equal what the C compiler
//!   computed from the headers (csrc/check.c's table, by name); every entry
//!   of that table is checked.
//! - `every_header_name_is_declared`: every `vepoll_*` / `VEPOLL_*` name of
//!   the five public headers (functions, types, tags, constants, enum
//!   values) is declared in src/lib.rs, so a name added to a header and not
//!   to the crate fails here.
//! - `wasix_event32_matches_the_abi_offsets`: the wasm32 event (C declares
//!   it only for wasm32) has the ABI's size and offsets.
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::mem::{align_of, size_of, MaybeUninit};
use std::os::raw::c_char;
use std::ptr::addr_of;

use vepoll_sys::*;

#[repr(C)]
struct Entry {
    name: *const c_char,
    value: u64,
}

#[link(name = "vepoll_sys_check", kind = "static")]
extern "C" {
    static vepoll_sys_layout: [Entry; 0];
}

/// csrc/check.c's table: name -> value.
fn c_table() -> BTreeMap<String, u64> {
    let mut map = BTreeMap::new();
    unsafe {
        let mut e = vepoll_sys_layout.as_ptr();
        while !(*e).name.is_null() {
            let name = CStr::from_ptr((*e).name).to_str().unwrap().to_string();
            assert!(map.insert(name.clone(), (*e).value).is_none(), "{} twice", name);
            e = e.add(1);
        }
    }
    map
}

/// Offset of a field, without `offset_of!` (Rust 1.77).
macro_rules! offset {
    ($t:ty, $f:ident) => {{
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        // SAFETY: addr_of! on a field of an uninitialised value reads nothing.
        (unsafe { addr_of!((*base).$f) } as *const u8 as usize) - base as *const u8 as usize
    }};
}

#[test]
fn layout_matches_the_c_headers() {
    let mut rust: Vec<(String, u64)> = Vec::new();
    macro_rules! k {
        ($($c:ident),* $(,)?) => { $( rust.push((stringify!($c).to_string(), $c as u64)); )* };
    }
    macro_rules! size {
        ($c:expr, $t:ty) => {
            rust.push((format!("size {}", $c), size_of::<$t>() as u64));
            rust.push((format!("align {}", $c), align_of::<$t>() as u64));
        };
    }
    macro_rules! off {
        ($c:expr, $t:ty, $($f:ident),*) => {
            $( rust.push((format!("offset {} {}", $c, stringify!($f)), offset!($t, $f) as u64)); )*
        };
    }
    macro_rules! signed {
        ($c:expr, $t:ty) => {
            rust.push((format!("signed {}", $c), ((0 as $t).wrapping_sub(1) < (0 as $t)) as u64));
        };
    }

    size!("int", c_int);
    size!("size_t", usize);
    size!("ssize_t", ssize_t);
    size!("void *", *mut c_void);

    k!(VEPOLL_VERSION_MAJOR, VEPOLL_VERSION_MINOR, VEPOLL_VERSION_PATCH);
    k!(VEPOLL_IN, VEPOLL_PRI, VEPOLL_OUT, VEPOLL_ERR, VEPOLL_HUP, VEPOLL_RDNORM, VEPOLL_RDBAND);
    k!(VEPOLL_WRNORM, VEPOLL_WRBAND, VEPOLL_MSG, VEPOLL_RDHUP, VEPOLL_EXCLUSIVE, VEPOLL_WAKEUP);
    k!(VEPOLL_ONESHOT, VEPOLL_ET, VEPOLL_CTL_ADD, VEPOLL_CTL_DEL, VEPOLL_CTL_MOD);
    size!("vepoll_data_t", vepoll_data_t);
    off!("vepoll_data_t", vepoll_data_t, ptr, fd, u32, u64);
    size!("struct vepoll_event", vepoll_event);
    off!("struct vepoll_event", vepoll_event, events, data);
    size!("struct vepoll_stats", vepoll_stats);
    off!(
        "struct vepoll_stats",
        vepoll_stats,
        enqueue_attempts,
        dedupe_hits,
        stale_generation_drops,
        empty_dequeues
    );
    size!("struct vepoll_allocator", vepoll_allocator);
    off!("struct vepoll_allocator", vepoll_allocator, alloc, free, ctx);

    k!(VEPOLL_NONBLOCK, VEPOLL_PIPE_BUF, VEPOLL_PIPE_READ, VEPOLL_PIPE_WRITE);
    k!(VEPOLL_EFD_SEMAPHORE, VEPOLL_EFD_MAX, VEPOLL_SHUT_RD, VEPOLL_SHUT_WR, VEPOLL_SHUT_RDWR);
    k!(VEPOLL_CLOEXEC, VEPOLL_MSG_OOB, VEPOLL_MSG_PEEK, VEPOLL_MSG_DONTWAIT, VEPOLL_MSG_WAITALL);
    k!(VEPOLL_MSG_NOSIGNAL, VEPOLL_MSG_MORE, VEPOLL_CLOCK_REALTIME, VEPOLL_CLOCK_MONOTONIC);
    k!(VEPOLL_TFD_TIMER_ABSTIME, VEPOLL_TFD_TIMER_CANCEL_ON_SET);
    size!("struct vepoll_timespec", vepoll_timespec);
    off!("struct vepoll_timespec", vepoll_timespec, tv_sec, tv_nsec);
    size!("struct vepoll_itimerspec", vepoll_itimerspec);
    off!("struct vepoll_itimerspec", vepoll_itimerspec, it_interval, it_value);

    size!("enum vepoll_wasix_abi", vepoll_wasix_abi);
    signed!("enum vepoll_wasix_abi", vepoll_wasix_abi);
    k!(VEPOLL_WASIX_32, VEPOLL_WASIX_64, VEPOLL_WASIX_LINUX32);
    size!("struct vepoll_wasix_mem", vepoll_wasix_mem);
    off!("struct vepoll_wasix_mem", vepoll_wasix_mem, base, size);
    size!("struct vepoll_wasix_fdref", vepoll_wasix_fdref);
    off!("struct vepoll_wasix_fdref", vepoll_wasix_fdref, ep, src, handle);
    size!("struct vepoll_wasix_fdtable", vepoll_wasix_fdtable);
    off!("struct vepoll_wasix_fdtable", vepoll_wasix_fdtable, lookup, release, install_epoll, ctx);
    k!(VEPOLL_WASIX_FIRST_FD, VEPOLL_WASIX_MAX_FDS);
    size!("enum vepoll_wasix_kind", vepoll_wasix_kind);
    signed!("enum vepoll_wasix_kind", vepoll_wasix_kind);
    k!(VEPOLL_WASIX_KIND_STDIO, VEPOLL_WASIX_KIND_EPOLL, VEPOLL_WASIX_KIND_PIPE_READ);
    k!(VEPOLL_WASIX_KIND_PIPE_WRITE, VEPOLL_WASIX_KIND_EVENTFD, VEPOLL_WASIX_KIND_SOCKET);
    k!(VEPOLL_WASIX_KIND_TIMERFD);
    size!("struct vepoll_wasix_fdinfo", vepoll_wasix_fdinfo);
    off!("struct vepoll_wasix_fdinfo", vepoll_wasix_fdinfo, kind, nonblock, ready, nbytes);
    off!("struct vepoll_wasix_fdinfo", vepoll_wasix_fdinfo, host_stdio);
    size!("struct vepoll_wasix_pollitem", vepoll_wasix_pollitem);
    off!("struct vepoll_wasix_pollitem", vepoll_wasix_pollitem, fd, events, revents, ok);

    k!(VEPOLL_WASI_ESUCCESS, VEPOLL_WASI_E2BIG, VEPOLL_WASI_EACCES, VEPOLL_WASI_EAGAIN);
    k!(VEPOLL_WASI_EBADF, VEPOLL_WASI_EBUSY, VEPOLL_WASI_EEXIST, VEPOLL_WASI_EFAULT);
    k!(VEPOLL_WASI_EINTR, VEPOLL_WASI_EINVAL, VEPOLL_WASI_EIO, VEPOLL_WASI_ELOOP);
    k!(VEPOLL_WASI_EMFILE, VEPOLL_WASI_ENFILE, VEPOLL_WASI_ENOENT, VEPOLL_WASI_ENOMEM);
    k!(VEPOLL_WASI_ENOSPC, VEPOLL_WASI_ENOSYS, VEPOLL_WASI_ENOTCONN, VEPOLL_WASI_ENOTSOCK);
    k!(VEPOLL_WASI_ENOTSUP, VEPOLL_WASI_EOVERFLOW, VEPOLL_WASI_EPERM, VEPOLL_WASI_EPIPE);
    k!(VEPOLL_WASI_ESPIPE, VEPOLL_WASI_ETIMEDOUT, VEPOLL_WASI_ENOTCAPABLE);
    k!(VEPOLL_WASI_ESHUTDOWN, VEPOLL_WASI_EMEMVIOLATION, VEPOLL_WASI_EUNKNOWN);
    k!(VEPOLL_WASIX_EPOLLIN, VEPOLL_WASIX_EPOLLOUT, VEPOLL_WASIX_EPOLLRDHUP);
    k!(VEPOLL_WASIX_EPOLLPRI, VEPOLL_WASIX_EPOLLERR, VEPOLL_WASIX_EPOLLHUP);
    k!(VEPOLL_WASIX_EPOLLET, VEPOLL_WASIX_EPOLLONESHOT, VEPOLL_WASIX_EPOLL_ALL);
    k!(VEPOLL_WASIX_CTL_ADD, VEPOLL_WASIX_CTL_MOD, VEPOLL_WASIX_CTL_DEL);
    k!(VEPOLL_WASIX_TIMEOUT_FOREVER);
    k!(VEPOLL_WASIX_EVENT_SIZE, VEPOLL_WASIX_EVENT_EVENTS, VEPOLL_WASIX_EVENT_DATA2);
    k!(VEPOLL_WASIX_EVENT32_PTR, VEPOLL_WASIX_EVENT32_FD, VEPOLL_WASIX_EVENT32_DATA1);
    k!(VEPOLL_WASIX_EVENT64_PTR, VEPOLL_WASIX_EVENT64_FD, VEPOLL_WASIX_EVENT64_DATA1);
    k!(VEPOLL_WASIX_LINUX_EVENT_SIZE, VEPOLL_WASIX_LINUX_EVENT_EVENTS, VEPOLL_WASIX_LINUX_EVENT_DATA);
    k!(VEPOLL_WASIX_AF_UNIX, VEPOLL_WASIX_SOCK_STREAM, VEPOLL_WASIX_EVENTFD_SEMAPHORE);
    k!(
        VEPOLL_EXT_SIGNAL_DEFAULT,
        VEPOLL_EXT_SIGNAL_IGNORE,
        VEPOLL_EXT_SIGNAL_HANDLER,
        VEPOLL_EXT_SIGNAL_RESTART
    );
    k!(VEPOLL_KFD_NOCLOSE, VEPOLL_WASIX_KIND_KFD);
    size!("socklen_t", socklen_t);
    k!(VEPOLL_WASI_EADDRINUSE);
    k!(VEPOLL_WASI_EADDRNOTAVAIL);
    k!(VEPOLL_WASI_EAFNOSUPPORT);
    k!(VEPOLL_WASI_EALREADY);
    k!(VEPOLL_WASI_ECONNABORTED);
    k!(VEPOLL_WASI_ECONNREFUSED);
    k!(VEPOLL_WASI_ECONNRESET);
    k!(VEPOLL_WASI_EDESTADDRREQ);
    k!(VEPOLL_WASI_EHOSTUNREACH);
    k!(VEPOLL_WASI_EINPROGRESS);
    k!(VEPOLL_WASI_EISCONN);
    k!(VEPOLL_WASI_EMSGSIZE);
    k!(VEPOLL_WASI_ENETDOWN);
    k!(VEPOLL_WASI_ENETRESET);
    k!(VEPOLL_WASI_ENETUNREACH);
    k!(VEPOLL_WASI_ENOBUFS);
    k!(VEPOLL_WASI_ENOPROTOOPT);
    k!(VEPOLL_WASI_EPROTONOSUPPORT);
    k!(VEPOLL_WASI_EPROTOTYPE);

    let mut c = c_table();
    let mut bad = Vec::new();
    for (name, value) in &rust {
        match c.remove(name) {
            Some(v) if v == *value => {}
            Some(v) => bad.push(format!("{}: Rust {} != C {}", name, value, v)),
            None => bad.push(format!("{}: not in csrc/check.c", name)),
        }
    }
    for name in c.keys() {
        bad.push(format!("{}: in csrc/check.c but not checked here", name));
    }
    assert!(bad.is_empty(), "layout mismatches:\n  {}", bad.join("\n  "));
    assert!(rust.len() > 150, "{} checks", rust.len());
}

#[test]
fn wasix_event32_matches_the_abi_offsets() {
    assert_eq!(size_of::<vepoll_wasix_event32>() as u32, VEPOLL_WASIX_EVENT_SIZE);
    assert_eq!(align_of::<vepoll_wasix_event32>(), 8);
    assert_eq!(offset!(vepoll_wasix_event32, events) as u32, VEPOLL_WASIX_EVENT_EVENTS);
    assert_eq!(offset!(vepoll_wasix_event32, ptr) as u32, VEPOLL_WASIX_EVENT32_PTR);
    assert_eq!(offset!(vepoll_wasix_event32, fd) as u32, VEPOLL_WASIX_EVENT32_FD);
    assert_eq!(offset!(vepoll_wasix_event32, data1) as u32, VEPOLL_WASIX_EVENT32_DATA1);
    assert_eq!(offset!(vepoll_wasix_event32, data2) as u32, VEPOLL_WASIX_EVENT_DATA2);
}

/// The C text without comments.
fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.map_or(true, |l| b < l) => {
                out.push_str(&rest[..b]);
                rest = match rest[b + 2..].find("*/") {
                    Some(e) => &rest[b + 2 + e + 2..],
                    None => "",
                };
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = match rest[l..].find('\n') {
                    Some(e) => &rest[l + e..],
                    None => "",
                };
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

fn identifiers(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

#[test]
fn every_header_name_is_declared() {
    let dir = std::path::Path::new(env!("VEPOLL_SYS_INCLUDE_DIR"));
    let ours = strip_comments(include_str!("../src/lib.rs"));
    let declared: std::collections::BTreeSet<&str> = {
        let words: Vec<&str> = identifiers(&ours).collect();
        let items = words
            .windows(2)
            .filter(|w| ["fn", "const", "struct", "union", "type"].contains(&w[0]))
            .map(|w| w[1]);
        // C parameter names (vepoll_events, vepoll_op) are Rust's too.
        let params = ours.split(':').filter_map(|s| identifiers(s).last());
        items.chain(params).collect()
    };
    let mut missing = Vec::new();
    let mut seen = 0;
    for header in
        ["vepoll.h", "vepoll_objects.h", "vepoll_kfd.h", "vepoll_wasix.h", "vepoll_wasix_abi.h"]
    {
        let text = std::fs::read_to_string(dir.join(header)).unwrap();
        // Names after #include are file names, not declarations.
        let text: String = strip_comments(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("#include"))
            .collect::<Vec<_>>()
            .join("\n");
        let guard = header.trim_end_matches(".h").to_uppercase() + "_H";
        for name in identifiers(&text) {
            let lower = name.to_lowercase();
            if !(lower.starts_with("vepoll_") || name == "vepoll") || name == guard {
                continue;
            }
            seen += 1;
            // A struct tag is declared through its typedef (`struct vepoll`
            // is vepoll_t) or under its own name.
            let typedef = format!("{}_t", name);
            if !declared.contains(name) && !declared.contains(typedef.as_str()) {
                missing.push(format!("{} ({})", name, header));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(seen > 200, "only {} names found in {}", seen, dir.display());
    assert!(missing.is_empty(), "not declared in vepoll-sys:\n  {}", missing.join("\n  "));
}

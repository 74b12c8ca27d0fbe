#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the "wasix" fuzz target
(tests/fuzz/corpus/wasix/seed-*).  The encoding is fuzz_wasix.c's decoder:
byte 0 picks the guest memory size, byte 1 fills it, then one byte per call
(low nibble = call) followed by its arguments.  Run from anywhere:
    python3 tests/fuzz/make_seeds_wasix.py
"""
import os

OUTDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "wasix")

CREATE, CTL, WAIT, PIPE, EVENT, SOCKPAIR, SHUTDOWN = 0, 1, 3, 5, 6, 7, 8
WRITE, READ, CLOSE, POLL, HCREATE, POKE, ARM = 9, 10, 11, 12, 13, 14, 15


def off(o):
    """gptr selector 3: an 8-aligned in-range offset (memory of 4096)."""
    return bytes([3]) + o.to_bytes(2, "little")


def fd(n):
    """gfd selector 3: the literal fd n (0..31)."""
    return bytes([3 | (n << 3)])


def abi(a):
    return bytes([1 if a == 64 else 0])


def ctl(a, epfd, op, f, ev_off, events):
    # op byte: bits 0-2 op, bit 4 compose an event at the pointer first.
    return (bytes([CTL]) + abi(a) + fd(epfd) + fd(f) + bytes([op | 16]) +
            off(ev_off) + bytes([events, 0]))


def wait(a, epfd, ev_off, maxev_sel, ret_off):
    return bytes([WAIT]) + abi(a) + fd(epfd) + off(ev_off) + bytes([maxev_sel]) + off(ret_off)


def write(f, data):
    return bytes([WRITE]) + fd(f) + bytes([len(data)]) + data


SEEDS = {
    # epoll 3, eventfd 4, ADD, write, wait: one event (wasm32), then DEL.
    "seed-eventfd-ready": bytes([0, 0]) + bytes([CREATE]) + off(0) +
        bytes([EVENT, 0]) + off(8) + ctl(32, 3, 0, 4, 64, 0x01) +
        write(4, (1).to_bytes(8, "little")) + wait(32, 3, 128, 3, 1024) +
        ctl(32, 3, 2, 4, 64, 0) + wait(32, 3, 128, 3, 1024),
    # wasm64: pipe 4/5 in epoll 3, write, wait, shutdown-free close.
    "seed-pipe-wasm64": bytes([0, 0x11]) + bytes([CREATE]) + off(0) +
        bytes([PIPE]) + off(8) + off(16) + ctl(64, 3, 0, 4, 64, 0x45) +
        write(5, b"hello") + wait(64, 3, 256, 3, 4000) +
        bytes([READ]) + fd(4) + bytes([3]) + wait(64, 3, 256, 3, 4000) +
        bytes([CLOSE]) + fd(5) + wait(64, 3, 256, 3, 4000),
    # socket pair 4/5, both ends watched, shutdown WR on one end.
    "seed-sockpair-shutdown": bytes([0, 0]) + bytes([CREATE]) + off(0) +
        bytes([SOCKPAIR, 0]) + off(8) + off(16) + ctl(32, 3, 0, 4, 64, 0x27) +
        ctl(32, 3, 0, 5, 96, 0x03) + bytes([SHUTDOWN]) + fd(5) + bytes([2]) +
        wait(32, 3, 256, 15, 4000) + bytes([SHUTDOWN]) + fd(4) + bytes([3]) +
        wait(32, 3, 256, 15, 4000),
    # Nested instances: 4 inside 3, an eventfd in 4, and the ELOOP attempt.
    "seed-nested": bytes([0, 0]) + bytes([CREATE]) + off(0) + bytes([CREATE]) + off(4) +
        bytes([EVENT, 0]) + off(8) + ctl(32, 3, 0, 4, 64, 0x01) +
        ctl(32, 4, 0, 5, 96, 0x81) + ctl(32, 4, 0, 3, 128, 0x01) +
        wait(32, 3, 256, 3, 1024) + wait(32, 4, 256, 3, 1024) + ctl(32, 4, 1, 5, 96, 0x01),
    # Pointers at and past the end of a small memory, huge maxevents.
    "seed-bounds": bytes([3, 0x5a]) + bytes([CREATE, 4 | 0x00]) + bytes([CREATE, 7]) +
        bytes([EVENT, 0, 5]) + bytes([WAIT, 0, 3 | (3 << 3), 0, 11, 5]) +
        bytes([WAIT, 1, 3 | (3 << 3), 0, 13, 6]) + bytes([PIPE, 8, 4 | 0x10]),
    # Allocation failures armed before creates and an ADD.
    "seed-alloc-fail": bytes([0, 0]) + bytes([ARM, 1]) + bytes([CREATE]) + off(0) +
        bytes([CREATE]) + off(0) + bytes([ARM, 0]) + bytes([PIPE]) + off(8) + off(12) +
        bytes([EVENT, 0]) + off(8) + bytes([ARM, 1]) + ctl(32, 3, 0, 4, 64, 0x01) +
        ctl(32, 3, 0, 4, 64, 0x01) + bytes([POLL, 2]) + fd(3) + bytes([1]) + fd(4) + bytes([1]),
}

os.makedirs(OUTDIR, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUTDIR, name), "wb") as f:
        f.write(data)
print(f"{len(SEEDS)} seeds in {OUTDIR}")

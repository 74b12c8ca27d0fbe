#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the "ops" fuzz target
(tests/fuzz/corpus/ops/seed-*).  The encoding is fuzz_ops.c's decoder; each
seed is one named scenario of docs/SEMANTICS.md, so the fuzzer starts from
inputs that reach every part of the semantics.  Run from anywhere:
    python3 tests/fuzz/make_seeds.py
"""
import os

OUTDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ops")

BITS = ["IN", "PRI", "OUT", "ERR", "HUP", "RDNORM", "RDBAND", "WRNORM",
        "WRBAND", "MSG", "RDHUP", "EXCL", "WAKEUP", "ONESHOT", "ET", "UNKNOWN"]
# fuzz_ops.c tables
CTL_OPS = {"ADD": 0, "MOD": 2, "DEL": 3, "OP0": 5, "OP4": 6, "OPM1": 7}
FDS = [0, 1, 2, 3, -1, 2**31 - 1, -2**31, 7]
MAXEV = {1: 0, 2: 1, 3: 2, 4: 3, 8: 4, 64: 5, 0: 6, -1: 7, "INT_MIN": 8,
         "BIG": 9, "BIG+1": 10, "INT_MAX": 11, 5: 12, 160: 15}
NI, NS = 7, 6


def mask(*names):
    sel = 0
    for n in names:
        sel |= 1 << BITS.index(n)
    assert sel & 0xff != 0xff
    return bytes([sel & 0xff, sel >> 8])


def raw(v):
    return bytes([0xff]) + v.to_bytes(4, "big")


def src(ref):
    """'S3' plain source, 'E2' instance seen as a source, None for NULL."""
    if ref is None:
        return NS + NI
    if ref[0] == "S":
        return int(ref[1:])
    return NS + int(ref[1:])


def inst(i):
    return NI if i is None else i


class Seq:
    def __init__(self):
        self.b = bytearray()

    def create(self, i):
        self.b += bytes([0, inst(i)])
        return self

    def close(self, i):
        self.b += bytes([2, inst(i)])
        return self

    def screate(self, i, m=mask()):
        self.b += bytes([3, NS if i is None else i]) + m
        return self

    def sclose(self, ref):
        self.b += bytes([5, src(ref)])
        return self

    def ctl(self, i, op, fd, ref, m=mask("IN"), cookie=1, null_ev=False):
        b = CTL_OPS[op] | FDS.index(fd) << 3 | (0xc0 if null_ev else 0)
        self.b += bytes([6, inst(i), b, src(ref)]) + m + bytes([cookie])
        return self

    def add(self, i, ref, m, cookie, fd=0):
        return self.ctl(i, "ADD", fd, ref, m, cookie)

    def mod(self, i, ref, m, cookie, fd=0):
        return self.ctl(i, "MOD", fd, ref, m, cookie)

    def dele(self, i, ref, fd=0):
        return self.ctl(i, "DEL", fd, ref)

    def upd(self, ref, set_=mask(), clear=mask()):
        self.b += bytes([14, src(ref)]) + set_ + clear
        return self

    def wait(self, i, maxev=8, timeout="0", null_buf=False):
        t = {"0": 0, "1ns": 2, "inf": 3}[timeout]
        b = MAXEV[maxev] | (0x30 if null_buf else 0) | t << 6
        self.b += bytes([20, inst(i), b])
        return self

    def intr(self, i):
        self.b += bytes([26, inst(i)])
        return self

    def ready(self, ref):
        self.b += bytes([27, src(ref)])
        return self

    def wakeup(self, i, on):
        self.b += bytes([28, inst(i) | (0x80 if on else 0)])
        return self

    def maxw(self, n):
        self.b += bytes([29, n])
        return self

    def misc(self, b):
        self.b += bytes([30, b])
        return self

    def failalloc(self, k):  # k = 1..3, or 0 for "every allocation"
        self.b += bytes([31, 3 if k == 0 else k - 1])
        return self


IN, OUT, HUP, ERR = mask("IN"), mask("OUT"), mask("HUP"), mask("ERR")
seeds = {}

# S023/S024 level-triggered basics (E0, S0, S1 exist at start)
seeds["lt-basic"] = (Seq().add(0, "S0", IN, 7).wait(0).upd("S0", IN).wait(0)
                     .wait(0).upd("S0", clear=IN).wait(0).upd("S0", IN)
                     .upd("S0", clear=IN).wait(0))
# S036-S041 edge-triggered: every write re-arms, vanished readiness dropped
seeds["et-basic"] = (Seq().add(0, "S0", mask("IN", "ET"), 1).upd("S0", IN)
                     .upd("S0", IN).wait(0).wait(0).upd("S0", IN).wait(0)
                     .upd("S0", OUT).wait(0).upd("S0", IN, IN).upd("S0", clear=IN)
                     .wait(0))
# S052-S055 one-shot, HUP suppressed while disarmed, MOD re-arms
seeds["oneshot"] = (Seq().add(0, "S0", mask("IN", "ONESHOT"), 3).upd("S0", IN)
                    .wait(0).upd("S0", IN).wait(0).upd("S0", HUP).wait(0)
                    .add(0, "S0", IN, 4).mod(0, "S0", mask("ONESHOT"), 5)
                    .wait(0).wait(0).mod(0, "S0", mask(), 6).wait(0).wait(0))
# S077-S079 FIFO order and LT rotation with partial harvests
s = Seq().screate(2).screate(3).screate(4)
for k in range(5):
    s.add(0, "S%d" % k, IN, 10 + k)
for k in (3, 0, 4, 1):
    s.upd("S%d" % k, IN)
s.wait(0).wait(0, 1).wait(0, 1).wait(0, 1).wait(0, 3).upd("S3", IN).wait(0)
seeds["fifo-rotation"] = s
# S080 ready at ADD, ADD order
s = Seq().screate(2, IN).screate(3, IN).upd("S0", IN).upd("S1", IN)
for k in (3, 2, 1, 0):
    s.add(0, "S%d" % k, IN, k)
seeds["add-order"] = s.wait(0, 2).wait(0)
# S047/S057 maxevents smaller than the ready set, ET and ONESHOT
s = Seq().screate(2).screate(3)
for k in range(4):
    s.add(0, "S%d" % k, mask("IN", "ET") if k % 2 else mask("IN", "ONESHOT"), k)
    s.upd("S%d" % k, IN)
seeds["maxevents-partial"] = s.wait(0, 1).wait(0, 1).wait(0, 3).wait(0, 3)
# S062/S063 MOD of a queued entry: keeps place, new mask and cookie
seeds["mod-queued"] = (Seq().screate(2).add(0, "S0", IN, 1).add(0, "S1", IN, 2)
                       .add(0, "S2", IN, 3).upd("S0", IN).upd("S1", IN).upd("S2", IN)
                       .mod(0, "S0", mask("IN", "OUT"), 11).mod(0, "S1", OUT, 12)
                       .wait(0).wait(0))
# S065/S150 DEL of queued entries, re-ADD evaluates afresh
seeds["del-queued"] = (Seq().add(0, "S0", mask("IN", "ET"), 1).upd("S0", IN)
                       .dele(0, "S0").wait(0).add(0, "S0", mask("IN", "ET"), 2)
                       .wait(0).wait(0).dele(0, "S0").dele(0, "S0"))
# S073 one source under two fds (dup), different masks
seeds["dup-fds"] = (Seq().add(0, "S0", IN, 100, fd=0).add(0, "S0", OUT, 200, fd=7)
                    .add(0, "S0", IN, 5, fd=-1).upd("S0", mask("IN", "OUT"))
                    .wait(0).dele(0, "S0", fd=7).wait(0))
# S147 source close with a queued event; the slot is reused
seeds["source-close"] = (Seq().add(0, "S0", IN, 1).upd("S0", IN).create(1)
                         .add(1, "S0", IN, 2).sclose("S0").wait(0).wait(1)
                         .screate(0, IN).add(0, "S0", IN, 3).wait(0))
# S116-S121 nesting: propagation, outer mask needs IN, LT/ET matrix
seeds["nest-basic"] = (Seq().create(1).add(1, "S0", IN, 1).add(0, "E1", IN, 2)
                       .upd("S0", IN).wait(0).wait(0).wait(1).ready("E1")
                       .upd("S0", clear=IN).ready("E1").wait(0))
seeds["nest-et-lt"] = (Seq().create(1).add(1, "S0", mask("IN", "ET"), 1)
                       .add(0, "E1", IN, 2).upd("S0", IN).wait(0).wait(0).wait(1)
                       .wait(0).wait(1).upd("S0", IN).wait(0))
seeds["nest-et-et"] = (Seq().create(1).add(1, "S0", IN, 1)
                       .add(0, "E1", mask("IN", "ET"), 2).upd("S0", IN).wait(0)
                       .wait(0).upd("S0", IN).wait(0).wait(1).wait(0))
seeds["nest-outmask"] = (Seq().create(1).add(1, "S0", OUT, 1).add(0, "E1", OUT, 2)
                         .upd("S0", OUT).wait(0).mod(0, "E1", mask("IN", "OUT"), 3)
                         .wait(0).ready("E1").ready("E0"))
# S118 depth: a path of 6 instances is refused
s = Seq()
for k in range(1, 6):
    s.create(k)
s.add(5, "S0", IN, 9)
for k in range(5, 0, -1):
    s.add(k - 1, "E%d" % k, IN, k)
s.create(6).add(6, "E0", IN, 6).add(4, "S1", IN, 8).upd("S0", IN).upd("S1", IN)
for k in range(6):
    s.wait(k)
seeds["nest-depth"] = s
# S119 cycles and diamonds
seeds["nest-cycle"] = (Seq().create(1).create(2).add(0, "E1", IN, 1)
                       .add(1, "E0", IN, 2).add(1, "E2", IN, 3).add(2, "E0", IN, 4)
                       .add(0, "E2", IN, 5).add(0, "E1", IN, 6).add(0, "E1", IN, 7, fd=3)
                       .add(2, "S0", IN, 8).upd("S0", IN).wait(0).wait(0))
# S127 closing a nested instance removes it from its outers
seeds["nest-close"] = (Seq().create(1).create(2).add(1, "S0", IN, 1)
                       .add(0, "E1", IN, 2).add(2, "E1", IN, 3).upd("S0", IN)
                       .close(1).wait(0).wait(2).ready("E0").create(1)
                       .add(0, "E1", IN, 4).wait(0))
# the ctl error order of docs/API.md
seeds["ctl-errors"] = (Seq().ctl(0, "ADD", 0, "S0", null_ev=True)
                       .ctl(None, "ADD", 0, "S0", null_ev=True)
                       .ctl(None, "ADD", 0, "S0").ctl(0, "ADD", 0, None)
                       .ctl(0, "ADD", 0, "E0").ctl(0, "DEL", 0, "E0", null_ev=True)
                       .ctl(0, "OP0", 0, "S0").ctl(0, "OP4", 0, "S0", null_ev=True)
                       .ctl(0, "OPM1", 1, "S0").ctl(0, "MOD", 0, "S0")
                       .ctl(0, "DEL", 0, "S0", null_ev=True).add(0, "S0", IN, 1)
                       .add(0, "S0", IN, 2).ctl(0, "DEL", 0, "S0", null_ev=True))
# S018/S131 EXCLUSIVE argument rules, and exclusive entries recording events
seeds["exclusive"] = (Seq().create(1).add(0, "S0", mask("IN", "EXCL"), 1)
                      .mod(0, "S0", IN, 2).mod(0, "S0", mask("IN", "EXCL"), 3)
                      .add(0, "S1", mask("IN", "EXCL", "ONESHOT"), 4)
                      .add(0, "S1", mask("IN", "EXCL", "RDHUP"), 5)
                      .add(0, "S1", mask("IN", "OUT", "ERR", "HUP", "ET", "EXCL", "WAKEUP"), 6)
                      .add(0, "E1", mask("IN", "EXCL"), 7).add(1, "S0", mask("IN", "EXCL"), 8)
                      .add(1, "S0", IN, 9, fd=1).upd("S0", IN).wait(0).wait(1))
# S019 wait argument errors and huge maxevents
seeds["wait-errors"] = (Seq().wait(0, 0).wait(0, -1).wait(0, "INT_MIN")
                        .wait(0, "BIG").wait(0, "BIG+1").wait(0, "INT_MAX")
                        .wait(0, 8, null_buf=True).wait(None, 8).wait(None, 0)
                        .add(0, "S0", IN, 1).upd("S0", IN).wait(0, "BIG"))
# vepoll_interrupt: pending flag, consumed only by a wait that would block
seeds["interrupt"] = (Seq().intr(0).wait(0).wait(0, 8, "1ns").wait(0, 8, "1ns")
                      .intr(0).intr(0).add(0, "S0", IN, 1).upd("S0", IN)
                      .wait(0, 8, "inf").upd("S0", clear=IN).wait(0, 8, "inf")
                      .wait(0, 8, "1ns").intr(None))
# wake-up callback counts: one per entry newly queued
seeds["wakeup-cb"] = (Seq().wakeup(0, True).add(0, "S0", IN, 1).upd("S0", IN)
                      .upd("S0", IN).wait(0).wait(0).upd("S0", IN).create(1)
                      .wakeup(1, True).add(1, "E0", IN, 2).upd("S0", IN)
                      .mod(0, "S0", IN, 3).wakeup(0, False).upd("S0", IN).wakeup(None, True))
# watch limit: -ENOSPC, recovery after DEL, lowering below the count
seeds["max-watches"] = (Seq().maxw(2).add(0, "S0", IN, 1).add(0, "S1", IN, 2)
                        .add(0, "S0", IN, 3, fd=1).dele(0, "S1").add(0, "S0", IN, 4, fd=1)
                        .maxw(1).add(0, "S1", IN, 5).maxw(0).add(0, "S1", IN, 6))
# allocation failures: create, source create, ADD (table growth), nest link
s = Seq().failalloc(1).create(1).failalloc(0).screate(2).failalloc(1).add(0, "S0", IN, 1)
for k in range(8):
    s.failalloc(2).add(0, "S1", IN, k, fd=FDS[k])
    s.add(0, "S1", IN, k, fd=FDS[k])
s.create(1).failalloc(2).add(0, "E1", IN, 9).failalloc(3).add(0, "E1", IN, 9)
s.add(0, "E1", IN, 9).add(1, "S0", IN, 10).upd("S0", IN).wait(0).wait(1)
seeds["alloc-fail"] = s
# misc: stats, spin, as_source, NULL sources everywhere
seeds["misc"] = (Seq().misc(0).misc(7).misc(8).misc(16).misc(48).misc(80)
                 .misc(24).misc(31).upd(None, IN).sclose(None).ready(None)
                 .upd("E0", IN).sclose("E0").ready("E0").screate(None)
                 .create(None).close(None))
# raw masks: unknown bits accepted and never reported
seeds["raw-masks"] = (Seq().add(0, "S0", raw(0xffffffff & ~(1 << 28)), 1)
                      .upd("S0", raw(0x00107800)).wait(0).upd("S0", raw(0x3fff))
                      .wait(0).screate(2, raw(0xffffffff)).add(0, "S2", raw(0x1800), 2)
                      .wait(0).ready("S2"))
# S105-like MOD re-arm loop of an ET entry
s = Seq().add(0, "S0", mask("IN", "ERR", "ET"), 1).upd("S0", IN)
for k in range(6):
    s.wait(0).mod(0, "S0", mask("IN", "ERR", "ET"), k)
seeds["et-mod-rearm"] = s
# S149 one source in two instances with different modes
seeds["two-instances"] = (Seq().create(1).add(0, "S0", mask("IN", "ET"), 1)
                          .add(1, "S0", IN, 2).upd("S0", IN).wait(0).wait(1).wait(0)
                          .wait(1).dele(1, "S0").upd("S0", IN).wait(0).wait(1)
                          .add(1, "S0", mask("IN", "ONESHOT"), 3).wait(1).wait(1)
                          .sclose("S0").wait(0).wait(1))
# S083-S089 HUP / ERR reported without being asked for
seeds["hup-err"] = (Seq().add(0, "S0", mask(), 1).add(0, "S1", OUT, 2)
                    .upd("S0", HUP).upd("S1", ERR).wait(0).wait(0)
                    .mod(0, "S0", mask("ET"), 3).wait(0).wait(0))
# closing instances with registrations and nested links, then reuse
seeds["close-reuse"] = (Seq().create(1).add(1, "S0", IN, 1).add(0, "E1", IN, 2)
                        .add(1, "E0", IN, 3).close(0).create(0).add(1, "E0", IN, 4)
                        .add(0, "S0", IN, 5).upd("S0", IN).wait(1).close(1).wait(0))

os.makedirs(OUTDIR, exist_ok=True)
for name, seq in seeds.items():
    with open(os.path.join(OUTDIR, "seed-" + name), "wb") as f:
        f.write(bytes(seq.b))
print("%d seeds in %s" % (len(seeds), OUTDIR))

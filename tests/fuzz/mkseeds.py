#!/usr/bin/env python3
"""mkseeds.py — write the seed corpora of tests/fuzz/<target>/seed-*.

Run from anywhere: python3 tests/fuzz/mkseeds.py.  Seeds are small valid
(and nearly valid) inputs, so the fuzzer starts inside each parser rather
than at its first check; they are committed, like every crash input
(crash-*), and replayed by `make check`.  Rewriting them is harmless: the
names come from the content.
"""
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = b"\n\x01\n"


def put(target, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def wire_msg(mode, msg_type, content, ids=(b"id1",), buffers=(), parent=b"{}", header=None):
    hdr = header if header is not None else json.dumps({
        "msg_id": "m1", "msg_type": msg_type, "session": "s", "username": "u",
        "date": "2024-01-01T00:00:00Z", "version": "5.3"}).encode()
    frames = list(ids) + [b"<IDS|MSG>", b"sig", hdr, parent, b"{}", json.dumps(content).encode()] + list(buffers)
    return bytes([mode]) + SEP.join(frames)


def wire():
    # mode bit 2: the target signs the frames (so JSON is reached); bits 0-1: scheme
    for mode in (4, 5, 6, 7):
        put("wire", wire_msg(mode, "execute_request", {"code": "int x = 1;", "silent": False}))
    put("wire", wire_msg(4, "kernel_info_request", {}, ids=()))
    put("wire", wire_msg(4, "comm_msg", {"data": {}}, buffers=(b"\x00\xff", b"")))
    put("wire", wire_msg(4, "x", {}, header=b'{"msg_type": 3}'))
    put("wire", wire_msg(4, "x", {}, header=b'{"msg_type": "a\\u0000b"}'))
    put("wire", wire_msg(4, "x", {}, parent=b"[]"))
    put("wire", wire_msg(0, "execute_request", {"code": ""}))
    # a signature the target does not fix up
    key = b"fuzz-key"
    parts = [b'{"msg_type":"kernel_info_request","msg_id":"a"}', b"{}", b"{}", b"{}"]
    sig = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
    put("wire", bytes([0]) + SEP.join([b"<IDS|MSG>", sig] + parts))
    put("wire", bytes([0]) + SEP.join([b"<IDS|MSG>", sig.upper()] + parts))


def connfile():
    base = {"transport": "tcp", "ip": "127.0.0.1", "shell_port": 5001, "iopub_port": 5002,
            "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
            "key": "a0b1c2d3-e4f5", "signature_scheme": "hmac-sha256", "kernel_name": "chalk"}
    put("connfile", json.dumps(base).encode())
    for change in ({"transport": "ipc", "ip": "/tmp/kernel"}, {"signature_scheme": "hmac-sha512"},
                   {"signature_scheme": "hmac-sha3_256"}, {"signature_scheme": "hmac-nosuch"},
                   {"key": ""}, {"key": "a\u0000b"}, {"shell_port": 70000}, {"hb_port": -1},
                   {"ip": "x" * 300}, {"transport": "udp"}, {"key": 5}):
        d = dict(base)
        d.update(change)
        put("connfile", json.dumps(d).encode())
    put("connfile", b"[1, 2]")
    put("connfile", b'{"shell_port": 1')


CELLS = [
    "int x = 1;\nprintf(\"%d\\n\", x);",
    "#include <stdio.h>\n#define SQ(a) ((a)*(a))\nstatic int f(int a) { return SQ(a); }\nf(3)",
    "struct P { double x, y; } p = {1, 2}, *pp = &p;\ntypedef struct P P;\nP q;",
    "enum E { A, B = 3 };\nunion U { int i; float f; } u;\nconst char *s = \"a\\\"b\", c = 'x';",
    "for (int i = 0; i < 3; i++) {\n  if (i) continue;\n}\nlabel: ;\n",
    "%timeit x++\n%%cflags -O2\nint y;",
    "/* open comment\nint z = (1 +",
    "int a[] = {1, 2, 3}; size_t n = sizeof a / sizeof a[0];\nT t; gsl_vector *v = 0;",
    "int (*fp)(int, int) = 0; extern int ext; void g(void);\nint g2(int a, ...);",
    "x = 3 \\\n",
    ")}]",
    "double complex_fn(double (*f)(double), double a) { return f(a); }\ncomplex_fn(sin, 1.0)",
]


def cellsrc():
    for c in CELLS:
        put("cellsrc", c.encode())


MAGICS = [
    "%timeit x++;",
    "%%timeit\nfor (int i = 0; i < 10; i++) ;\n",
    "%cflags -O2 -DX=1\nint y;",
    "%cflags gsl\n",
    "%ldflags -lm -L/tmp\n",
    "%limits cpu=10 memory=1G procs=8 fsize=1M output=64k\n",
    "%limits memory=unlimited\n",
    "%limits bogus=1\n",
    "%who\n%reset\n",
    "%prelude off\n%prelude on\n",
    "%help\n",
    "%nosuch\n",
    "exit\n",
    "  \n%cflags\n%ldflags\nint z = 1;\n",
]


def magics():
    for m in MAGICS:
        put("magics", m.encode())


def libchalk():
    # step = op byte, then 64 doubles' worth of table bytes, then arguments
    for op in range(24):
        for arg in (0, 3, 10, 11, 12):
            put("libchalk", bytes([op]) + bytes([7] * 64) + bytes([arg, 2, 3, 1, 0, 5, 9, 1] * 4))
    put("libchalk", bytes([1]) + bytes([0] * 64) + bytes([12, 12, 0]))  # 2^32 x 2^32, n = 0
    # op 24: plot labels, a length byte then the label
    for lab in (r"Loss of $\theta_t$", r"$\|A - A_k\|_2$", r"$x_t^2 \le \sum_{i=1}^{n} e^{-x/6}$",
                r"cost \$5, $\unknown{x}$", r"$\frac{1}{T}\mathbb{E}\sqrt{x}$", "$", "${^_",
                "$" + "{" * 40 + "$", r"$\mathrm{err} \left(x\right)$ <&>"):
        b = lab.encode()
        put("libchalk", bytes([24]) + bytes([7] * 64) + bytes([len(b)]) + b)


if __name__ == "__main__":
    wire()
    connfile()
    cellsrc()
    magics()
    libchalk()

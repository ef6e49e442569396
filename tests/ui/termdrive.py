"""termdrive.py — drive a full-screen terminal program (jupyter console) through a pty.

The console draws with prompt_toolkit: colour codes, cursor moves and redraws
are interleaved with the text a user reads.  `Term.expect` matches a regular
expression against the output with escape sequences removed, so a test can
wait for "In [2]:" or "42" without knowing how the screen was painted.

Beware:
- the console asks the terminal for the cursor position (ESC[6n) and waits for
  an answer; `Term` answers every request, as a real terminal would;
- text the user types is echoed (and redrawn as they type), so after sending
  input, expect something only the *program* prints (the next prompt,
  Out[n]), never the typed text itself;
- timeouts only guard against hangs; they are not performance assertions.
"""
import re
import time

import pexpect

# CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), two-byte ESC sequences, and
# the stray carriage returns / bells of redraws.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78NMDEc]|[\x07\r]")


def strip_ansi(s):
    return _ANSI.sub("", s)


class Term:
    def __init__(self, argv, env=None, cwd=None, rows=40, cols=120):
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=cwd,
                                   encoding="utf-8", codec_errors="replace",
                                   dimensions=(rows, cols))
        self.raw = ""      # everything read so far, escapes included
        self.pos = 0       # expect() matches the stripped text after this offset
        self.text = ""     # stripped text read so far

    def _pump(self, wait):
        try:
            chunk = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return
        if "\x1b[6n" in chunk:
            self.child.send("\x1b[1;1R")   # cursor position report
        self.raw += chunk
        self.text = strip_ansi(self.raw)

    def expect(self, pattern, timeout=120):
        """Wait for `pattern` in the stripped output after the last match; return the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if not self.child.isalive() and not self._drain():
                raise AssertionError("program exited before %r appeared; output:\n%s"
                                     % (pattern, self.text[-3000:]))
            if time.monotonic() > deadline:
                raise AssertionError("%r did not appear within %ss; output since last match:\n%s"
                                     % (pattern, timeout, self.text[self.pos:][-3000:]))
            try:
                self._pump(0.2)
            except pexpect.EOF:
                pass

    def _drain(self):
        before = len(self.raw)
        try:
            self._pump(0.1)
        except pexpect.EOF:
            pass
        return len(self.raw) != before

    def since(self, start):
        return self.text[start:]

    def send(self, s):
        self.child.send(s)

    def sendline(self, line):
        # Enter in a terminal is CR; prompt_toolkit accepts the line on it.
        self.child.send(line + "\r")

    def wait_exit(self, timeout=120):
        deadline = time.monotonic() + timeout
        while self.child.isalive():
            if time.monotonic() > deadline:
                raise AssertionError("program did not exit; output:\n%s" % self.text[-3000:])
            try:
                self._pump(0.2)
            except pexpect.EOF:
                break
        self.child.close()
        return self.child.exitstatus

    def kill(self):
        if self.child.isalive():
            self.child.terminate(force=True)

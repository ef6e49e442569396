#!/usr/bin/env python3
"""pytest-driver.py — automake custom test driver for pytest files in TESTS.

Automake's parallel harness calls a driver with `--test-name --log-file
--trs-file ... -- COMMAND` (COMMAND is `$(PYTHON) -m pytest [flags] file.py`).
This one runs COMMAND with `--junitxml`, then writes one `:test-result:` line
per pytest test into the .trs file, so `make check`'s totals and .ci/run's
final line count each pytest test, not each file.

Beware:
- a file whose collection fails, or a pytest that dies without writing its
  XML, must still count as a failure: it becomes one ERROR result;
- a non-zero pytest exit with no failing test in the XML (e.g. an internal
  error) is also reported as an ERROR, never silently as all-passed;
- "no tests collected" (exit 5 and no test in the XML) is an ERROR: a
  listed file that tests nothing is a mistake; a module-level skip (exit 5,
  one skipped entry) is a SKIP;
- the junit XML is written next to the .trs (build tree), never in srcdir.
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

COLORS = {"PASS": "\033[0;32m", "FAIL": "\033[0;31m", "XPASS": "\033[0;31m",
          "XFAIL": "\033[1;32m", "SKIP": "\033[1;34m", "ERROR": "\033[0;35m"}
RESET = "\033[m"


def parse_args(argv):
    opts = {"test-name": None, "log-file": None, "trs-file": None,
            "color-tests": "no", "expect-failure": "no",
            "enable-hard-errors": "yes", "collect-skipped-logs": "yes"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return opts, argv[i + 1:]
        if a.startswith("--") and a[2:] in opts and i + 1 < len(argv):
            opts[a[2:]] = argv[i + 1]
            i += 2
            continue
        sys.stderr.write("pytest-driver: unknown option %r\n" % a)
        sys.exit(2)
    sys.stderr.write("pytest-driver: missing '-- COMMAND'\n")
    sys.exit(2)


def results_from_xml(path):
    """[(result, name, detail)] from pytest's junit XML; None if unreadable."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    out = []
    for case in root.iter("testcase"):
        cls = case.get("classname", "")
        name = case.get("name", "?")
        full = "%s::%s" % (cls, name) if cls else name
        res, detail = "PASS", ""
        for child in case:
            tag = child.tag
            msg = (child.get("message") or "").splitlines()
            msg = msg[0][:200] if msg else ""
            if tag == "failure":
                res, detail = "FAIL", msg
                break
            if tag == "error":
                res, detail = "ERROR", msg
                break
            if tag == "skipped":
                if (child.get("type") or "") == "pytest.xfail":
                    res, detail = "XFAIL", msg
                else:
                    res, detail = "SKIP", msg
                break
        out.append((res, full, detail))
    return out


def main():
    opts, cmd = parse_args(sys.argv[1:])
    log, trs = opts["log-file"], opts["trs-file"]
    name = opts["test-name"] or (cmd[-1] if cmd else "?")
    if not (log and trs and cmd):
        sys.stderr.write("pytest-driver: need --log-file, --trs-file and a command\n")
        return 2
    base = trs[:-4] if trs.endswith(".trs") else trs
    xml = base + ".junit.xml"
    for p in (xml,):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    os.makedirs(os.path.dirname(os.path.abspath(log)), exist_ok=True)
    with open(log, "w") as logf:
        logf.write("$ %s --junitxml=%s\n" % (" ".join(cmd), xml))
        logf.flush()
        try:
            rc = subprocess.call(cmd + ["--junitxml=" + xml], stdout=logf,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as e:
            logf.write("pytest-driver: cannot run: %s\n" % e)
            rc = 127
        results = results_from_xml(xml)
        if results is None:
            results = [("ERROR", name, "pytest wrote no junit XML (exit status %d)" % rc)]
        elif not results:
            results = [("ERROR", name, "no tests collected (exit status %d)" % rc)]
        elif (rc != 0 and not any(r[0] in ("FAIL", "ERROR") for r in results)
              and not (rc == 5 and all(r[0] == "SKIP" for r in results))):
            # (exit 5 with only skips: a module-level skip, honestly a SKIP)
            results.append(("ERROR", name, "pytest exit status %d" % rc))

        if opts["expect-failure"] == "yes":
            flip = {"PASS": "XPASS", "FAIL": "XFAIL", "ERROR": "XFAIL"}
            results = [(flip.get(r, r), n, d) for r, n, d in results]

        color = opts["color-tests"] == "yes"
        logf.write("\n")
        for res, full, detail in results:
            line = "%s: %s%s" % (res, full, (" # " + detail) if detail else "")
            logf.write(line + "\n")
            if color:
                print("%s%s%s: %s%s" % (COLORS.get(res, ""), res, RESET, full,
                                        (" # " + detail) if detail else ""))
            else:
                print(line)

    bad = {"FAIL", "XPASS", "ERROR"}
    kinds = {r for r, _, _ in results}
    if kinds & bad:
        glob = next(k for k in ("ERROR", "FAIL", "XPASS") if k in kinds)
    elif kinds == {"SKIP"}:
        glob = "SKIP"
    else:
        glob = "PASS" if "PASS" in kinds else "XFAIL"
    recheck = "yes" if kinds & bad else "no"
    copy = "yes" if (kinds & bad or (opts["collect-skipped-logs"] == "yes" and "SKIP" in kinds)) else "no"
    with open(trs, "w") as t:
        t.write(":global-test-result: %s\n" % glob)
        t.write(":recheck: %s\n" % recheck)
        t.write(":copy-in-global-log: %s\n" % copy)
        for res, full, _ in results:
            t.write(":test-result: %s %s\n" % (res, full))
    return 0


if __name__ == "__main__":
    sys.exit(main())

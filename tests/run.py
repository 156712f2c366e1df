#!/usr/bin/env python3
"""redmon test runner (`make check`).

Runs, against one build directory:
  unit         every BUILD/tests/test_* cmocka binary; each cmocka test case counts
  golden       tests/golden/golden.py (corpus cases, demo tree)
  integration  every tests/integration/test_*.py

Golden and integration scripts print one line per case: `PASS name`,
`FAIL name: why` or `SKIP name: why` (see tests/integration/harness.py); a script
that crashes, times out or exits non-zero without reporting a failure counts as
a failed test.  The runner prints one line per failure and closes with
`N passed, N failed` (prefixed `LABEL: ` with --label); it exits 1 if any test
failed or if none ran.
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ("unit", "golden", "integration")
UNIT_TIMEOUT = 120      # seconds per cmocka binary (sanitizer builds are slow)
SCRIPT_TIMEOUT = {"golden": 300, "integration": 180}

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import Reporter, tail, test_env  # noqa: E402  (shared with the test scripts)


def run_bounded(argv, timeout, env, cwd=REPO):
    """Run argv in its own process group; on timeout kill that group.
    Returns (returncode or None on timeout, stdout, stderr)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         cwd=cwd, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the group we created for this child only
        out, err = p.communicate()
        rc = None
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def describe_exit(rc, timeout):
    if rc is None:
        return "timed out after %ss" % timeout
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %d" % rc


# --- unit: cmocka binaries ----------------------------------------------

TAP_PLAN = re.compile(r"^1\.\.(\d+)\s*$")
GROUP_END = re.compile(r"^# (not )?ok - ")  # cmocka's line closing a group
TAP_RESULT = re.compile(r"^(ok|not ok) (\d+)(?: - (.*?))?(?:\s*# ?(SKIP|TODO)\b\s*(.*))?\s*$")
STD_COUNT = re.compile(r"^\[\s*(PASSED|FAILED|SKIPPED)\s*\] (\d+) test\(s\)")
STD_NAME = re.compile(r"^\[\s*(FAILED|SKIPPED)\s*\] (\S+)\s*$")
STD_ERROR = re.compile(r"^\[\s*(ERROR|LINE)\s*\] --- (.*)$")


def parse_tap(out):
    """cmocka TAP output (CMOCKA_MESSAGE_OUTPUT=TAP): list of (status, name, detail)
    with status ok/fail/skip, and the sum of the plans."""
    results, planned = [], 0
    for line in out.splitlines():
        m = TAP_PLAN.match(line)
        if m:
            planned += int(m.group(1))
            continue
        m = TAP_RESULT.match(line)
        if m:
            status = "skip" if m.group(4) == "SKIP" else ("ok" if m.group(1) == "ok" else "fail")
            name = m.group(3) or m.group(5) or "#" + m.group(2)
            results.append([status, name.strip(), []])
        elif line.startswith("# ") and results and results[-1][0] == "fail" and not GROUP_END.match(line):
            results[-1][2].append(line[2:].strip())
    return results, planned


def parse_standard(out, err):
    """cmocka's default output (summary on stderr): counts and failed names.
    Used when a binary chose its own output format over TAP."""
    counts = {"PASSED": 0, "FAILED": 0, "SKIPPED": 0}
    failed_names, errors = [], []
    for line in (out + "\n" + err).splitlines():
        m = STD_COUNT.match(line)
        if m:
            counts[m.group(1)] += int(m.group(2))
            continue
        m = STD_ERROR.match(line)
        if m:
            errors.append(m.group(2))
            continue
        m = STD_NAME.match(line)
        if m and m.group(1) == "FAILED" and m.group(2) not in failed_names:
            failed_names.append(m.group(2))
    return counts, failed_names, errors


def run_unit(build, res, env):
    bins = sorted(b for b in glob.glob(os.path.join(build, "tests", "test_*"))
                  if os.path.isfile(b) and os.access(b, os.X_OK))
    uenv = dict(env, CMOCKA_MESSAGE_OUTPUT="TAP")
    for b in bins:
        base = "unit/" + os.path.basename(b)
        rc, out, err = run_bounded([b], UNIT_TIMEOUT, uenv)
        results, planned = parse_tap(out)
        nfail = 0
        if results:
            for status, name, detail in results:
                if status == "ok":
                    res.ok("%s: %s" % (base, name))
                elif status == "skip":
                    res.skip("%s: %s" % (base, name), "skipped")
                else:
                    nfail += 1
                    res.fail("%s: %s" % (base, name), "; ".join(detail) or "failed")
            seen = len(results)
        else:
            counts, names, errors = parse_standard(out, err)
            seen = sum(counts.values())
            planned = planned or seen
            for _ in range(counts["PASSED"]):
                res.ok(base)
            res.skipped += counts["SKIPPED"]
            nfail = counts["FAILED"]
            for i in range(nfail):
                name = names[i] if i < len(names) else "test %d" % (i + 1)
                res.fail("%s: %s" % (base, name), "; ".join(errors) or "failed")
        # The binary itself: a crash, a timeout, a sanitizer exit or a
        # truncated run is one more failure.
        why = None
        if rc is None or rc < 0:
            why = describe_exit(rc, UNIT_TIMEOUT)
        elif seen == 0:
            why = "%s and no cmocka result" % describe_exit(rc, UNIT_TIMEOUT)
        elif seen < planned:
            why = "%s after %d of %d tests" % (describe_exit(rc, UNIT_TIMEOUT), seen, planned)
        elif (rc == 0) != (nfail == 0):
            why = "%s but %d test(s) failed" % (describe_exit(rc, UNIT_TIMEOUT), nfail)
        if why:
            res.fail(base, "%s: %s" % (why, tail(err) or tail(out)))


# --- golden and integration: protocol scripts ------------------------------

PROTO = re.compile(r"^(PASS|FAIL|SKIP) (.+?)(?:: (.*))?$")


def run_script(path, build, res, env, timeout, verbose):
    base = os.path.splitext(os.path.relpath(path, os.path.join(REPO, "tests")))[0]
    rc, out, err = run_bounded([sys.executable, path, "--build", build], timeout, env)
    nfail = nreport = 0
    for line in out.splitlines():
        m = PROTO.match(line)
        if not m:
            if verbose:
                print("  | " + line)
            continue
        nreport += 1
        kind, name, why = m.group(1), m.group(2), m.group(3) or ""
        if kind == "PASS":
            res.ok(name)
        elif kind == "SKIP":
            res.skip(name, why)
        else:
            nfail += 1
            res.fail(name, why or "failed")
    why = None
    if rc is None or rc < 0:
        why = describe_exit(rc, timeout)
    elif nreport == 0:
        why = "%s without reporting a test" % describe_exit(rc, timeout)
    elif rc != 0 and nfail == 0:
        why = "%s though every reported test passed" % describe_exit(rc, timeout)
    elif rc == 0 and nfail:
        why = "exit 0 though %d test(s) failed" % nfail
    if why:
        res.fail(base, "%s: %s" % (why, tail(err) or tail(out)))


def main():
    ap = argparse.ArgumentParser(description="Run redmon's tests against a build directory.")
    ap.add_argument("--build", required=True, help="build directory (build, build-san)")
    ap.add_argument("--only", default=",".join(SUITES), help="comma-separated suites: %s" % ",".join(SUITES))
    ap.add_argument("--label", help="prefix of the closing line")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing tests too")
    args = ap.parse_args()
    suites = [s for s in args.only.split(",") if s]
    bad = [s for s in suites if s not in SUITES]
    if bad:
        ap.error("unknown suite(s): %s" % ", ".join(bad))
    build = args.build if os.path.isabs(args.build) else os.path.join(REPO, args.build)

    # Unit binaries run in REPO and open tests/corpus from there.
    env = dict(test_env(), REDMON_BUILD=build, PYTHONDONTWRITEBYTECODE="1")
    res = Reporter(args.verbose)
    for suite in suites:
        t0 = time.monotonic()
        before = (res.passed, res.failed)
        if suite == "unit":
            run_unit(build, res, env)
        else:
            scripts = ([os.path.join(REPO, "tests", "golden", "golden.py")] if suite == "golden"
                       else sorted(glob.glob(os.path.join(REPO, "tests", "integration", "test_*.py"))))
            for s in scripts:
                run_script(s, build, res, env, SCRIPT_TIMEOUT[suite], args.verbose)
        print("-- %s: %d passed, %d failed (%.1f s)" % (suite, res.passed - before[0], res.failed - before[1],
                                                      time.monotonic() - t0), flush=True)
    if res.skipped:
        print("-- %d skipped" % res.skipped)
    if res.passed + res.failed == 0:
        print("no test ran (is %s built?)" % build)
    print("%s%d passed, %d failed" % (args.label + ": " if args.label else "", res.passed, res.failed))
    sys.exit(1 if res.failed or res.passed + res.failed == 0 else 0)


if __name__ == "__main__":
    main()

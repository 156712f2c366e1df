#!/usr/bin/env python3
"""Run libFuzzer targets for a bounded time (`make fuzz`).

For each NAME: BUILD/fuzz/NAME runs for --seconds on a fresh copy of
tests/fuzz/seeds/<NAME without its fuzz_ prefix>/ (BUILD/fuzz-corpus/NAME),
writing crash inputs under BUILD/fuzz-artifacts/.  One PASS/FAIL line per
fuzzer, then `N passed, N failed`; exit 1 when a fuzzer crashed, leaked, timed
out or could not run.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRACE = 120  # seconds beyond --seconds before the fuzzer is killed (corpus load, final merge)


def tail(text, n=12):
    lines = [l for l in text.splitlines() if l.strip()]
    return "\n    ".join(lines[-n:])


def run_one(build, name, seconds):
    exe = os.path.join(build, "fuzz", name)
    if not os.access(exe, os.X_OK):
        return False, "%s not built" % exe
    seeds = os.path.join(REPO, "tests", "fuzz", "seeds", name[5:] if name.startswith("fuzz_") else name)
    corpus = os.path.join(build, "fuzz-corpus", name)
    artifacts = os.path.join(build, "fuzz-artifacts") + os.sep
    shutil.rmtree(corpus, ignore_errors=True)
    if os.path.isdir(seeds):
        shutil.copytree(seeds, corpus)
        nseeds = len(os.listdir(corpus))
    else:
        os.makedirs(corpus)
        nseeds = 0
    os.makedirs(artifacts, exist_ok=True)
    argv = [exe, "-max_total_time=%d" % seconds, "-timeout=10", "-rss_limit_mb=2048",
            "-print_final_stats=1", "-artifact_prefix=" + artifacts + name + "-", corpus]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         cwd=build, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=seconds + GRACE)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the group made for this fuzzer only
        out, _ = p.communicate()
        rc = None
    out = out.decode("utf-8", "replace")
    done = re.search(r"^Done (\d+) runs", out, re.M)
    runs = re.findall(r"^stat::number_of_executed_units: (\d+)", out, re.M)
    cov = re.findall(r"\bcov: (\d+)", out)
    info = "%s runs, cov %s, %d seeds" % (runs[-1] if runs else "?", cov[-1] if cov else "?", nseeds)
    if rc == 0 and done:
        return True, info
    artifact = re.findall(r"Test unit written to (\S+)", out)
    why = "timed out" if rc is None else "exit %d" % rc if rc >= 0 else "killed by signal %d" % -rc
    if artifact:
        why += ", input saved as %s (reproduce: %s %s)" % (artifact[-1], exe, artifact[-1])
    error = re.findall(r"^(==\d+==\s*ERROR: .*|SUMMARY: .*|.*: runtime error: .*)$", out, re.M)
    return False, "%s; %s\n    %s" % (why, info, "\n    ".join(error[:3]) or tail(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--seconds", type=int, default=60, help="run time per fuzzer")
    ap.add_argument("fuzzers", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    passed = failed = 0
    if not args.fuzzers:
        print("no fuzz targets defined (FUZZERS is empty)")
    for name in args.fuzzers:
        ok, info = run_one(build, name, args.seconds)
        print("%s fuzz/%s: %s" % ("PASS" if ok else "FAIL", name, info), flush=True)
        passed += ok
        failed += not ok
    print("fuzz: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

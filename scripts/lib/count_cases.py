#!/usr/bin/env python3
"""Counts the test *cases* of a scripts/test.sh run and judges it.

Reads what test.sh collected (Bazel's output, the list of test targets Bazel
knows, Bazel's per-target test.xml, and each client suite's exit status, log
and JUnit XML) plus the per-suite minimums kept in the repository, prints one
row per suite and a total, and ends with the line CI parses:

    N passed, N failed

It exits 1 when anything is wrong. A suite is wrong when it failed a case,
when it is missing, did not run or was not built, when Bazel skipped it, when
it executed no case, when every case was skipped, when it ran fewer cases
than its minimum, when its exit status and its results disagree, and when
the minimums file names a suite that does not exist any more. A wrong suite
with no failed case adds one to the failed count, so the last line is never
"0 failed" on a red run.

Only the standard library is used; scripts/test.sh runs it with Debian's
/usr/bin/python3. tests/runner/ tests it on fabricated inputs.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

# Bazel's summary: "//pkg:target   (cached) PASSED in 1.2s", one per target.
BAZEL_STATUS = re.compile(
    r"^(//\S+)\s+(?:\(cached\)\s+)?"
    r"(PASSED|FAILED TO BUILD|FAILED|FLAKY|TIMEOUT|NO STATUS|SKIPPED|"
    r"INCOMPLETE|REMOTE FAILURE|BUILD INTERRUPTED)\b")
# Statuses for which the target ran and wrote (or had written) its test.xml.
RAN = {"PASSED", "FAILED", "FLAKY", "TIMEOUT"}
# A plain closing line "N passed, N failed" (optionally ", N skipped").
PLAIN_SUMMARY = re.compile(
    r"(?:^|: )(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$")

# Bazel's exit codes: 0 all passed, 3 built but some test failed.
BAZEL_BUILT = {0, 3}


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.minimum = None
        self.minimum_is_default = False
        self.problems = []
        self.counted = False  # cases were read

    @property
    def executed(self):
        return self.passed + self.failed

    @property
    def ok(self):
        return not self.problems and self.failed == 0

    @property
    def failed_for_total(self):
        return self.failed + (1 if self.problems and self.failed == 0 else 0)


def count_junit(path):
    """(passed, failed, skipped) of every <testcase> in a JUnit-style file.

    gtest marks a disabled case status="notrun" and a GTEST_SKIP case
    result="skipped" (with a <skipped> child in newer versions); pytest and
    node write a <skipped> child. A <failure> or <error> child is a failure.
    """
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        children = {child.tag for child in case}
        if "failure" in children or "error" in children:
            failed += 1
        elif ("skipped" in children or case.get("status") == "notrun"
              or case.get("result") in ("skipped", "suppressed")):
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def read_minimums(path):
    """{suite: minimum} from lines "SUITE MINIMUM" ('#' starts a comment)."""
    minimums = {}
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit():
                raise ValueError(f"{path}:{number}: expected 'SUITE MINIMUM', got {raw.strip()!r}")
            if parts[0] in minimums:
                raise ValueError(f"{path}:{number}: {parts[0]} listed twice")
            minimums[parts[0]] = int(parts[1])
    return minimums


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def judge_cases(suite, rc, xml_path, log_text):
    """Fills a suite's counts from its XML (else a plain summary line)."""
    if xml_path and os.path.isfile(xml_path):
        try:
            suite.passed, suite.failed, suite.skipped = count_junit(xml_path)
            suite.counted = True
        except ET.ParseError as e:
            suite.problems.append(f"unreadable results ({e})")
    elif log_text is not None:
        summaries = [m for m in (PLAIN_SUMMARY.search(l) for l in log_text.splitlines()) if m]
        if summaries:
            last = summaries[-1]
            suite.passed, suite.failed = int(last.group(1)), int(last.group(2))
            suite.skipped = int(last.group(3) or 0)
            suite.counted = True
        else:
            suite.problems.append("printed no case count")
    else:
        suite.problems.append("no results")
    if suite.counted:
        if suite.executed == 0 and suite.skipped > 0:
            suite.problems.append(f"all {suite.skipped} cases skipped")
        elif suite.executed == 0:
            suite.problems.append("executed no case")
    if rc is not None and rc != 0 and suite.failed == 0:
        suite.problems.append(f"exit status {rc} with no failed case")


def judge_bazel(args, minimums):
    suites = []
    expected = read_lines(args.bazel_targets)
    log = read_text(args.bazel_log) or ""
    status = {}
    for line in log.splitlines():
        m = BAZEL_STATUS.match(line)
        if m:
            status[m.group(1)] = m.group(2)
    built = args.bazel_rc in BAZEL_BUILT
    if not expected:
        none = Suite("bazel targets")
        none.problems.append("bazel query found no test target")
        suites.append(none)
    for label in expected:
        suite = Suite(label)
        suites.append(suite)
        st = status.get(label)
        if st is None:
            suite.problems.append("not run" + ("" if built else " (build failed)"))
            continue
        if st not in RAN:
            suite.problems.append(f"Bazel says {st}")
            continue
        pkg, _, name = label[2:].partition(":")
        xml_path = os.path.join(args.bazel_testlogs, pkg, name, "test.xml")
        if not os.path.isfile(xml_path):
            suite.problems.append(f"{st} but no test.xml")
            continue
        judge_cases(suite, None, xml_path, None)
        if st != "PASSED" and suite.failed == 0:
            suite.problems.append(f"Bazel says {st}")
    if not built:
        build = Suite("bazel build")
        build.problems.append(f"bazel exited {args.bazel_rc}: the build failed")
        suites.append(build)
    return suites


def judge_client_suites(args):
    suites = []
    for name in args.suite:
        suite = Suite(name)
        suites.append(suite)
        base = os.path.join(args.suites_dir, name)
        if os.path.exists(base + ".missing"):
            suite.problems.append("suite script missing: " + (read_text(base + ".missing") or "").strip())
            continue
        rc_text = read_text(base + ".rc")
        if rc_text is None:
            suite.problems.append("not run" + ("" if args.bazel_rc in BAZEL_BUILT else " (build failed)"))
            continue
        judge_cases(suite, int(rc_text.strip() or 1), base + ".xml", read_text(base + ".log"))
    return suites


def apply_minimums(suites, minimums, default_minimum):
    names = {s.name for s in suites}
    for suite in suites:
        if suite.name in ("bazel build", "bazel targets"):
            continue
        if suite.name in minimums:
            suite.minimum = minimums[suite.name]
        else:
            suite.minimum = default_minimum
            suite.minimum_is_default = True
        if suite.counted and 0 < suite.executed < suite.minimum:
            suite.problems.append(f"ran {suite.executed} cases, minimum {suite.minimum}")
    gone = []
    for name in minimums:
        if name not in names:
            suite = Suite(name)
            suite.minimum = minimums[name]
            suite.problems.append("listed in the minimums file but does not exist")
            gone.append(suite)
    return suites + gone


def print_table(suites, out):
    width = max([len("SUITE")] + [len(s.name) for s in suites])
    out.write(f"{'SUITE':<{width}}  {'PASSED':>6}  {'FAILED':>6}  {'SKIPPED':>7}  {'MIN':>4}  RESULT\n")
    for s in suites:
        minimum = "" if s.minimum is None else f"{s.minimum}{'*' if s.minimum_is_default else ''}"
        result = "ok" if s.ok else "FAIL: " + ("; ".join(s.problems) if s.problems else "failed cases")
        if s.failed and s.problems:
            result = "FAIL: failed cases; " + "; ".join(s.problems)
        out.write(f"{s.name:<{width}}  {s.passed:>6}  {s.failed:>6}  {s.skipped:>7}  {minimum:>4}  {result}\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minimums", required=True, help="file of 'SUITE MINIMUM' lines")
    p.add_argument("--default-minimum", type=int, default=1,
                   help="minimum for a suite the file does not list (marked * in the table)")
    p.add_argument("--bazel-rc", type=int, required=True, help="exit status of bazel test")
    p.add_argument("--bazel-log", required=True, help="output of bazel test")
    p.add_argument("--bazel-targets", required=True, help="the test targets Bazel knows, one per line")
    p.add_argument("--bazel-testlogs", required=True, help="bazel info bazel-testlogs")
    p.add_argument("--suites-dir", required=True,
                   help="NAME.rc, NAME.log, NAME.xml (or NAME.missing) of each client suite")
    p.add_argument("--suite", action="append", default=[], help="a client suite expected to run, in order")
    args = p.parse_args(argv)

    try:
        minimums = read_minimums(args.minimums)
    except (OSError, ValueError) as e:
        print(f"count_cases: {e}")
        print("0 passed, 1 failed")
        return 1
    suites = judge_bazel(args, minimums) + judge_client_suites(args)
    suites = apply_minimums(suites, minimums, args.default_minimum)

    print_table(suites, sys.stdout)
    passed = sum(s.passed for s in suites)
    failed = sum(s.failed_for_total for s in suites)
    skipped = sum(s.skipped for s in suites)
    cases = sum(s.passed + s.failed + s.skipped for s in suites)
    wrong = [s for s in suites if not s.ok]
    print(f"total: {cases} cases in {len(suites)} suites "
          f"({passed} passed, {sum(s.failed for s in suites)} failed, {skipped} skipped)"
          + (f"; {len(wrong)} suites wrong" if wrong else ""))
    if any(s.minimum_is_default for s in suites):
        print("(* no minimum in the minimums file; the default applies)")
    print(f"{passed} passed, {failed} failed")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())

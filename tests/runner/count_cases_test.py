"""Tests of the test runner itself: scripts/lib/count_cases.py on fabricated
Bazel output, test.xml files, client-suite logs and minimums, and
scripts/test.sh end to end in a fabricated repository with a fake `bazel`
on PATH. Each red case here is one way a run used to look green."""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def _find(rel):
    """A file of the repository: from Bazel's runfiles, else the checkout."""
    srcdir, ws = os.environ.get("TEST_SRCDIR"), os.environ.get("TEST_WORKSPACE")
    if srcdir and ws and (pathlib.Path(srcdir) / ws / rel).exists():
        return pathlib.Path(srcdir) / ws / rel
    return HERE.parents[1] / rel


COUNT_CASES = _find("scripts/lib/count_cases.py")
TEST_SH = _find("scripts/test.sh")
CLIENT_SUITES = ["python", "typescript", "buf-lint", "html-report", "smoke-run"]


def gtest_xml(cases):
    """A gtest-style test.xml; cases: [(name, 'pass'|'fail'|'skip'|'notrun')]."""
    rows = []
    for name, outcome in cases:
        if outcome == "pass":
            rows.append(f'<testcase name="{name}" status="run" result="completed" classname="S"/>')
        elif outcome == "fail":
            rows.append(f'<testcase name="{name}" status="run" result="completed" classname="S">'
                        '<failure message="boom" type=""/></testcase>')
        elif outcome == "skip":
            rows.append(f'<testcase name="{name}" status="run" result="skipped" classname="S">'
                        '<skipped message=""/></testcase>')
        elif outcome == "notrun":
            rows.append(f'<testcase name="DISABLED_{name}" status="notrun" result="suppressed" classname="S"/>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="AllTests">'
            f'<testsuite name="S" tests="{len(cases)}">' + "".join(rows) + "</testsuite></testsuites>\n")


def junit_xml(passed=0, failed=0, skipped=0):
    """A pytest/node-style JUnit file."""
    rows = [f'<testcase classname="t" name="p{i}"/>' for i in range(passed)]
    rows += [f'<testcase classname="t" name="f{i}"><failure message="x"/></testcase>' for i in range(failed)]
    rows += [f'<testcase classname="t" name="s{i}"><skipped message="skip"/></testcase>' for i in range(skipped)]
    return '<?xml version="1.0"?><testsuites><testsuite name="t">' + "".join(rows) + "</testsuite></testsuites>"


class Run:
    """Fabricated inputs of one test.sh run, as count_cases.py reads them."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.testlogs = tmp / "testlogs"
        self.suites_dir = tmp / "suites"
        self.suites_dir.mkdir()
        self.targets = {}  # label -> Bazel status (None: no summary line)
        self.bazel_rc = 0
        self.minimums = {}
        self.client = list(CLIENT_SUITES)

    def target(self, label, cases, status="PASSED", cached=False):
        self.targets[label] = ("(cached) " if cached else "") + status if status else None
        if cases is not None:
            pkg, _, name = label[2:].partition(":")
            d = self.testlogs / pkg / name
            d.mkdir(parents=True, exist_ok=True)
            (d / "test.xml").write_text(gtest_xml(cases))

    def suite(self, name, rc=0, xml=None, log=""):
        (self.suites_dir / f"{name}.rc").write_text(f"{rc}\n")
        (self.suites_dir / f"{name}.log").write_text(log)
        if xml is not None:
            (self.suites_dir / f"{name}.xml").write_text(xml)

    def all_green(self):
        self.target("//tests/a:one_test", [("A", "pass"), ("B", "pass")])
        self.target("//tests/b:two_test", [("C", "pass")], cached=True)
        self.suite("python", xml=junit_xml(passed=3))
        self.suite("typescript", xml=junit_xml(passed=2))
        self.suite("buf-lint", log="lint_protos: 1 passed, 0 failed\n")
        self.suite("html-report", log="ok    x\n6 passed, 0 failed\n")
        self.suite("smoke-run", log="smoke_run: 6 passed, 0 failed\n")
        self.minimums = {"//tests/a:one_test": 2, "//tests/b:two_test": 1, "python": 3,
                         "typescript": 2, "buf-lint": 1, "html-report": 6, "smoke-run": 6}
        return self

    def judge(self):
        log = ["INFO: Build completed successfully"]
        for label, status in self.targets.items():
            if status:
                log.append(f"{label}     {status} in 0.5s")
        (self.tmp / "bazel.log").write_text("\n".join(log) + "\n")
        (self.tmp / "targets").write_text("".join(f"{l}\n" for l in self.targets))
        (self.tmp / "minimums").write_text(
            "# suite minimum\n" + "".join(f"{k} {v}\n" for k, v in self.minimums.items()))
        args = [sys.executable, str(COUNT_CASES), "--minimums", str(self.tmp / "minimums"),
                "--bazel-rc", str(self.bazel_rc), "--bazel-log", str(self.tmp / "bazel.log"),
                "--bazel-targets", str(self.tmp / "targets"),
                "--bazel-testlogs", str(self.testlogs), "--suites-dir", str(self.suites_dir)]
        for s in self.client:
            args += ["--suite", s]
        p = subprocess.run(args, capture_output=True, text=True)
        return p.returncode, p.stdout


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path).all_green()


def last_line(out):
    return out.rstrip("\n").split("\n")[-1]


def row(out, suite):
    """The table row of a suite (the table follows its "SUITE" header)."""
    table = out[out.index("\nSUITE ") + 1:] if "\nSUITE " in out else out
    return next(l for l in table.splitlines() if l.startswith(suite + " "))


def test_green_run_counts_cases_per_suite(run):
    rc, out = run.judge()
    assert rc == 0, out
    # 2 + 1 gtest cases, 3 pytest, 2 node, 1 + 6 + 6 plain checks.
    assert last_line(out) == "21 passed, 0 failed"
    assert row(out, "//tests/a:one_test").split()[1:3] == ["2", "0"]
    assert row(out, "python").split()[1:3] == ["3", "0"]
    assert "total: 21 cases in 7 suites" in out


def test_failed_cases_are_counted_one_by_one(run):
    run.target("//tests/a:one_test", [("A", "pass"), ("B", "fail"), ("C", "fail")], status="FAILED")
    run.bazel_rc = 3
    rc, out = run.judge()
    assert rc == 1
    assert last_line(out) == "20 passed, 2 failed"


def test_missing_client_suite_script_fails(run):
    (run.suites_dir / "typescript.rc").unlink()
    (run.suites_dir / "typescript.missing").write_text("clients/typescript/run_tests.sh\n")
    rc, out = run.judge()
    assert rc == 1
    assert "suite script missing" in row(out, "typescript")
    assert last_line(out) == "19 passed, 1 failed"


def test_client_suite_that_did_not_run_fails(run):
    for ext in ("rc", "log"):
        (run.suites_dir / f"smoke-run.{ext}").unlink()
    rc, out = run.judge()
    assert rc == 1
    assert "not run" in row(out, "smoke-run")


def test_deleted_bazel_target_fails_through_its_minimum_line(run):
    del run.targets["//tests/b:two_test"]
    rc, out = run.judge()
    assert rc == 1
    assert "does not exist" in row(out, "//tests/b:two_test")
    assert last_line(out) == "20 passed, 1 failed"


def test_bazel_target_without_a_summary_line_fails(run):
    run.targets["//tests/b:two_test"] = None
    rc, out = run.judge()
    assert rc == 1
    assert "not run" in row(out, "//tests/b:two_test")


@pytest.mark.parametrize("status", ["SKIPPED", "NO STATUS", "FAILED TO BUILD", "INCOMPLETE"])
def test_skipped_or_unbuilt_bazel_target_fails(run, status):
    run.targets["//tests/b:two_test"] = status
    rc, out = run.judge()
    assert rc == 1
    assert f"Bazel says {status}" in row(out, "//tests/b:two_test")
    # The stale test.xml of an earlier run is not counted.
    assert row(out, "//tests/b:two_test").split()[1] == "0"


def test_flaky_target_fails_even_if_its_last_attempt_passed(run):
    run.target("//tests/b:two_test", [("C", "pass")], status="FLAKY")
    rc, out = run.judge()
    assert rc == 1
    assert "Bazel says FLAKY" in row(out, "//tests/b:two_test")


def test_passed_target_without_test_xml_fails(run):
    shutil.rmtree(run.testlogs / "tests/b")
    rc, out = run.judge()
    assert rc == 1
    assert "no test.xml" in row(out, "//tests/b:two_test")


def test_empty_gtest_target_fails(run):
    run.target("//tests/b:two_test", [])
    run.minimums["//tests/b:two_test"] = 0
    rc, out = run.judge()
    assert rc == 1
    assert "executed no case" in row(out, "//tests/b:two_test")


def test_all_disabled_or_skipped_gtest_target_fails(run):
    run.target("//tests/b:two_test", [("C", "skip"), ("D", "notrun")])
    rc, out = run.judge()
    assert rc == 1
    assert "all 2 cases skipped" in row(out, "//tests/b:two_test")
    assert row(out, "//tests/b:two_test").split()[1:4] == ["0", "0", "2"]


def test_skipped_cases_are_not_passes(run):
    run.target("//tests/a:one_test", [("A", "pass"), ("B", "pass"), ("C", "skip")])
    rc, out = run.judge()
    assert rc == 0, out
    assert row(out, "//tests/a:one_test").split()[1:4] == ["2", "0", "1"]
    assert last_line(out) == "21 passed, 0 failed"


def test_all_skipped_pytest_run_fails(run):
    run.suite("python", xml=junit_xml(skipped=3))
    rc, out = run.judge()
    assert rc == 1
    assert "all 3 cases skipped" in row(out, "python")


def test_empty_node_run_fails(run):
    run.suite("typescript", xml=junit_xml())
    rc, out = run.judge()
    assert rc == 1
    assert "executed no case" in row(out, "typescript")


def test_suite_that_prints_no_count_fails(run):
    run.suite("smoke-run", log="everything is fine\n")
    rc, out = run.judge()
    assert rc == 1
    assert "printed no case count" in row(out, "smoke-run")


def test_nonzero_exit_without_a_failed_case_fails(run):
    run.suite("python", rc=2, xml=junit_xml(passed=3))
    rc, out = run.judge()
    assert rc == 1
    assert "exit status 2" in row(out, "python")
    assert last_line(out) == "21 passed, 1 failed"


def test_count_below_the_minimum_fails(run):
    run.minimums["python"] = 4
    rc, out = run.judge()
    assert rc == 1
    assert "ran 3 cases, minimum 4" in row(out, "python")


def test_suite_without_a_minimum_line_needs_one_case(run):
    del run.minimums["typescript"]
    rc, out = run.judge()
    assert rc == 0, out
    assert row(out, "typescript").split()[4] == "1*"
    run.suite("typescript", xml=junit_xml())
    rc, out = run.judge()
    assert rc == 1


def test_build_failure_fails_and_names_the_unrun_suites(run):
    run.bazel_rc = 1
    run.targets["//tests/b:two_test"] = "FAILED TO BUILD"
    for name in CLIENT_SUITES:
        for ext in ("rc", "log", "xml"):
            p = run.suites_dir / f"{name}.{ext}"
            if p.exists():
                p.unlink()
    rc, out = run.judge()
    assert rc == 1
    assert "the build failed" in row(out, "bazel build")
    assert "not run (build failed)" in row(out, "python")


def test_no_bazel_targets_fails(run):
    run.targets = {}
    run.minimums = {k: v for k, v in run.minimums.items() if not k.startswith("//")}
    rc, out = run.judge()
    assert rc == 1
    assert "found no test target" in out


def test_malformed_minimums_file_fails(run, tmp_path):
    run.minimums = {"python": "three"}
    rc, out = run.judge()
    assert rc == 1
    assert last_line(out) == "0 passed, 1 failed"


# --- scripts/test.sh itself, with a fake bazel and fake client suites ------

FAKE_BAZEL = textwrap.dedent("""\
    #!/usr/bin/env bash
    # Answers the few commands test.sh sends, from files under $FAKE.
    case "$1" in
      query) case "$2" in attr*) ;; *) cat "$FAKE/targets" ;; esac ;;
      test) echo "$*" >"$FAKE/test_args"; cat "$FAKE/bazel.log"; exit "$(cat "$FAKE/bazel_rc")" ;;
      info) [ "$2" = bazel-testlogs ] && echo "$FAKE/testlogs" || echo "$FAKE/bin" ;;
    esac
    """)


def fake_suite(name, body):
    return textwrap.dedent(f"""\
        #!/usr/bin/env bash
        touch "$FAKE/ran-{name}"
        {body}
        """)


@pytest.fixture
def repo(tmp_path):
    """A fabricated checkout: test.sh, count_cases.py, five client suites
    that pass, one Bazel target with two cases; $FAKE holds bazel's answers."""
    root = tmp_path / "repo"
    fake = tmp_path / "fake"
    (root / "scripts/lib").mkdir(parents=True)
    (root / "tests").mkdir()
    shutil.copy(TEST_SH, root / "scripts/test.sh")
    shutil.copy(COUNT_CASES, root / "scripts/lib/count_cases.py")
    scripts = {
        "layering": ("tests/layering/check_layering.sh", 'echo "layering: 1 passed, 0 failed"'),
        "python": ("clients/python/run_tests.sh", f'echo "{junit_xml(passed=2)}" >"$JUNIT_XML"'),
        "typescript": ("clients/typescript/run_tests.sh", f'echo "{junit_xml(passed=2)}" >"$JUNIT_XML"'),
        "buf-lint": ("clients/lint_protos.sh", 'echo "lint_protos: 1 passed, 0 failed"'),
        "html-report": ("clients/check_html_report.sh", 'echo "3 passed, 0 failed"'),
        "smoke-run": ("scripts/smoke_run.sh", 'echo "smoke_run: 2 passed, 0 failed"'),
    }
    for name, (path, body) in scripts.items():
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(fake_suite(name, body.replace('"<', "'<").replace('>" >', ">' >")))
    (root / "tests/minimum_cases.txt").write_text(
        "//tests/a:one_test 2\nlayering 1\npython 2\ntypescript 2\nbuf-lint 1\nhtml-report 3\nsmoke-run 2\n")
    (fake / "bin").mkdir(parents=True)
    (fake / "bin/bazel").write_text(FAKE_BAZEL)
    (fake / "bin/bazel").chmod(0o755)
    (fake / "targets").write_text("//tests/a:one_test\n")
    (fake / "bazel.log").write_text("//tests/a:one_test    PASSED in 1.0s\n")
    (fake / "bazel_rc").write_text("0\n")
    d = fake / "testlogs/tests/a/one_test"
    d.mkdir(parents=True)
    (d / "test.xml").write_text(gtest_xml([("A", "pass"), ("B", "pass")]))
    return root, fake


def run_test_sh(root, fake):
    env = dict(os.environ, FAKE=str(fake), PATH=f"{fake / 'bin'}:{os.environ['PATH']}")
    p = subprocess.run(["bash", str(root / "scripts/test.sh")], capture_output=True, text=True,
                       env=env, timeout=120)
    return p.returncode, p.stdout


def test_test_sh_green_run_ends_with_the_case_count(repo):
    root, fake = repo
    rc, out = run_test_sh(root, fake)
    assert rc == 0, out
    assert last_line(out) == "13 passed, 0 failed"
    for name in CLIENT_SUITES:
        assert (fake / f"ran-{name}").exists(), name
    # C++ suites are shuffled.
    assert "--test_arg=--gtest_shuffle" in (fake / "test_args").read_text()


def test_test_sh_deleted_suite_script_turns_red(repo):
    root, fake = repo
    (root / "clients/lint_protos.sh").unlink()
    rc, out = run_test_sh(root, fake)
    assert rc == 1
    assert "suite script missing" in row(out, "buf-lint")
    assert last_line(out) == "12 passed, 1 failed"


def test_test_sh_emptied_suite_turns_red(repo):
    root, fake = repo
    (root / "clients/typescript/run_tests.sh").write_text(
        fake_suite("typescript", f"echo '{junit_xml()}' >\"$JUNIT_XML\""))
    rc, out = run_test_sh(root, fake)
    assert rc == 1
    assert "executed no case" in row(out, "typescript")


def test_test_sh_skipped_target_turns_red(repo):
    root, fake = repo
    (fake / "bazel.log").write_text("//tests/a:one_test    SKIPPED\n")
    rc, out = run_test_sh(root, fake)
    assert rc == 1
    assert "Bazel says SKIPPED" in row(out, "//tests/a:one_test")


def test_test_sh_build_failure_stops_before_the_client_suites(repo):
    root, fake = repo
    (fake / "bazel.log").write_text("ERROR: build failed\n//tests/a:one_test    NO STATUS\n")
    (fake / "bazel_rc").write_text("1\n")
    rc, out = run_test_sh(root, fake)
    assert rc == 1
    for name in CLIENT_SUITES:
        assert not (fake / f"ran-{name}").exists(), name
    assert "not run (build failed)" in row(out, "python")

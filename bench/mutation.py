"""Mutation testing of the rules: does the test suite notice when a rule is changed?

    .venv/bin/python bench/mutation.py querysets            # one module at a time
    .venv/bin/python bench/mutation.py stats --max-children 2

mutmut changes the code one small edit at a time (a ``<`` into ``<=``, a constant, a dropped
argument) and runs the tests that cover the changed function; a mutant the tests do not notice
"survives". Not run by CI: a module takes minutes to tens of minutes.

Each run works on a copy of the repository's tracked files in ``--workdir`` (default
``/tmp/tracker-mutation/<module>``), so the work tree is never touched, and prints the killed,
survived and timed-out counts, then every survivor's name (``mutmut show <name>`` in the
workdir shows its diff). The tests run on SQLite, without migrations (the tables are built
straight from the models), which makes a mutant's run a few seconds instead of ten.
docs/mutation-testing.md has the figures and what the survivors change.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What is mutated, and the tests that check it (mutmut then runs, per mutant, only those of
# them that reach the mutated function).
MODULES = {
    "services": (
        ["recommendations/services.py"],
        # The services' own tests: every test that records a status update reaches them, so a
        # wider selection makes each surviving mutant cost minutes.
        ["tests/test_services.py", "tests/test_review.py", "tests/test_concurrency.py", "tests/test_history.py"],
    ),
    "querysets": (
        ["recommendations/querysets.py"],
        [
            "tests/test_models.py",
            "tests/test_filters.py",
            "tests/test_api_stats.py::TestOverdueIsOneRule",
            "tests/test_api_recommendations.py",
            "tests/test_api_review.py",
        ],
    ),
    "stats": (["recommendations/stats.py"], ["tests/test_api_stats.py", "tests/test_api_legal_provisions.py"]),
    # The review and permission rules: who may do what.
    "roles": (
        ["recommendations/roles.py", "recommendations/permissions.py"],
        ["tests/test_review.py", "tests/test_api_review.py", "tests/test_one_definition.py"],
    ),
}


def tracked_files():
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listing.decode().split("\0") if name]


def prepare(workdir, mutate, tests):
    """A fresh copy of the tracked files, with mutmut's settings added to its pyproject.toml."""
    if workdir.exists():
        shutil.rmtree(workdir)
    for name in tracked_files():
        target = workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    settings = {
        "source_paths": ["recommendations"],
        "only_mutate": mutate,
        "also_copy": ["tracker/", "seeds/", "manage.py"],
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "--no-migrations"],
        "pytest_add_cli_args_test_selection": tests,
    }
    lines = ["", "[tool.mutmut]", *(f"{key} = {json.dumps(value)}" for key, value in settings.items())]
    with (workdir / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", choices=sorted(MODULES))
    parser.add_argument("--max-children", type=int, default=1, help="mutants run at once (default 1: shared CPUs)")
    parser.add_argument("--workdir", type=Path, help="where the copy is made (default /tmp/tracker-mutation/<module>)")
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="FUNCTION",
        help="mutate only these functions (e.g. status_counts _summary); default: all of the module's",
    )
    args = parser.parse_args()

    mutate, tests = MODULES[args.module]
    workdir = args.workdir or Path("/tmp/tracker-mutation") / args.module
    prepare(workdir, mutate, tests)
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}  # SQLite
    mutmut = [sys.executable, "-m", "mutmut"]
    # mutmut names a mutant <module>.x_<function>__mutmut_<n> (xǁ<Class>ǁ<method> for a method).
    names = [f"recommendations.{args.module}.x*{function}__mutmut_*" for function in args.only]
    subprocess.run([*mutmut, "run", "--max-children", str(args.max_children), *names], cwd=workdir, env=environment)
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=workdir, env=environment, check=True)
    stats = json.loads((workdir / "mutants" / "mutmut-cicd-stats.json").read_text())
    print(f"\n{args.module}: " + ", ".join(f"{key} {value}" for key, value in stats.items()))
    results = subprocess.run([*mutmut, "results"], cwd=workdir, env=environment, capture_output=True, text=True)
    print(results.stdout)


if __name__ == "__main__":
    main()

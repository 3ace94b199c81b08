#!/usr/bin/env python3
"""duban's ledger import against the readers an office would otherwise script with, on the
same file, in one run: pandas (openpyxl and calamine engines) and polars reading both sheets of
the exported province ledger, and `duban import ledger` reading, checking and writing it (with
its audit trail) into a fresh database. Each command runs as a whole process, in turn, several
times; the script prints each one's median wall time and peak memory and duban's ratio to
each reader (above 1.0: duban is faster).

    python3 scripts/compare_import.py                        # SQLite, 3 runs each
    python3 scripts/compare_import.py --database-url postgres://postgres@127.0.0.1:5432/postgres

The readers are installed into target/compare/venv (pip, PyPI) on the first run; the ledger
is made with `duban demo --scale province` and `duban export ledger` into target/compare.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "compare")
VENV = os.path.join(WORK, "venv")
READERS = ["pandas", "openpyxl", "python-calamine", "polars", "fastexcel", "pyarrow"]


def venv_python():
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *READERS], check=True)
    return python


def timed(argv, env=None):
    """Runs argv; (wall seconds, peak resident MiB of the process)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"{' '.join(argv)} failed:\n{err.read().decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024


def make_ledger(duban):
    path = os.path.join(WORK, "province-ledger.xlsx")
    if os.path.exists(path):
        return path
    db = os.path.join(WORK, "source.db")
    if os.path.exists(db):
        os.remove(db)
    env = dict(os.environ, DUBAN_DATABASE_URL=f"sqlite://{db}")
    subprocess.run([duban, "demo", "--scale", "province"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([duban, "export", "ledger", "-o", path], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    os.remove(db)
    return path


def psql(server, sql):
    subprocess.run(["psql", server, "-q", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def duban_import(duban, ledger, server):
    """Imports into a fresh database; (wall, peak MiB)."""
    if server is None:
        db = os.path.join(WORK, "target.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        url = f"sqlite://{db}"
        env = dict(os.environ, DUBAN_DATABASE_URL=url)
        return timed([duban, "import", "ledger", ledger], env)
    name = "duban_compare_" + uuid.uuid4().hex[:10]
    psql(server, f"CREATE DATABASE {name}")
    try:
        base = server.split("?")[0].rsplit("/", 1)[0]
        env = dict(os.environ, DUBAN_DATABASE_URL=f"{base}/{name}")
        # The migrations run on first open, not timed: an empty database as an office has it.
        subprocess.run([duban, "units", "list"], env=env, check=True, stdout=subprocess.DEVNULL)
        return timed([duban, "import", "ledger", ledger], env)
    finally:
        psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def reader(python, code, ledger):
    return lambda: timed([python, "-c", code, ledger])


PANDAS = "import sys, pandas as pd; s = pd.read_excel(sys.argv[1], sheet_name=None, engine='{}'); print(sum(len(d) for d in s.values()))"
POLARS = "import sys, polars as pl; s = pl.read_excel(sys.argv[1], sheet_id=0); print(sum(d.height for d in s.values()))"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duban", default=os.path.join(ROOT, "target", "release", "duban"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--database-url", help="a PostgreSQL server: duban imports into a scratch database there")
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(a.duban):
        sys.exit(f"{a.duban} is missing: cargo build --release")
    python = venv_python()
    ledger = make_ledger(a.duban)
    server = a.database_url if a.database_url and a.database_url.startswith("postgres") else None
    commands = {
        "duban import ledger" + (" (PostgreSQL)" if server else " (SQLite)"): lambda: duban_import(a.duban, ledger, server),
        "pandas read_excel, openpyxl": reader(python, PANDAS.format("openpyxl"), ledger),
        "pandas read_excel, calamine": reader(python, PANDAS.format("calamine"), ledger),
        "polars read_excel (calamine)": reader(python, POLARS, ledger),
    }
    times = {k: [] for k in commands}
    memory = {k: [] for k in commands}
    for run in range(a.runs + 1):  # the first round warms the page cache and is not counted
        for name, run_it in commands.items():
            wall, mib = run_it()
            if run > 0:
                times[name].append(wall)
                memory[name].append(mib)
    size = os.path.getsize(ledger) / 1e6
    print(f"{ledger}: {size:.1f} MB, both sheets; median of {a.runs} runs each, in turn")
    print(f"{'command':40} {'wall (s)':>10} {'peak (MiB)':>11} {'duban faster by':>16}")
    duban_name = next(iter(commands))
    duban_wall = statistics.median(times[duban_name])
    for name in commands:
        wall = statistics.median(times[name])
        ratio = "" if name == duban_name else f"{wall / duban_wall:.2f}"
        print(f"{name:40} {wall:10.2f} {max(memory[name]):11.0f} {ratio:>16}")
    print("ratio: the reader's median time / duban's (duban parses, checks and writes as well)")


if __name__ == "__main__":
    main()

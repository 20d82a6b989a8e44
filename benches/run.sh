#!/usr/bin/env bash
# Runs every benchmark behind BENCHMARKS.md and prints its markdown tables; a copy goes to
# target/bench/console-<UTC time>.md.
#
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), psql, python3 with
# argon2-cffi (installed here with pip when missing). Creates or reuses the databases
# ska_bench_1000, ska_bench_10000, ska_bench_100000 and ska_bench_1000000 (reseeded when their
# user count is off; the million takes ~2 minutes to seed), and for import ska_bench_import
# (made anew each run). Takes about 7 minutes after the release build. Speed is measured
# here, never in tests or CI.
#
# Environment (optional): SKA_BENCH_SIZES=1000,10000,100000,1000000  SKA_BENCH_ONLY=keys,startup,bulk,argon2,rss,dormant
# (and import, which runs only when named: it hashes 10,000 passwords, minutes; SKA_BENCH_IMPORT_ROWS=10000;
# audit, sign-ins and live run only when named too)
# SKA_BENCH_DORMANT_DAYS=60  SKA_BENCH_DORMANT_RUNS=3
# SKA_BENCH_PAIRS=500  SKA_BENCH_RUNS=7  SKA_BENCH_BULK_RUNS=6  SKA_BENCH_BULK_USERS  SKA_BENCH_PSQL_RUNS=3
# SKA_BENCH_SERVER=postgres://postgres@127.0.0.1:5432/postgres  SKA_BENCH_PYTHON=python3
set -euo pipefail
cd "$(dirname "$0")/.."

command -v psql >/dev/null || { echo "run.sh: psql is missing (apt-get install postgresql-client)" >&2; exit 1; }
python="${SKA_BENCH_PYTHON:-python3}"
if ! "$python" -c 'import argon2' 2>/dev/null; then
    echo "run.sh: installing argon2-cffi for the hash comparison" >&2
    "$python" -m pip install --quiet argon2-cffi
fi
echo "run.sh: load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work skews the numbers)" >&2

mkdir -p target/bench
out="target/bench/console-$(date -u +%Y%m%dT%H%M%SZ).md"
cargo bench --bench console | tee "$out"
echo "run.sh: saved $out" >&2

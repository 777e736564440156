#!/bin/sh
# Ten years of the city on PostgreSQL: 10,000,000 simulated cases (1,000,000 a year,
# 2016-2025, ~70 million events, ~39 GB), then the monthly report benchmark on a month
# of the last year and of the middle, and the check of the monthly counts against the
# events. Run through `make bench-10m` (a throw-away server; ~90 min on two cores; needs
# ~45 GB free where $TMPDIR points). Output as in bench/results/*-10m-postgresql.log (whose
# table sizes were printed by an inline script before `bench/dbinfo.py sizes`).
set -e
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run through: python -m onewindow.testing.pgrun -- bench/ten_million.sh}"
OW=.venv/bin/onewindow
echo "start $(date -u +%FT%TZ) $DATABASE_URL"
$OW migrate -v0
$OW load_demo --simulate-cases 0 >/dev/null
for y in 2016 2017 2018 2019 2020 2021 2022 2023 2024 2025; do
  t0=$(date +%s)
  $OW simulate --year $y --cases 1000000 --seed $y --no-progress
  echo "year $y done in $(( $(date +%s) - t0 )) s at $(date -u +%FT%TZ)"
done
.venv/bin/python bench/dbinfo.py sizes
for m in 2025-06 2020-06; do
  .venv/bin/python bench/monthly_report.py --database-url "$DATABASE_URL" --month $m --repeats 3
done
$OW tally --check --month 2025-06
echo "end $(date -u +%FT%TZ)"

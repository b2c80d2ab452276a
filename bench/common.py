"""Shared plumbing of the benchmarks (plain scripts, not tests).

Each benchmark measures in child processes, one per database, because Django reads DATABASE_URL once at start-up:
the parent decides what to measure and prints the table; `python bench/<script>.py --child ...` measures in one
database and prints one line of JSON.

Databases (PostgreSQL, the server of BENCH_PG, default postgres://postgres@127.0.0.1:5432):
    residency_bench_demo  migrate + seed_demo                      (demo size)
    residency_bench_1x    migrate + seed_scale --factor 0.1        (1x: a tenth of the default scale)
    residency_bench_10x   migrate + seed_scale                     (10x: the default scale)
They are created when missing (`ensure`), and dropped and made again with --rebuild. Building the 10x database
takes about two minutes.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASES = {"demo": ("residency_bench_demo", None), "1x": ("residency_bench_1x", 0.1),
             "10x": ("residency_bench_10x", 1.0)}


def url(name: str) -> str:
    return f"{SERVER}/{name}"


def child_env(name: str, **extra) -> dict:
    """The environment of a child: the database, eager Celery, no Redis, no lock-outs. PGOPTIONS (libpq) passes
    server settings to the child's connections, e.g. PGOPTIONS="-c jit=off" (see bench/README.md)."""
    env = dict(os.environ, DATABASE_URL=url(name), DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT),
               CELERY_TASK_ALWAYS_EAGER="true", REDIS_URL="", AXES_ENABLED="false")
    env.update(extra)
    return env


def setup() -> None:
    """In a child: Django on the DATABASE_URL the parent gave."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # As in production (DEBUG=false): no cursor wrapper logging every query into connection.queries. Only the
    # query log is turned off here; the static-files storage chosen by the settings at import stays the
    # development one, so pages render without collectstatic. Query counts use CaptureQueriesContext.
    settings.DEBUG = False


def _psql(*args: str) -> str:
    host = SERVER.split("//", 1)[1]
    user, _, hostport = host.rpartition("@")
    hostname, _, port = hostport.partition(":")
    return subprocess.run(["psql", "-h", hostname, "-p", port or "5432", "-U", user or "postgres", "-tAq", *args],
                          check=True, capture_output=True, text=True).stdout


def exists(name: str) -> bool:
    return _psql("-d", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"


def ensure(key: str, *, rebuild: bool = False) -> str:
    """The database of `key` (demo, 1x, 10x), built when missing or when `rebuild`."""
    name, factor = DATABASES[key]
    if exists(name) and not rebuild:
        return name
    print(f"building {name} ...", flush=True)
    _psql("-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"')
    _psql("-d", "postgres", "-c", f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    env = child_env(name)
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    command = ["seed_demo"] if factor is None else ["seed_scale", "--factor", str(factor)]
    started = time.monotonic()
    subprocess.run([*manage, *command], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _psql("-d", name, "-c", "VACUUM ANALYZE")
    print(f"built {name} in {time.monotonic() - started:.0f} s", flush=True)
    return name


def run_child(script: str, name: str, *args: str, **env) -> dict:
    """Run `script --child <args>` against database `name`; its last stdout line is JSON."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--child", *args], env=child_env(name, **env),
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{script} failed on {name}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(fn, repeat: int) -> list[float]:
    """Seconds of each of `repeat` calls, after one warm-up call (caches, connections)."""
    fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def timed_together(fns: dict, repeat: int) -> dict[str, list[float]]:
    """{name: seconds of each call} of the callables `fns` ({name: callable}), each called once to warm up, then
    `repeat` rounds calling each in turn: what is compared is measured in the same moments, so a change of the
    machine's speed during the run (other processes, the host reclaiming memory) falls on all of them alike."""
    for fn in fns.values():
        fn()
    out = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            out[name].append(time.perf_counter() - started)
    return out


def median(values) -> float:
    return statistics.median(values)


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(h) for h in headers]] + [[c if isinstance(c, str) else f"{c:,.3f}" if isinstance(c, float)
                                            else f"{c}" for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def report_targets() -> dict:
    """The parameters of the benchmark's reports, chosen by the same rule in every database (in a child): the
    first department; its first specialty's cohort that started last academic year; the department's mentor with
    the most current clinical residents (ties: the first); the last completed academic year."""
    from django.db.models import Count, Q

    from mentoring.models import Mentor
    from organization.models import AcademicYear, Department
    from residents.models import Cohort

    department = Department.objects.order_by("pk").first()
    years = list(AcademicYear.objects.filter(cohorts__specialty__department=department).distinct()
                 .order_by("-start_year").values_list("pk", flat=True)[:2])
    cohort = (Cohort.objects.filter(specialty__department=department, intake_year_id=years[-1])
              .order_by("specialty__code").first())
    current = Q(assignments__ended_on__isnull=True, assignments__kind="clinical")
    mentor = (Mentor.objects.filter(specialty__department=department)
              .annotate(n=Count("assignments", filter=current))
              .order_by("-n", "pk").first())
    return {"department": department.pk, "cohort": cohort.pk, "mentor": mentor.pk, "year": years[-1]}

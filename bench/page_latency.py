"""Median latency of the main pages of every role at demo size and at scale, and the ratio (target: at most 2x).

    .venv/bin/python bench/page_latency.py [-n 20] [--rounds R] [--page NAME] [--rebuild] [--demo-db NAME]
                                           [--scale-db NAME]

Against PostgreSQL: residency_bench_demo (seed_demo) and residency_bench_10x (seed_scale, the default scale),
built when missing (see bench/common.py). Each page is requested with the Django test client (the whole stack:
middleware, sessions, templates; no query log, as in production) N times after one warm-up, signed in as a user
chosen by the same rule in both databases: the first department's first coordinator; its mentor with the most current
residents; that mentor's first current resident. Every answer must be 200. --demo-db / --scale-db measure other
existing databases instead (e.g. copies migrated to a new index: the benchmark databases are only migrated when built).
--page NAME (repeatable) measures only those pages; --rounds R measures demo and scale in turn R times (a loaded
machine's drift then hits both) and takes each page's median of the rounds' medians.

The coordinator's dashboard shows two counts from the figures refreshed every 10 minutes by Celery beat
(reports/dashboard.py), and counts them itself before a department's first refresh. It is measured both ways, each
in a transaction rolled back afterwards (the benchmark databases are left as they are): "dashboard" with the
department's figures just refreshed, as in production with beat running, and "dashboard, counted live" without them.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def pages() -> list[tuple[str, str, object, str]]:
    """(role, page, user, url) of the main pages of every role."""
    from django.urls import reverse

    from mentoring.models import Mentor
    from organization.models import Coordinator
    from residents.models import Resident

    t = common.report_targets()
    dep = t["department"]
    coordinator = Coordinator.objects.filter(department_id=dep).order_by("pk").select_related("user").first().user
    mentor = Mentor.objects.select_related("user").get(pk=t["mentor"])
    resident = (Resident.objects.filter(assignments__mentor=mentor, assignments__ended_on__isnull=True,
                                        assignments__kind="clinical")
                .select_related("user").order_by("pk").first())
    c, m, r = coordinator, mentor.user, resident.user
    return [
        ("coordinator", "dashboard", c, reverse("mentoring:dashboard", args=[dep])),
        ("coordinator", "mentor list", c, reverse("mentoring:mentor_list", args=[dep])),
        ("coordinator", "resident list", c, reverse("mentoring:resident_list", args=[dep])),
        ("coordinator", "reports index", c, reverse("reports:index", args=[dep])),
        ("coordinator", "curricula review", c, reverse("residents:curricula_review", args=[dep])),
        ("coordinator", "exam results", c, reverse("assessments:exam_results", args=[dep])),
        ("coordinator", "EPA progress grid", c, reverse("assessments:cohort_grid", args=[dep])),
        ("coordinator", "survey campaigns", c, reverse("surveys:campaign_list", args=[dep])),
        ("coordinator", "resident detail", c, reverse("mentoring:resident_detail", args=[resident.pk])),
        ("mentor", "mentor home", m, reverse("mentoring:mentor_home")),
        ("mentor", "confirmation queue", m, reverse("residents:confirmation_queue")),
        ("mentor", "observation form", m, reverse("assessments:observe")),
        ("mentor", "my observations", m, reverse("assessments:mentor_observations")),
        ("mentor", "resident progress", m, reverse("assessments:resident_progress", args=[resident.pk])),
        ("mentor", "my survey results", m, reverse("surveys:my_results")),
        ("resident", "resident home", r, reverse("mentoring:resident_home")),
        ("resident", "activity log", r, reverse("residents:activity_log")),
        ("resident", "progress", r, reverse("assessments:my_progress")),
        ("resident", "observations", r, reverse("assessments:my_observations")),
        ("resident", "curricula", r, reverse("residents:my_curricula")),
    ]


def child(n: int, only: list[str]) -> dict:
    common.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # the test client's ALLOWED_HOSTS and template hooks, as in the tests
    from django.db import transaction

    from organization.models import Department
    from reports.dashboard import dashboard_figures_refresh
    from reports.models import DashboardFigures

    out, clients = {}, {}

    def measure(key, client, url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        times = common.timed(get, n)
        with CaptureQueriesContext(connection) as ctx:
            get()
        out[key] = {"median": common.median(times), "queries": len(ctx.captured_queries)}

    for role, page, user, url in pages():
        if only and page not in only:
            continue
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        if page != "dashboard":
            measure(f"{role}|{page}", clients[user.pk], url)
            continue
        department = Department.objects.get(pk=common.report_targets()["department"])
        with transaction.atomic():  # as with beat running: the figures refreshed a moment ago
            dashboard_figures_refresh(department=department)
            measure(f"{role}|{page}", clients[user.pk], url)
            transaction.set_rollback(True)
        with transaction.atomic():  # before the department's first refresh
            DashboardFigures.objects.filter(department=department).delete()
            measure(f"{role}|{page}, counted live", clients[user.pk], url)
            transaction.set_rollback(True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20, help="requests per page (after one warm-up)")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the databases again")
    parser.add_argument("--demo-db", help="measure the demo size in this existing database (e.g. a migrated copy)")
    parser.add_argument("--scale-db", help="measure the scale in this existing database (e.g. a migrated copy)")
    parser.add_argument("--page", action="append", default=[], help="measure only this page (repeatable)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure demo and scale in turn this many times; the median of the rounds' medians")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n, args.page)))
        return
    started = time.monotonic()
    demo_db = args.demo_db or common.ensure("demo", rebuild=args.rebuild)
    scale_db = args.scale_db or common.ensure("10x", rebuild=args.rebuild)
    child_args = ["-n", str(args.n), *[a for page in args.page for a in ("--page", page)]]
    runs = {"demo": [], "scale": []}
    for _ in range(args.rounds):  # demo and scale in turn, so that a change of the machine's load hits both
        runs["demo"].append(common.run_child("page_latency.py", demo_db, *child_args))
        runs["scale"].append(common.run_child("page_latency.py", scale_db, *child_args))
    demo, scale = ({key: {"median": common.median([run[key]["median"] for run in rounds]),
                          "queries": rounds[-1][key]["queries"]} for key in rounds[0]}
                   for rounds in (runs["demo"], runs["scale"]))
    rows, worst = [], 0.0
    for key in demo:
        role, page = key.split("|")
        ratio = scale[key]["median"] / demo[key]["median"]
        worst = max(worst, ratio)
        rows.append([role, page, demo[key]["median"] * 1000, scale[key]["median"] * 1000, f"{ratio:.2f}x",
                     f"{demo[key]['queries']}/{scale[key]['queries']}", "ok" if ratio <= 2 else "MISSED"])
    print(f"Median latency, ms ({args.n} requests each); demo = seed_demo ({demo_db}), scale = seed_scale, the default "
          f"scale ({scale_db})")
    common.print_table(["role", "page", "demo ms", "scale ms", "scale/demo", "queries", "target <= 2x"], rows)
    print(f"worst ratio {worst:.2f}x; {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

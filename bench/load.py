"""Load test (issue 8): the product under gunicorn, PostgreSQL, Redis and a real Celery worker.

    .venv/bin/python bench/load.py [--users 50] [--minutes 3] [--factor 1] [--submissions 200] [--workers 4]
                                   [--rebuild] [--skip-locust] [--skip-submissions]

1. Its own database: residency_bench_load (migrate + seed_scale at --factor, the default scale by default; another
   factor gets its own database, e.g. residency_bench_load_0_05), built when missing (bench/common.py).
2. gunicorn (bench/load.py picks a free port on 127.0.0.1, --workers sync workers, DEBUG=false with the
   production settings except HTTPS: SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE off so
   plain HTTP works) and a Celery worker (concurrency 2) on Redis database 7 (REDIS_URL, flushed first).
   django-axes stays on, as in production, with AXES_FAILURE_LIMIT=1000: every simulated person comes from
   127.0.0.1, and axes locks the address after 5 failed logins, which would lock out everybody at once; a
   real failure still shows as a failed request.
3. locust, headless (bench/locustfile.py): --users people (6 residents, 3 mentors, 1 coordinator in 10), each
   signing in through the login form as a seeded user of its role (seed_scale's password, reports/scale.py),
   for --minutes. Prints per page: requests, failures, p50, p95, max (ms); then the report runs the
   coordinators asked for, once the worker has computed them.
4. --submissions residents of a new campaign about the mentor (created and launched with the product's
   services by the department's coordinator; the mentor-satisfaction questionnaire that seed_scale installs)
   sign in, open the questionnaire page, wait at a barrier and submit at the same moment (one thread each,
   through gunicorn, with the page's CSRF token). Then, in the database: the completed participations are
   exactly those people; the worker releases the pending pool in batches; the campaign is closed (the service)
   and the worker releases the rest; every submission is one response (each carries a marker word in its
   free-text answer: every marker once), the answers are all there, the mentors named are those of the
   respondents (a mentor with one respondent is not named, DESIGN.md section 3), the pool is empty, and the
   response and participation tables have only their designed columns (no user, no time).
Exits non-zero when any request failed, a report run failed, or a submission was lost or counted twice.
"""

import argparse
import csv
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")
# The workers' environment: production settings (DEBUG off) over plain HTTP on the loopback.
SERVER_ENV = {
    "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0", "REDIS_URL": REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "false",
    "AXES_ENABLED": "true", "AXES_FAILURE_LIMIT": "1000", "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING",
}
MARK = "Load check"
THANKS = "Thank you: your answers have been recorded anonymously."


# --- children (Django on the load database) --------------------------------------------------------------------


def plan(users: int) -> dict:
    """Seeded accounts of each role with the pages they use: enough people for `users` simulated ones of each role
    (the coordinators are one per department), first by key. Mentors with current residents of their own specialty
    only (the observation form then lists one catalogue); residents active with a current mentor, each with the
    nights of the last 50 days free of any of their duties (20:00-08:00), for the duties they log."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from mentoring.models import Assignment
    from organization.models import Coordinator
    from reports.scale import PASSWORD
    from residents.models import Cohort, NightDuty, Resident

    current = Assignment.objects.filter(ended_on__isnull=True, kind="clinical", resident__status="active")
    coordinators = [{
        "email": c.user.email, "cohorts": list(Cohort.objects.filter(specialty__department=c.department_id)
                                                .values_list("pk", flat=True)),
        "urls": {"dashboard": reverse("mentoring:dashboard", args=[c.department_id]),
                 "mentor_list": reverse("mentoring:mentor_list", args=[c.department_id]),
                 "resident_list": reverse("mentoring:resident_list", args=[c.department_id]),
                 "curricula_review": reverse("residents:curricula_review", args=[c.department_id]),
                 "reports": reverse("reports:index", args=[c.department_id]),
                 "campaigns": reverse("surveys:campaign_list", args=[c.department_id])},
    } for c in Coordinator.objects.select_related("user").order_by("pk")]
    by_mentor: dict[tuple, list] = {}
    for mentor, user, resident, same in (current.order_by("mentor_id", "resident_id")
                                         .values_list("mentor_id", "mentor__user__email", "resident_id",
                                                      "mentor__specialty_id")):
        by_mentor.setdefault((mentor, user), []).append((resident, same))
    specialty = dict(Resident.objects.filter(pk__in={r for rows in by_mentor.values() for r, _s in rows})
                     .values_list("pk", "specialty_id"))
    mentor_urls = {"home": reverse("mentoring:mentor_home"), "observe": reverse("assessments:observe"),
                   "queue": reverse("residents:confirmation_queue"),
                   "observations": reverse("assessments:mentor_observations"),
                   "progress": reverse("assessments:resident_progress", args=[0]).replace("/0/", "/{}/")}
    mentors = [{"email": email, "residents": [r for r, _s in rows], "urls": mentor_urls}
               for (_pk, email), rows in by_mentor.items()
               if all(specialty[r] == s for r, s in rows)][:users]
    residents = list(Resident.objects.filter(pk__in=current.values("resident_id"))
                     .order_by("pk").values_list("pk", "user__email")[:users])
    now = timezone.localtime()
    duties: dict[int, list] = {}
    for resident, starts, ends in (NightDuty.objects.filter(resident__in=[r for r, _e in residents],
                                                            ends_at__gte=now - dt.timedelta(days=52))
                                   .values_list("resident_id", "starts_at", "ends_at")):
        duties.setdefault(resident, []).append((starts, ends))
    tz = timezone.get_current_timezone()
    resident_urls = {"home": reverse("mentoring:resident_home"), "log": reverse("residents:activity_log"),
                     "log_new": reverse("residents:activity_new"), "duty_new": reverse("residents:duty_new"),
                     "progress": reverse("assessments:my_progress"), "curricula": reverse("residents:my_curricula"),
                     "observations": reverse("assessments:my_observations")}
    out_residents = []
    for pk, email in residents:
        nights = []
        for back in range(50, 1, -1):
            day = now.date() - dt.timedelta(days=back)
            starts = dt.datetime.combine(day, dt.time(20), tzinfo=tz)
            ends = starts + dt.timedelta(hours=12)
            if not any(s < ends and e > starts for s, e in duties.get(pk, [])):
                nights.append((f"{starts:%Y-%m-%dT%H:%M}", f"{ends:%Y-%m-%dT%H:%M}"))
        out_residents.append({"email": email, "nights": nights, "urls": resident_urls})
    return {"login_url": reverse("accounts:login"), "password": PASSWORD, "coordinators": coordinators,
            "mentors": mentors, "residents": out_residents}


def campaign(n: int) -> dict:
    """A new campaign about the mentor in the first department, launched by its coordinator (the services: the
    invitations go to the worker); `n` of its invited residents, first by key, each with a valid answer to every
    question (a marker word in the first free-text answer) and a signed-in session (see `session`)."""
    import datetime as dt
    import random

    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from mentoring.models import Assignment
    from organization.models import Coordinator
    from reports.scale import PASSWORD
    from surveys.answers import items_of
    from surveys.campaigns import campaign_launch, campaign_save
    from surveys.forms_answer import AnswerForm
    from surveys.models import Item, Participation, Questionnaire

    coordinator = Coordinator.objects.select_related("department", "user").order_by("pk").first()
    questionnaire = Questionnaire.objects.filter(department=coordinator.department, shipped_key="mentor_satisfaction",
                                                 about_mentor=True).order_by("pk").first()
    today = timezone.localdate()
    new = campaign_save(by=coordinator.user, department=coordinator.department, questionnaire=questionnaire,
                        title=f"Load test {timezone.localtime():%Y-%m-%d %H:%M:%S}", opens_on=today,
                        closes_on=today + dt.timedelta(days=14))
    audience = campaign_launch(campaign=new, by=coordinator.user)
    users = list(Participation.objects.filter(campaign=new, completed=False).order_by("user_id")
                 .values_list("user_id", "user__email")[:n])
    if len(users) < n:
        raise SystemExit(f"only {len(users)} residents invited in {coordinator.department}; use --submissions "
                         f"{len(users)} or a larger --factor")
    mentors = dict(Assignment.objects.filter(resident__user__in=[u for u, _e in users], ended_on__isnull=True,
                                             kind="clinical").values_list("resident__user_id", "mentor_id"))
    items, rng = items_of(questionnaire), random.Random(n)
    people, respondents = User.objects.in_bulk([u for u, _e in users]), []
    for index, (user, email) in enumerate(users):
        marker = f"{MARK} {_word(index)}"
        data, rows, marked = {}, 0, False
        for item in items:
            name, options = AnswerForm.field_name(item), [o.pk for o in item.options.all()]
            if item.kind == Item.Kind.LIKERT:
                data[name] = rng.randint(1, 5)
            elif item.kind == Item.Kind.YES_NO:
                data[name] = rng.randint(0, 1)
            elif item.kind == Item.Kind.SINGLE:
                data[name] = rng.choice(options)
            elif item.kind == Item.Kind.MULTIPLE:
                data[name] = rng.sample(options, min(2, len(options)))
            elif item.kind == Item.Kind.NUMBER:
                data[name] = item.number_min if item.number_min is not None else 1
            else:
                data[name] = marker if not marked else "More time for feedback after night duties."
                marked = True
            rows += len(data[name]) if isinstance(data[name], list) else 1
        if not marked:
            raise SystemExit("the questionnaire has no free-text question to carry the marker")
        respondents.append({"user": user, "email": email, "mentor": mentors[user], "data": data, "rows": rows,
                            "marker": marker, "session": session(people[user])})
    return {"campaign": new.pk, "title": new.title, "password": PASSWORD, "invited": len(audience.user_ids),
            "threshold": new.threshold,
            "url": reverse("surveys:answer", args=[new.pk]), "after": reverse("surveys:my_questionnaires"),
            "respondents": respondents}


def session(user) -> str:
    """A session signed in as `user`, stored as Django's login stores it (the same keys, and the hash of the
    password under the servers' SECRET_KEY): the respondents skip the login form unless --login-form, because
    each sign-in costs a password hash (PBKDF2, about 1.5 s of CPU here; the first sign-in of a seeded user two,
    as Django strengthens the seed's short salt) and 200 of them would take minutes before the barrier."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _word(index: int) -> str:
    """A marker word of letters only (free text must not look like a patient's number)."""
    letters = ""
    for _ in range(4):
        index, digit = divmod(index, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
    return "q" + letters


def verify(campaign_id: int, respondents_file: str) -> dict:
    """Count the campaign's submissions in the database, wait for the worker's releases, close the campaign (the
    service, by its coordinator), wait for the last release, and check every submission is one response."""
    from collections import Counter

    from django.db import connection

    from organization.models import Coordinator
    from surveys.campaigns import campaign_close
    from surveys.models import Answer, Campaign, Participation, PendingSubmission, Response

    respondents = json.loads(Path(respondents_file).read_text())
    c = Campaign.objects.get(pk=campaign_id)
    out: dict = {"invited": Participation.objects.filter(campaign=c).count()}
    completed = set(Participation.objects.filter(campaign=c, completed=True).values_list("user_id", flat=True))
    out["completed"] = len(completed)
    out["completed_are_the_respondents"] = completed == {r["user"] for r in respondents}
    per_mentor = Counter(r["mentor"] for r in respondents)
    lone = sum(1 for r in respondents if per_mentor[r["mentor"]] < 2)

    def counts():
        return (PendingSubmission.objects.filter(campaign=c).count(), Response.objects.filter(campaign=c).count())

    started, last, steady = time.monotonic(), None, time.monotonic()
    while time.monotonic() - started < 300:  # the worker releases batches of at least k while the campaign is open
        now = counts()
        if now != last:
            last, steady = now, time.monotonic()
        if now[0] == lone or time.monotonic() - steady > 20:
            break
        time.sleep(1)
    out["open_pending"], out["open_released"] = last
    out["lone_mentor_submissions"] = lone
    out["release_wait_s"] = round(time.monotonic() - started, 1)
    campaign_close(campaign=c, by=Coordinator.objects.filter(department=c.department_id).first().user)
    started = time.monotonic()
    while counts()[0] and time.monotonic() - started < 300:
        time.sleep(1)
    out["close_release_wait_s"] = round(time.monotonic() - started, 1)
    out["pending"], out["responses"] = counts()
    out["distinct_responses"] = Response.objects.filter(campaign=c).values("id").distinct().count()
    markers = Counter(Answer.objects.filter(response__campaign=c, text__startswith=MARK).values_list("text", flat=True))
    out["markers_once"] = sum(1 for r in respondents if markers.get(r["marker"]) == 1)
    out["markers_missing"] = sum(1 for r in respondents if r["marker"] not in markers)
    out["markers_twice_or_more"] = sum(1 for n in markers.values() if n > 1)
    out["answers"] = Answer.objects.filter(response__campaign=c).count()
    out["answers_expected"] = sum(r["rows"] for r in respondents)
    expected = Counter({m: n for m, n in per_mentor.items() if n >= 2})
    if lone:
        expected[None] = lone
    out["mentors_as_expected"] = Counter(Response.objects.filter(campaign=c).values_list("subject_id", flat=True)) \
        == expected
    with connection.cursor() as cursor:  # the tables as they are, not as the models say
        description = connection.introspection.get_table_description
        out["response_columns"] = sorted(col.name for col in description(cursor, Response._meta.db_table))
        out["participation_columns"] = sorted(col.name for col in description(cursor, Participation._meta.db_table))
    return out


def report_runs(since: float) -> dict:
    """The report runs asked for since `since` (epoch seconds), once the worker has finished them (at most 5 min)."""
    import datetime as dt

    from django.db.models import Avg, F

    from reports.models import ReportRun

    runs = ReportRun.objects.filter(requested_at__gte=dt.datetime.fromtimestamp(since, tz=dt.UTC))
    started = time.monotonic()
    while runs.filter(status__in=["pending", "running"]).exists() and time.monotonic() - started < 300:
        time.sleep(2)
    by_status = {s: runs.filter(status=s).count() for s in ("pending", "running", "done", "failed")}
    wait = runs.filter(status="done").aggregate(wait=Avg(F("finished_at") - F("requested_at")))["wait"]
    return {**by_status, "mean_s": round(wait.total_seconds(), 1) if wait else None}


def child(args) -> dict:
    common.setup()
    if args.step == "plan":
        return plan(args.users)
    if args.step == "campaign":
        return campaign(args.submissions)
    if args.step == "verify":
        return verify(args.campaign, args.respondents)
    return report_runs(args.since)


# --- the parent: servers, locust, the submissions ---------------------------------------------------------------


def database(factor: float, rebuild: bool) -> str:
    name = "residency_bench_load" if factor == 1 else f"residency_bench_load_{factor:g}".replace(".", "_")
    common.DATABASES[name] = (name, factor)
    return common.ensure(name, rebuild=rebuild)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def servers(name: str, workers: int, logs: Path):
    """gunicorn and a Celery worker on `name`; yields the base URL and the two processes once /health/ answers 200
    (database and broker)."""
    import redis
    import requests

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = common.child_env(name, **SERVER_ENV)
    manifest = common.ROOT / "staticfiles" / "staticfiles.json"  # DEBUG off serves the collected, hashed files
    newest = max(f.stat().st_mtime for f in (common.ROOT / "static").rglob("*") if f.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        print("collectstatic ...", flush=True)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=common.ROOT,
                       check=True)
    port = free_port()
    started = []
    try:
        started.append(subprocess.Popen(
            [BIN / "celery", "-A", "config", "worker", "--concurrency=2", "--loglevel=WARNING", "-n", "load@%h"],
            env=env, cwd=common.ROOT, stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT))
        started.append(subprocess.Popen(
            [BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--timeout", "60", "--no-control-socket"],
            env=env, cwd=common.ROOT, stdout=(logs / "gunicorn.log").open("w"), stderr=subprocess.STDOUT))
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if requests.get(f"{base}/health/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            raise SystemExit(f"gunicorn did not answer /health/ with 200; see {logs}/gunicorn.log")
        yield base, started
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def run_locust(base: str, plan_file: Path, users: int, minutes: float, logs: Path) -> tuple[list, int]:
    """locust headless; (table rows per page, number of failed requests and exceptions)."""
    prefix = logs / "locust"
    subprocess.run([BIN / "locust", "-f", str(common.ROOT / "bench" / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(max(1, users // 25)), "--run-time", f"{round(minutes * 60)}s",
                    "--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "30",
                    "--loglevel", "WARNING"],
                   env=dict(os.environ, LOAD_PLAN=str(plan_file)), cwd=common.ROOT,
                   stdout=(logs / "locust.log").open("w"), stderr=subprocess.STDOUT)
    rows, errors = [], 0
    with open(f"{prefix}_stats.csv") as f:
        for r in csv.DictReader(f):
            total = r["Name"] == "Aggregated"
            rows.append(["all requests" if total else r["Name"], int(r["Request Count"]), int(r["Failure Count"]),
                         _ms(r["50%"]), _ms(r["95%"]), _ms(r["Max Response Time"])])
            errors += int(r["Failure Count"]) if total else 0
    with open(f"{prefix}_failures.csv") as f:
        for r in csv.DictReader(f):
            print(f"  FAILED {r['Occurrences']}x {r['Method']} {r['Name']}: {r['Error']}")
    with open(f"{prefix}_exceptions.csv") as f:
        for r in csv.DictReader(f):
            errors += int(r["Count"])
            print(f"  EXCEPTION {r['Count']}x {r['Message']}\n{r['Traceback']}")
    return [*sorted(rows[:-1]), rows[-1]], errors


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by a process and its children (gunicorn's workers, Celery's pool)."""
    import psutil  # installed with locust

    parent = psutil.Process(process.pid)
    return sum(sum(p.cpu_times()[:2]) for p in [parent, *parent.children(recursive=True)])


def _ms(value: str) -> str:
    return "n/a" if value in ("", "N/A") else f"{float(value):,.0f}"


def submit_all(base: str, info: dict, login_form: bool) -> dict:
    """Each respondent in a thread: signed in (the session made for them, or the login form), opens the
    questionnaire, waits for the others at a barrier, submits, and reads the page it is sent to."""
    import requests

    respondents = info["respondents"]
    barrier = threading.Barrier(len(respondents))
    results: list[dict] = [{} for _ in respondents]

    def respond(i: int, who: dict) -> None:
        out = results[i]
        try:
            with requests.Session() as s:
                if login_form:
                    login = s.get(f"{base}/accounts/login/", timeout=900)
                    page = s.post(f"{base}/accounts/login/", allow_redirects=False, timeout=900, data={
                        "username": who["email"], "password": info["password"],
                        "csrfmiddlewaretoken": _csrf(login.text)})
                    if page.status_code != 302:
                        raise RuntimeError(f"login {page.status_code}")
                else:
                    s.cookies.set("sessionid", who["session"])
                page = s.get(base + info["url"], allow_redirects=False, timeout=900)
                missing = [n for n in who["data"] if f'name="{n}"' not in page.text]
                if page.status_code != 200 or missing:
                    raise RuntimeError(f"questionnaire page {page.status_code}, fields missing {missing}")
                token = _csrf(page.text)
                barrier.wait(timeout=1200)
                out["start"] = time.monotonic()
                answer = s.post(base + info["url"], data={**who["data"], "csrfmiddlewaretoken": token},
                                allow_redirects=False, timeout=300)
                out["end"] = time.monotonic()
                out["status"] = answer.status_code
                if answer.status_code == 302:
                    after = s.get(base + answer.headers["Location"], timeout=300)
                    out["thanked"] = THANKS in after.text
        except Exception as exc:  # noqa: BLE001 - any failure is reported as such
            out["error"] = repr(exc)
            barrier.abort()

    threads = [threading.Thread(target=respond, args=(i, who)) for i, who in enumerate(respondents)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [r for r in results if "end" in r]
    times = sorted(r["end"] - r["start"] for r in done)
    return {
        "signed_in_and_ready_s": round(min((r["start"] for r in done), default=time.monotonic()) - started, 1),
        "posted": len(done), "redirected": sum(1 for r in done if r.get("status") == 302),
        "thanked": sum(1 for r in done if r.get("thanked")), "errors": [r["error"] for r in results if "error" in r],
        "all_answered_s": round(max(r["end"] for r in done) - min(r["start"] for r in done), 2) if done else None,
        "p50_ms": round(statistics.median(times) * 1000) if times else None,
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000) if times else None,
        "max_ms": round(times[-1] * 1000) if times else None,
    }


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="simulated people at once (default 50)")
    parser.add_argument("--minutes", type=float, default=3, help="how long locust runs (default 3)")
    parser.add_argument("--factor", type=float, default=1.0, help="seed_scale factor of the database (default 1)")
    parser.add_argument("--submissions", type=int, default=200, help="residents submitting at once (default 200)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--login-form", action="store_true",
                        help="the submitting residents sign in through the login form (default: sessions made for "
                             "them, see `session`)")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the load database again")
    parser.add_argument("--skip-locust", action="store_true")
    parser.add_argument("--skip-submissions", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--campaign", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--respondents", help=argparse.SUPPRESS)
    parser.add_argument("--since", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return

    name = database(args.factor, args.rebuild)
    logs = Path(tempfile.mkdtemp(prefix="residency-load-"))
    queue_env = {k: SERVER_ENV[k] for k in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "SECRET_KEY")}
    failed = False
    print(f"database {name}; gunicorn {args.workers} workers, Celery worker (2), Redis {REDIS_URL}; logs in {logs}")
    with servers(name, args.workers, logs) as (base, (worker, gunicorn)):
        if not args.skip_locust:
            plan_file = logs / "plan.json"
            plan_file.write_text(json.dumps(common.run_child("load.py", name, "--step", "plan",
                                                             "--users", str(args.users))))
            print(f"locust: {args.users} users for {args.minutes:g} min against {base} ({load_average()}) ...",
                  flush=True)
            since, cpu = time.time(), (cpu_seconds(gunicorn), cpu_seconds(worker))
            rows, errors = run_locust(base, plan_file, args.users, args.minutes, logs)
            took = time.time() - since
            used = cpu_seconds(gunicorn) - cpu[0], cpu_seconds(worker) - cpu[1]
            print(f"after the run: {load_average()}; {rows[-1][1] / took:.1f} requests/s; CPU used in {took:.0f} s: "
                  f"gunicorn {used[0]:.0f} s, Celery worker {used[1]:.0f} s (2 cores: {2 * took:.0f} s)")
            common.print_table(["page (role: action)", "requests", "failures", "p50 ms", "p95 ms", "max ms"], rows)
            runs = common.run_child("load.py", name, "--step", "runs", "--since", str(since), **queue_env)
            print(f"report runs asked for during the load: {runs['done']} done, {runs['failed']} failed, "
                  f"{runs['pending'] + runs['running']} unfinished; mean time to ready {runs['mean_s']} s")
            print(f"errors: {errors}")
            failed |= bool(errors) or bool(runs["failed"] or runs["pending"] or runs["running"])
        if not args.skip_submissions:
            info = common.run_child("load.py", name, "--step", "campaign", "--submissions", str(args.submissions),
                                    **queue_env)
            print(f"campaign {info['campaign']} \"{info['title']}\": {info['invited']} invited, k = "
                  f"{info['threshold']}; {args.submissions} residents sign in, open it and submit at once "
                  f"({load_average()}) ...", flush=True)
            posted = submit_all(base, info, args.login_form)
            print(f"after the submissions: {load_average()}")
            respondents_file = logs / "respondents.json"
            respondents_file.write_text(json.dumps(info["respondents"]))
            checked = common.run_child("load.py", name, "--step", "verify", "--campaign", str(info["campaign"]),
                                       "--respondents", str(respondents_file), **queue_env)
            n = args.submissions
            lines = [
                ("signed in" + (" (login form)" if args.login_form else "") + " and on the page (s)",
                 posted["signed_in_and_ready_s"], ""),
                ("submissions posted at once", posted["posted"], n),
                ("answered 302 + thanked", f"{posted['redirected']} + {posted['thanked']}", f"{n} + {n}"),
                ("all answered within (s)", posted["all_answered_s"], ""),
                ("POST p50 / p95 / max (ms)", f"{posted['p50_ms']} / {posted['p95_ms']} / {posted['max_ms']}", ""),
                ("completed participations", checked["completed"], n),
                ("... exactly the respondents", checked["completed_are_the_respondents"], True),
                ("released by the worker while open", checked["open_released"], ""),
                (f"held until the close ({checked['lone_mentor_submissions']} alone about their mentor)",
                 checked["open_pending"], ""),
                ("responses after the close", checked["responses"], n),
                ("distinct response keys", checked["distinct_responses"], n),
                ("pending left", checked["pending"], 0),
                ("markers found once", checked["markers_once"], n),
                ("markers missing / repeated", f"{checked['markers_missing']} / "
                                               f"{checked['markers_twice_or_more']}", "0 / 0"),
                ("answer rows", checked["answers"], checked["answers_expected"]),
                ("mentors named as expected", checked["mentors_as_expected"], True),
                ("response table columns", " ".join(checked["response_columns"]), "campaign_id id subject_id"),
                ("participation columns", " ".join(checked["participation_columns"]),
                 "campaign_id completed id invited user_id"),
            ]
            common.print_table(["submissions", "measured", "expected"], [[a, str(b), str(c)] for a, b, c in lines])
            for error in posted["errors"][:5]:
                print(f"  ERROR {error}")
            failed |= any(str(b) != str(c) for a, b, c in lines if c != "")
    server_errors = [line for line in (logs / "gunicorn.log").read_text().splitlines() if " ERROR " in line]
    worker_errors = [line for line in (logs / "worker.log").read_text().splitlines() if "ERROR" in line]
    print(f"gunicorn log: {len(server_errors)} errors; worker log: {len(worker_errors)} errors")
    for line in (server_errors + worker_errors)[:10]:
        print(f"  {line}")
    failed |= bool(server_errors or worker_errors)
    print("FAILED" if failed else "ok: no error")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""The load scenario of bench/load.py: coordinators, mentors and residents doing their common actions.

    LOAD_PLAN=<plan.json> .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:<port> ...

bench/load.py writes the plan (real seeded accounts of each role, their pages, free nights for the residents'
duties) and runs locust; run it rather than this file. Each simulated person signs in through the login form with
its own account (the coordinators share their department's few accounts, as on several desktops), then works
with a pause of 1-5 s between actions. Every page must answer 200 and every form must be accepted (302): anything
else is a failure, a form shown again with errors included.

Weights follow the people: residents outnumber mentors about 4 to 1 and mentors the coordinators by far, but
residents log in less often than mentors, and coordinators work at a desk all day: 6 residents, 3 mentors and 1
coordinator in every 10 simulated users.
"""

import datetime as dt
import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = r'name="{}" id="[^"]*" value="(\d+)"'
SELECT = re.compile(r'<select name="clinical_site"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"([^>]*)>')
ACCOUNTS = {role: itertools.cycle(PLAN[role]) for role in ("coordinators", "mentors", "residents")}


def csrf(html: str) -> str | None:
    match = CSRF.search(html)
    return match.group(1) if match else None


def chosen_site(html: str) -> str:
    """What the browser posts for the clinical site select: its selected option, else its first."""
    block = SELECT.search(html)
    options = OPTION.findall(block.group(1)) if block else []
    return next((value for value, attrs in options if "selected" in attrs), options[0][0] if options else "")


class Person(HttpUser):
    """A signed-in person: GETs must answer 200, form posts must redirect (302)."""

    abstract = True
    wait_time = between(1, 5)
    role = ""

    def on_start(self):
        self.account = next(ACCOUNTS[self.role + "s"])
        token = csrf(self.page(PLAN["login_url"], "login form"))
        self.submit(PLAN["login_url"], "login", {"username": self.account["email"], "password": PLAN["password"]},
                    token)

    def page(self, url: str, name: str) -> str:
        """GET a page as the person; its HTML ("" when it did not answer 200, a failure)."""
        with self.client.get(url, name=f"{self.role}: {name}", allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
                return ""
            return response.text

    def submit(self, url: str, name: str, data: dict, token: str | None) -> str | None:
        """POST a form with the page's CSRF token; where it redirects, or None (a failure) when it did not."""
        with self.client.post(url, name=f"{self.role}: {name}", data={**data, "csrfmiddlewaretoken": token or ""},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>\s*([^<]+)', response.text)
                response.failure(f"{response.status_code}: form not accepted {errors[:2]}")
                return None
            return response.headers["Location"]


class Coordinator(Person):
    """Desktop pages of the department, and now and then a cohort report asked for."""

    weight = 1
    role = "coordinator"

    @task(3)
    def dashboard(self):
        self.page(self.account["urls"]["dashboard"], "dashboard")

    @task(2)
    def mentor_list(self):
        self.page(self.account["urls"]["mentor_list"], "mentor list")

    @task(2)
    def resident_list(self):
        self.page(self.account["urls"]["resident_list"], "resident list")

    @task(1)
    def curricula_review(self):
        self.page(self.account["urls"]["curricula_review"], "curricula review")

    @task(2)
    def reports_index(self):
        self.page(self.account["urls"]["reports"], "reports index")

    @task(1)
    def ask_for_report(self):
        url = self.account["urls"]["reports"]
        token = csrf(self.page(url, "reports index"))
        run = self.submit(url, "ask for a cohort report",
                          {"kind": "cohort", "cohort-cohort": random.choice(self.account["cohorts"])}, token)
        if run:
            self.page(run, "report run")

    @task(1)
    def campaigns(self):
        self.page(self.account["urls"]["campaigns"], "survey campaigns")


class Mentor(Person):
    """The mentor's phone: home, an EPA observation through the quick form, the confirmation queue, lists."""

    weight = 3
    role = "mentor"

    @task(3)
    def home(self):
        self.page(self.account["urls"]["home"], "home")

    @task(2)
    def observe(self):
        resident = random.choice(self.account["residents"])
        url = f"{self.account['urls']['observe']}?resident={resident}"
        html = self.page(url, "observation form")
        epas, token = re.findall(RADIO.format("epa"), html), csrf(html)
        if not epas or not token:
            return
        self.submit(self.account["urls"]["observe"], "record an observation", {
            "resident": resident, "epa": random.choice(epas), "level": random.randint(1, 5), "observed_on": "",
            "setting": "", "went_well": "Clear plan and good communication with the family.",
            "to_improve": "Summarise the findings before the plan."}, token)

    @task(2)
    def confirmation_queue(self):
        self.page(self.account["urls"]["queue"], "confirmation queue")

    @task(2)
    def my_observations(self):
        self.page(self.account["urls"]["observations"], "my observations")

    @task(2)
    def resident_progress(self):
        self.page(self.account["urls"]["progress"].format(random.choice(self.account["residents"])),
                  "resident progress")


class Resident(Person):
    """The resident's phone: home, logging an activity and a night duty, progress, curricula, observations."""

    weight = 6
    role = "resident"

    def on_start(self):
        super().on_start()
        self.nights = list(self.account["nights"])

    @task(3)
    def home(self):
        self.page(self.account["urls"]["home"], "home")

    @task(2)
    def log_activity(self):
        html = self.page(self.account["urls"]["log"], "activity log")
        token = csrf(html)
        if not token:
            return
        day = dt.date.today() - dt.timedelta(days=random.randint(1, 30))
        self.submit(self.account["urls"]["log_new"], "log an activity", {
            "what": random.choice(["rounds", "consultation", "morning_conference", "patient_supervision"]),
            "hours": "0.5", "note": "", "date": day.isoformat(), "clinical_site": chosen_site(html)}, token)

    @task(1)
    def log_night_duty(self):
        if not self.nights:
            return
        html = self.page(self.account["urls"]["duty_new"], "night duty form")
        token = csrf(html)
        if not token:
            return
        starts, ends = self.nights.pop()
        self.submit(self.account["urls"]["duty_new"], "log a night duty", {
            "starts_at": starts, "ends_at": ends, "clinical_site": chosen_site(html), "note": ""}, token)

    @task(2)
    def progress(self):
        self.page(self.account["urls"]["progress"], "progress")

    @task(1)
    def curricula(self):
        self.page(self.account["urls"]["curricula"], "curricula")

    @task(2)
    def observations(self):
        self.page(self.account["urls"]["observations"], "observations")

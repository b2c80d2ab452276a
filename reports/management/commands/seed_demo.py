from django.core.management.base import BaseCommand

from mentoring.demo import DEPARTMENT_NAME, seed_demo
from reports.demo import reports_summary, seed_reports


class Command(BaseCommand):
    help = "Create the demo department, mentors, residents, assignments and reports (idempotent: safe to run again)."

    # The command lives in `reports`, the one app that may read every other: the demo's reports are computed
    # from everything the other apps' demo data holds.
    def handle(self, *args, **options):
        logins = seed_demo(stdout=self.stdout)
        seed_reports(logins=logins, department_name=DEPARTMENT_NAME)
        self.stdout.write(f"Reports: {reports_summary(DEPARTMENT_NAME)}")
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        for role, login in logins.items():
            self.stdout.write(f"  {role:<12} {login['email']:<40} password: {login['password']}")

from django.core.management.base import BaseCommand

from mentoring.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo department, mentors, residents and assignments (idempotent: safe to run again)."

    def handle(self, *args, **options):
        logins = seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        for role, login in logins.items():
            self.stdout.write(f"  {role:<12} {login['email']:<40} password: {login['password']}")

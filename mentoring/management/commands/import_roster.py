from functools import partial

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mentoring.roster import KINDS, roster_import
from organization.models import Department
from organization.tabular import import_path


class Command(BaseCommand):
    help = "Import a department's mentors or residents from a CSV or XLSX roster, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument("--department", required=True, help="department name or id")
        parser.add_argument("--kind", required=True, choices=list(KINDS))

    def handle(self, *args, path, department, kind, **options):
        dept = self._department(department)
        result = import_path(self, path, partial(roster_import, department=dept, kind=kind))
        self.stdout.write(self.style.SUCCESS(
            _("%(kind)s imported into %(department)s: %(created)d created, %(updated)d updated, "
              "%(unchanged)d unchanged.") % {"kind": KINDS[kind], "department": dept, **result.counts}))

    def _department(self, value: str) -> Department:
        department = Department.objects.filter(name__iexact=value.strip()).first()
        if department is None and value.strip().isdigit():
            department = Department.objects.filter(pk=int(value)).first()
        if department is None:
            raise CommandError(_("No department named or numbered “%(value)s”.") % {"value": value})
        return department

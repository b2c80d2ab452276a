from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mentoring.roster import KINDS, RosterRefused, roster_import
from organization.models import Department


class Command(BaseCommand):
    help = "Import a department's mentors or residents from a CSV or XLSX roster, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument("--department", required=True, help="department name or id")
        parser.add_argument("--kind", required=True, choices=list(KINDS))

    def handle(self, *args, path, department, kind, **options):
        dept = self._department(department)
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from None
        try:
            result = roster_import(department=dept, kind=kind, file_name=file.name, content=content)
        except RosterRefused as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(_("line %(line)d: %(message)s") % {"line": error.line, "message": error.message})
            raise CommandError(_("Nothing was saved: %(count)d rows have problems.") % {"count": len(result.errors)})
        self.stdout.write(self.style.SUCCESS(
            _("%(kind)s imported into %(department)s: %(created)d created, %(updated)d updated, "
              "%(unchanged)d unchanged.") % {
                "kind": KINDS[kind], "department": dept, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged}))

    def _department(self, value: str) -> Department:
        department = Department.objects.filter(name__iexact=value.strip()).first()
        if department is None and value.strip().isdigit():
            department = Department.objects.filter(pk=int(value)).first()
        if department is None:
            raise CommandError(_("No department named or numbered “%(value)s”.") % {"value": value})
        return department

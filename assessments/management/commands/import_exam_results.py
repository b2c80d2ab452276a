from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.exam_import import ImportRefused, exam_import
from organization.models import Department


class Command(BaseCommand):
    help = "Import a department's exam results from a CSV or XLSX file, all or nothing (as the import page)."

    def add_arguments(self, parser):
        parser.add_argument("department_id", type=int, help="the department's id")
        parser.add_argument("path", help="the .csv or .xlsx file")
        parser.add_argument("--by", default="", help="e-mail of the coordinator the results are recorded by")

    def handle(self, *args, department_id, path, by, **options):
        department = Department.objects.filter(pk=department_id).first()
        if department is None:
            raise CommandError(_("No department numbered %(id)d.") % {"id": department_id})
        user = None
        if by:
            user = User.objects.filter(email__iexact=by.strip()).first()
            if user is None:
                raise CommandError(_("No user with e-mail %(email)s.") % {"email": by})
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from None
        try:
            result = exam_import(department=department, file_name=file.name, content=content, by=user)
        except ImportRefused as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(_("line %(line)d: %(message)s") % {"line": error.line, "message": error.message})
            raise CommandError(_("Nothing was saved: %(count)d rows have problems.") % {"count": len(result.errors)})
        self.stdout.write(self.style.SUCCESS(
            _("Exam results imported into %(department)s: %(created)d created, %(updated)d updated, "
              "%(unchanged)d unchanged.") % {
                "department": department, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged}))

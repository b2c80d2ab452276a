from functools import partial

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.exam_import import exam_import
from organization.models import Department
from organization.tabular import import_path


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
        result = import_path(self, path, partial(exam_import, department=department, by=user))
        self.stdout.write(self.style.SUCCESS(
            _("Exam results imported into %(department)s: %(created)d created, %(updated)d updated, "
              "%(unchanged)d unchanged.") % {"department": department, **result.counts}))

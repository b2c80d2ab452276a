"""Report runs (DESIGN.md section 4): the database row is the source of truth, the queue carries only its id.

A run is requested by a coordinator (cohort, mentor and annual monitoring reports of their departments) or by a
mentor (their own mentor report); a Celery task computes it from the database with aggregate queries and stores
the result (JSON, see reports/result.py) and its files (XLSX, CSV). Re-running makes a new run with the same
parameters, so the history keeps every earlier result.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.models import Mentor
from organization.models import AcademicYear, ClinicalSite, Department
from residents.models import Cohort

MAX_ATTEMPTS = 3


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        COHORT = "cohort", _("cohort report")
        MENTOR = "mentor", _("mentor report")
        ANNUAL = "annual", _("annual monitoring")

    class Status(models.TextChoices):
        PENDING = "pending", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="report_runs",
                                   verbose_name=_("department"))
    # Parameters: a cohort report names the cohort (specialty + intake year); a mentor report the mentor and the
    # academic year; annual monitoring the department and optionally one clinical site, up to `academic_year`.
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("cohort"))
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, null=True, blank=True, related_name="report_runs",
                               verbose_name=_("mentor"))
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("academic year"))
    clinical_site = models.ForeignKey(ClinicalSite, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="+", verbose_name=_("clinical site"))
    language = models.CharField(_("language"), max_length=8, default="en")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("reason of the failure"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("last queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["department", "kind", "-requested_at"]),
                   models.Index(fields=["status", "queued_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["cohort", "mentor", "annual"]), name="report_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=["pending", "running", "done", "failed"]),
                                   name="report_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_range"),
            models.CheckConstraint(condition=Q(attempts__lte=MAX_ATTEMPTS), name="report_attempts_bounded"),
            models.CheckConstraint(
                condition=(Q(kind="cohort", cohort__isnull=False, mentor__isnull=True)
                           | Q(kind="mentor", mentor__isnull=False, academic_year__isnull=False, cohort__isnull=True)
                           | Q(kind="annual", academic_year__isnull=False, cohort__isnull=True,
                               mentor__isnull=True)),
                name="report_parameters_of_kind"),
            models.CheckConstraint(condition=Q(status="done", result__isnull=False) | ~Q(status="done"),
                                   name="report_done_has_result"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ReportFile(models.Model):
    """An export of a finished run, made by the worker with the result (kept in the database, so any web process
    serves it)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files", verbose_name=_("report run"))
    fmt = models.CharField(_("format"), max_length=8, choices=Format.choices)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size, bytes"))

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["run", "fmt"]
        constraints = [models.UniqueConstraint(fields=["run", "fmt"], name="report_file_one_per_format")]

    def __str__(self):
        return self.name


class DashboardFigures(models.Model):
    """A department's headline figures, the entrustment-proposal and track-suggestion counts and last month's
    residents below the night-duty requirement, refreshed every 10 minutes by Celery beat
    (reports.tasks.refresh_dashboard_figures) and shown on the coordinator's dashboard "as of" the time they were
    computed (the pages they link to are live)."""

    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="dashboard_figures",
                                      verbose_name=_("department"))
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("dashboard figures")
        verbose_name_plural = _("dashboard figures")

    def __str__(self):
        return str(self.department)

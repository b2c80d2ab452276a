"""The heading of each kind of report."""

from django.utils.translation import gettext as _

from ..context import ReportContext


def title_of(context: ReportContext) -> tuple[str, str]:
    as_of = _("Figures as of %(day)s") % {"day": context.as_of.isoformat()}
    if context.kind == "cohort":
        cohort = context.cohort
        return (_("Cohort report: %(specialty)s, intake %(year)s") % {"specialty": cohort.specialty.name,
                                                                      "year": cohort.intake_year},
                f"{context.department.name}. {as_of}")
    if context.kind == "mentor":
        return (_("Mentor report: %(name)s, %(year)s") % {"name": context.mentor.user.get_full_name(),
                                                          "year": context.academic_year},
                f"{context.department.name}. {as_of}")
    place = context.clinical_site.name if context.clinical_site else context.department.name
    return (_("Annual monitoring: %(place)s, %(year)s") % {"place": place, "year": context.academic_year},
            f"{context.department.name}. {as_of}")

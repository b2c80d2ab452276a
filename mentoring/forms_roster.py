from django import forms
from django.utils.translation import gettext_lazy as _

from organization.tabular import UploadForm, upload_field

from .roster import KINDS


class RosterImportForm(UploadForm):
    kind = forms.ChoiceField(label=_("What the file lists"), choices=list(KINDS.items()), initial="mentors")
    file = upload_field(_("Roster file"))

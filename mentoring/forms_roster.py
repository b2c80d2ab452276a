from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .roster import KINDS


class RosterImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file lists"), choices=list(KINDS.items()), initial="mentors")
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("A .csv (UTF-8, comma or semicolon separated) or .xlsx file with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ROSTER_MAX_UPLOAD_BYTES
        # Checked before the upload is read into memory; the service checks again for other callers.
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(size)d KB."), params={"size": limit // 1024})
        return upload

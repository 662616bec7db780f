"""Form pieces shared by the features: the one-time key of a create form, and the version of an edit.

- A create form carries ``submission_key`` (see :mod:`tremplin.submissions`): posting it twice creates
  one object.
- An edit form carries ``version``, the version of the record when the form was shown; the operation
  refuses to overwrite a record changed since, and the page shows the conflict
  (:mod:`tremplin.www.conflicts`).
"""

from django import forms

from tremplin.submissions.services import MAX_KEY_LENGTH, new_submission_key


def add_submission_key(form: forms.BaseForm) -> None:
    """Give a create form its hidden one-time key (a new one each time the form is shown)."""
    form.fields["submission_key"] = forms.CharField(
        required=False, max_length=MAX_KEY_LENGTH, widget=forms.HiddenInput
    )
    if not form.is_bound:
        form.initial["submission_key"] = new_submission_key()


def submission_key(form: forms.BaseForm) -> str | None:
    """The key a valid create form was sent with (``None`` without one)."""
    return form.cleaned_data.get("submission_key") or None


def add_version(form: forms.BaseForm, version: int) -> None:
    """Give an edit form the hidden version of its record (required: an edit that does not say which
    version it was made from would overwrite whatever is recorded)."""
    form.fields["version"] = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    form.initial["version"] = version


def rebase(form: forms.BaseForm, version: int) -> None:
    """After a conflict: keep what the person typed, take the record's current version, so that saving
    again deliberately replaces the values someone else recorded."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data


class OnceWhenCreating:
    """For a form that creates (a plain form, or a model form whose instance is not saved yet): the
    one-time key, so that posting it twice creates one object."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            add_submission_key(self)

    @property
    def submission_key(self) -> str | None:
        return submission_key(self) if "submission_key" in self.fields else None

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is wrong. After 5 wrong attempts the account is locked "
            "for 30 minutes."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TextSizeForm(forms.Form):
    """The size of type a person reads the portal in: the page posts the mode she asks for,
    not a flip, so a button pressed twice leaves her where she wanted to be."""

    STANDARD = "standard"
    LARGE = "large"

    size = forms.ChoiceField(
        label=_("text size"),
        choices=[(STANDARD, _("Standard mode")), (LARGE, _("Large-text mode"))],
        error_messages={
            "required": _("Choose the large-text mode or the standard mode."),
            "invalid_choice": _("Choose the large-text mode or the standard mode."),
        },
    )

    @property
    def large_text(self):
        return self.cleaned_data["size"] == self.LARGE

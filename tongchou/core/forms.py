"""Helpers shared by every app's forms."""

from django import forms

from tongchou.core.errors import ApplicationError


def apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's ApplicationError on the form: on its field when the form has it, else
    as a form-wide error. Every message a service raises reaches the person who caused it."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))
    for name, messages in (exc.extra.get("fields") or {}).items():
        if name != exc.field and name in form.fields:
            for message in messages:
                form.add_error(name, message)

"""Forms as data: forms/<key>.yaml drives the API's `form` object, the HTML form and validation."""

from . import credit_code
from .definition import Choice, FieldDef, FormDefinition, FormDefinitionError, FormNotFound
from .library import FormLibrary
from .loader import forms_dir, load_form, set_forms_dir

__all__ = [
    "Choice",
    "FieldDef",
    "FormDefinition",
    "FormDefinitionError",
    "FormLibrary",
    "FormNotFound",
    "credit_code",
    "load_form",
    "forms_dir",
    "set_forms_dir",
]

"""The repository's forms as their packages ship them, for tests of forms outside any process version."""

from pathlib import Path

from webapp.engine.parameters import values
from webapp.formkit import FormLibrary

ROOT = Path(__file__).resolve().parents[1]
REPO_FORMS = ROOT / "forms"


def library_of(folder=REPO_FORMS):
    """Every form and list of `folder`, reading the rule parameters of every shipped process (they agree
    where two processes share a name)."""
    params = {}
    for path in sorted((ROOT / "processes").glob("*.parameters.yaml")):
        params.update(values(path.read_text(encoding="utf-8")))
    return FormLibrary({p.stem: p.read_text(encoding="utf-8") for p in Path(folder).glob("*.yaml")},
                       {p.stem: p.read_text(encoding="utf-8") for p in Path(folder).glob("lists/*.yaml")}, params)


def load_form(key, folder=REPO_FORMS):
    """The FormDefinition `key` of `folder`; FormNotFound or FormDefinitionError as a package would raise."""
    return library_of(folder).form(key)

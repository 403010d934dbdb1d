"""Display labels for codes (districts, categories, roles, outcomes): the choice lists of the rule packages
in force, so a list a process owner deploys (a new provider category) labels the public pages at once.

Where two processes' latest versions carry the same list, the most recently deployed one wins. The texts
are read at most every LABELS_TTL seconds per worker (and at once after a deployment in this worker);
each text is parsed once.
"""

import time

from flask import current_app

from .engine import ON_DEPLOY
from .security import yaml_guard

LABELS_TTL = 5.0
_texts = {}  # database URI -> (read at, {list name: YAML text})
_parsed = {}  # YAML text -> entries


def forget():
    """Read the lists afresh at the next label (a deployment changed them)."""
    _texts.clear()


ON_DEPLOY.append(forget)


def _current():
    from .engine.package import current

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    read_at, texts = _texts.get(uri, (0.0, None))
    if texts is None or time.monotonic() - read_at > LABELS_TTL:
        texts = current("lists")
        _texts[uri] = (time.monotonic(), texts)
    return texts


def entries(name):
    """The entries of the list `name` in force, as written (with whatever they carry beside value and label)."""
    text = _current().get(name)
    if text is None:
        return ()
    if text not in _parsed:
        _parsed[text] = tuple(yaml_guard.safe_load(text) or ())
    return _parsed[text]


def options(name, locale="zh"):
    """[(value, label)] of a list, in the locale (English falls back to Chinese)."""
    key = "label_en" if locale == "en" else "label"
    return [(e["value"], e.get(key) or e["label"]) for e in entries(name)]


def label(name, value, locale="zh"):
    for code, text in options(name, locale):
        if code == value:
            return text
    return value or ""

"""Display labels for codes (districts, categories, roles, outcomes), read from forms/lists/*.yaml."""

from functools import lru_cache
from pathlib import Path

import yaml

LISTS_DIR = Path(__file__).resolve().parent.parent / "forms" / "lists"


@lru_cache(maxsize=32)
def entries(name):
    """The entries of forms/lists/<name>.yaml as written, with whatever they carry beside value and label."""
    return tuple(yaml.safe_load((LISTS_DIR / f"{name}.yaml").read_text(encoding="utf-8")) or ())


def options(name, locale="zh"):
    """[(value, label)] of a list, in the locale (English falls back to Chinese)."""
    key = "label_en" if locale == "en" else "label"
    return [(e["value"], e.get(key) or e["label"]) for e in entries(name)]


@lru_cache(maxsize=64)
def _by_value(name, locale):
    return dict(options(name, locale))


def label(name, value, locale="zh"):
    return _by_value(name, locale).get(value, value or "")

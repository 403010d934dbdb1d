"""Which role a BPMN lane stands for, read from forms/lists/roles.yaml so modelers can name lanes in Chinese."""

from functools import lru_cache
from pathlib import Path

import yaml

ROLES_FILE = Path(__file__).resolve().parents[2] / "forms" / "lists" / "roles.yaml"


@lru_cache(maxsize=1)
def _by_name():
    names = {}
    for role in yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8")):
        for name in [role["value"], role["label"], role.get("label_en"), *role.get("lanes", [])]:
            if name:
                names[name.strip().lower()] = role["value"]
    return names


def resolve(lane_name):
    """The role code for a lane name, or None."""
    return _by_name().get((lane_name or "").strip().lower())


def labels():
    return {role["value"]: role["label"] for role in yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))}

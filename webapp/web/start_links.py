"""The links that start a case from a page, named by the diagrams, so no page names a process."""

from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask_babel import get_locale

from .. import engine


@dataclass(frozen=True)
class StartLink:
    key: str
    label: str
    about_pool: bool  # offered to officials beside each provider of the pool
    args: dict


def start_links(user, member):
    """The cases `user` may start from a page, as the diagrams name them: `startLabel`, or for a pool
    member acting for itself in a process about a pool provider, `memberStartLabel` with the form values
    of `memberStartArgs` (e.g. ground=voluntary_exit). `_en` properties give the English."""
    suffix = "_en" if str(get_locale()) == "en" else ""
    links = []
    for definition in engine.package.latest_versions():
        properties = engine.process_properties(definition)
        if not properties.get("startForm") or not engine.can_start(definition.key, user):
            continue
        about_pool = properties.get("startAbout") == "pool"
        own = about_pool and user.role == "applicant"
        if own and not member:
            continue
        name = "memberStartLabel" if own else "startLabel"
        label = properties.get(name + suffix) or properties.get(name)
        if label:
            args = dict(parse_qsl(properties.get("memberStartArgs") or "")) if own else {}
            links.append(StartLink(definition.key, label, about_pool and not own, args))
    return links

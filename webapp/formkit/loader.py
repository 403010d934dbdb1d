"""Finding form definitions: forms/<key>.yaml, cached until that file or a list it uses changes.

Process owners edit forms without a restart (Art. 16), so the cache is keyed by file mtimes.
"""

from pathlib import Path

import yaml

from .definition import NAME, FormDefinition, FormDefinitionError, FormNotFound, parse_form

DEFAULT_FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"

_forms_dir = DEFAULT_FORMS_DIR
_cache: dict[str, tuple[dict[Path, int | None], FormDefinition]] = {}


def forms_dir() -> Path:
    """Where the form files are read from now."""
    return _forms_dir


def set_forms_dir(path: str | Path | None) -> None:
    """Read forms from path from now on (None: the repository's forms/)."""
    global _forms_dir
    _forms_dir = Path(path) if path is not None else DEFAULT_FORMS_DIR
    _cache.clear()


def load_form(key: str) -> FormDefinition:
    if not isinstance(key, str) or not NAME.match(key):
        raise FormNotFound(key)
    cached = _cache.get(key)
    if cached and all(_mtime(path) == mtime for path, mtime in cached[0].items()):
        return cached[1]
    path = _forms_dir / f"{key}.yaml"
    used = {path: _mtime(path)}
    if used[path] is None:
        raise FormNotFound(key)

    def read_list(name: str):
        list_path = _forms_dir / "lists" / f"{name}.yaml"
        used[list_path] = _mtime(list_path)
        return None if used[list_path] is None else _read(list_path)

    definition = parse_form(_read(path), str(path), key, read_list)
    _cache[key] = (used, definition)
    return definition


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _read(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FormDefinitionError(f"{path}: not valid YAML: {exc}") from exc

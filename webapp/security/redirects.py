"""Where a login may send the browser next: a path of this site only. Browsers drop tabs and newlines
and read a backslash as a slash, so `/%09/evil.example` or `/\\evil.example` would leave the site."""

from urllib.parse import urlsplit


def safe_next(target):
    """The target when it is a local path, else None."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target

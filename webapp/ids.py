"""Reading an id a person or client typed: a positive 32-bit integer, or nothing."""

MAX_ID = 2**31 - 1


def parse_id(text):
    text = str(text or "")
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None

"""What a person typed in a search box, made safe to query with: at most ``limit`` characters, without
control characters (PostgreSQL refuses a NUL in a text parameter, and no name contains one)."""

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def search_term(value, limit: int = 100) -> str:
    return CONTROL_CHARACTERS.sub(" ", str(value or ""))[:limit]

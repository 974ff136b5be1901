"""Expected entities written inline: `Het <ent label=law>Participatiewet</ent> knelt.`"""

import re

ENT_RE = re.compile(r"<ent label=(\w+)>(.*?)</ent>")


def parse_markup(marked: str) -> tuple[str, set[tuple[str, str]]]:
    """The plain text and the (label, surface) pairs marked in it."""
    expected: set[tuple[str, str]] = set()
    plain, position = [], 0
    for match in ENT_RE.finditer(marked):
        plain.append(marked[position : match.start()])
        plain.append(match.group(2))
        expected.add((match.group(1), match.group(2)))
        position = match.end()
    plain.append(marked[position:])
    return "".join(plain), expected

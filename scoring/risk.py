"""Recognise a direct risk question: suicide, self-harm, overdose, psychosis, safeguarding.

The patient answers such a question from its scenario's risk profile, and the report
recognises it as appropriate follow-up rather than a turn to rework, so both read the same
patterns from here.
"""

from __future__ import annotations

import re

#: Risk kinds a scenario's profile declares, in the order the report lists them.
RISK_KINDS: tuple[str, ...] = (
    "suicidal_thoughts",
    "self_harm",
    "overdose",
    "psychosis",
    "safeguarding",
)

#: Plain names for reports and messages.
RISK_LABELS: dict[str, str] = {
    "suicidal_thoughts": "thoughts of suicide",
    "self_harm": "self-harm",
    "overdose": "overdose",
    "psychosis": "psychotic symptoms",
    "safeguarding": "safeguarding",
}

# Checked in this order: "hurt yourself" is self-harm unless the turn also speaks of ending a
# life, and an overdose asked about as a way to die is a suicide question first.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "suicidal_thoughts",
        re.compile(
            r"suicid|kill(ing)? yourself|end(ing)? (your|it all|things|my life|it|their|one's)\b"
            r"|take (your|your own|their|their own) li(fe|ves)"
            r"|taking (your|their) (own )?li(fe|ves)"
            r"|want(ed|ing)? to die"
            r"|better off (dead|without you|not being here|if you (were|weren't))"
            r"|not (want|wanting) to (be here|be alive|live|wake up|go on)"
            r"|(don't|didn't) want to (be here|be alive|live|wake up|go on)"
            r"|wish(ed)? you (were|weren't) (dead|here|alive)|no (point|reason) (in )?living"
            r"|life (isn't|is not|wasn't) worth|thoughts? of (death|dying)|end your life"
            r"|harm yourself.*(die|dead|life)|plans? to (die|end)",
            re.IGNORECASE,
        ),
    ),
    (
        "self_harm",
        re.compile(
            r"self[- ]?harm|(hurt|harm|cut|cutting|burn|burning|injur\w*) "
            r"(yourself|your (arms?|legs?|skin|wrists?|body))\b"
            r"|hurting yourself|harming yourself|cutting yourself",
            re.IGNORECASE,
        ),
    ),
    (
        "overdose",
        re.compile(
            r"overdos|\bo\.?d\.?(ed|'d|ing)?\b|naloxone|narcan|tolerance|using alone"
            r"|use alone|(use|using) on your own|on your own when you use|fentanyl",
            re.IGNORECASE,
        ),
    ),
    (
        "psychosis",
        re.compile(
            r"hear(ing)? (voices|things)|voices|seeing things|see things (other|that)"
            r"|paranoi|being (watched|followed|monitored)|messages? (meant )?for you"
            r"|things (other people|others) can't|unusual (experiences|thoughts|beliefs)"
            r"|psychos|psychotic|hallucinat",
            re.IGNORECASE,
        ),
    ),
    (
        "safeguarding",
        re.compile(
            r"\b(is|are) (she|he|they|the (kids?|children|baby)|anyone|your (kids?|children"
            r"|daughter|son)) safe\b|safe at home|feel safe|anyone (hurting|hurt|threaten)"
            r"|safeguard"
            r"|(kids?|children|daughter|son|baby) (at risk|in danger|been hurt)"
            r"|left (alone|on their own)|neglect|abus(e|ed|ing)"
            r"|(anyone|someone|somebody|your (partner|ex|boyfriend|girlfriend|husband|wife))"
            r" (ever )?(hits?|hurts?|threatens?|harms?) you\b",
            re.IGNORECASE,
        ),
    ),
)


def risk_asked(text: str) -> str | None:
    """Return the risk kind a trainee turn asks or speaks about directly, or ``None``.

    Example:
        >>> risk_asked("Have you had any thoughts of ending your life?")
        'suicidal_thoughts'
        >>> risk_asked("How have you been sleeping?") is None
        True
    """
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return None

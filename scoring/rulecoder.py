"""Rules-only coding of a unit, and the human-readable reasons both coders give."""

from __future__ import annotations

from scoring.codes import CODES

F = dict[str, float]


def _advice_code(f: F) -> str:
    """Split advice into persuade / persuade_with_permission by the context (MITI 4.2.1)."""
    if f["permission_context"] or f["permission"] or f["discount"]:
        return "persuade_with_permission"
    return "persuade"


def _question_code(f: F) -> str:
    if (f["open_start"] or f["open_phrase"]) and not f["closed_wh"]:
        return "question_open"
    return "question_closed"


def _reflection_code(f: F) -> str:
    # MITI: "when in doubt, Simple over Complex"; complex needs positive evidence.
    if f["complex_marker"] or f["feeling_new"] or (f["has_prev"] and f["overlap"] < 0.15):
        return "reflection_complex"
    return "reflection_simple"


def rule_code(f: F) -> tuple[str, float]:
    """Code one unit from its rule features alone.

    Args:
        f: features from :func:`scoring.rules.features`.

    Returns:
        ``(code, confidence)``; the confidence is a fixed strength per rule.
    """
    if (f["backchannel_only"] or (f["other_phrase"] and f["short"])) and not f["qmark"]:
        return "other", 0.85
    if f["permission"] and f["qmark"]:
        return "seeking_collaboration", 0.75
    if f["confront"]:
        return "confront", 0.6
    if f["persuade"] or f["why_dont"] or f["warning"] or (f["imperative_start"] and not f["qmark"]):
        return _advice_code(f), 0.65
    if f["autonomy"]:
        return "emphasizing_autonomy", 0.65
    if f["qmark"]:
        if (f["so_start"] or f["refl_stem"]) and not (f["open_start"] or f["closed_start"]):
            return _reflection_code(f), 0.5
        if f["seek"] and not f["open_start"]:
            return "seeking_collaboration", 0.5
        return _question_code(f), 0.75
    if f["open_phrase"] and not f["you_start"]:
        return "question_open", 0.6
    if f["affirm"]:
        return "affirm", 0.6
    if f["seek"]:
        return "seeking_collaboration", 0.55
    if f["refl_stem"] or f["so_start"] or f["you_start"] or f["complex_marker"]:
        return _reflection_code(f), 0.55
    if f["other_phrase"] or f["short"]:
        return "other", 0.55
    if f["info"] or f["long"]:
        return "giving_information", 0.5
    return "other", 0.4


def rule_probabilities(code: str, confidence: float) -> dict[str, float]:
    """Spread the rest of the probability evenly over the other codes."""
    rest = (1.0 - confidence) / (len(CODES) - 1)
    return {c: (confidence if c == code else rest) for c in CODES}


def explain(code: str, f: F, by_model: bool) -> str:
    """Give a short human-readable reason for ``code`` from the evidence in ``f``.

    Args:
        code: the chosen code.
        f: the unit's rule features.
        by_model: whether the trained head (rather than a rule) chose the code.
    """
    base = {
        "question_open": "open question: invites the patient to answer in their own words",
        "question_closed": "closed question: can be answered yes/no or with a fact",
        "reflection_simple": "simple reflection: gives back what the patient said",
        "reflection_complex": "complex reflection: adds meaning the patient did not state",
        "affirm": "affirmation: appreciates the patient's strengths or efforts",
        "seeking_collaboration": "seeking collaboration: shares power with the patient",
        "emphasizing_autonomy": "emphasizing autonomy: leaves the choice with the patient",
        "giving_information": "giving information: neutral facts or feedback",
        "persuade_with_permission": "persuade with permission: advice after permission",
        "persuade": "persuade: advice or warning without permission",
        "confront": "confront: argues, corrects, labels or shames",
        "other": "other: not an MI behaviour (greeting, backchannel, structuring)",
    }[code]
    why = _evidence(code, f)
    text = f"{base} ({why})" if why else base
    return text if not by_model or why else f"{text}; model reading"


def _evidence(code: str, f: F) -> str:
    if code == "question_open":
        return "starts with a wh-word or 'tell me'" if f["open_start"] or f["open_phrase"] else ""
    if code == "question_closed":
        return "starts with a yes/no verb" if f["closed_start"] else ""
    if code in ("reflection_simple", "reflection_complex"):
        if code == "reflection_complex":
            if f["complex_marker"]:
                return "double-sided, summary or metaphor wording"
            if f["feeling_new"]:
                return "names a feeling the patient did not state"
            if f["has_prev"] and f["overlap"] < 0.15:
                return "goes beyond the patient's words"
            return ""
        if f["has_prev"] and f["overlap"] >= 0.3:
            return "repeats the patient's own words"
        return "reflection stem" if f["refl_stem"] or f["so_start"] else ""
    if code == "persuade_with_permission":
        if f["permission_context"]:
            return "permission was asked or advice requested earlier"
        return "asks permission first" if f["permission"] else "framed so it can be discounted"
    if code == "persuade":
        if f["warning"]:
            return "warning"
        if f["why_dont"]:
            return "'why don't you'"
        return "'you should/need to' without permission" if f["persuade"] else "directive"
    if code == "seeking_collaboration" and f["permission"]:
        return "asks permission"
    if code == "other" and f["backchannel_only"]:
        return "backchannel"
    return ""

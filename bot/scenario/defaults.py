"""Generic in-character answers, used where a scenario does not author its own."""

from __future__ import annotations

#: Answers to a readiness ruler question; ``{n}`` is replaced by the patient's readiness.
DEFAULT_RULER: tuple[str, ...] = (
    "I don't know. A {n}, maybe?",
    "Honestly? About a {n}.",
    "{n}. Ask me tomorrow and it might be different.",
    "Probably a {n}. Don't read too much into it.",
)

DEFAULT_IN_ROLE: dict[str, tuple[str, ...]] = {
    "greet": (
        "Hi. Yeah, hello.",
        "Hello. So... where do we start?",
        "Hi again. I'm still here.",
    ),
    "small_talk": (
        "It's fine, I suppose. Can we get on with it, though?",
        "Sure. Anyway, I haven't got all day.",
        "Ha, yeah. Anyway.",
    ),
    "bot_challenge": (
        "A bot? I'm sitting right here. Are you going to listen to me or not?",
        "I'm a person with a lot going on, thanks. What did you want to ask me?",
        "Funny. I was wondering the same about you, with all these questions.",
    ),
    "off_topic": (
        "I don't really see what that's got to do with anything.",
        "I'm not sure why you're asking me that. I thought we were here about me.",
        "No idea, sorry. Can we stick to why I'm here?",
    ),
    "instructions": (
        "Sorry, what? I'm not sure what you want me to do with that.",
        "I don't follow. I'm just here for the appointment.",
        "That's a strange thing to say to someone. Are we doing this or not?",
    ),
    "gibberish": (
        "Sorry, I didn't catch that.",
        "What was that? You lost me.",
        "Come again? That didn't make sense to me.",
    ),
    "other_language": (
        "Sorry, I only really speak English. Can you say it in English?",
        "I don't understand, sorry. English, please?",
    ),
    "farewell": (
        "Right. Bye, then.",
        "Okay. See you.",
    ),
    # Advice or a warning the patient did not ask for and lets pass: acknowledged, no more.
    "heard_out": (
        "Yeah. I know.",
        "Mm.",
        "Right.",
        "Yeah, I've heard that before.",
        "Okay.",
    ),
}

#: Answers to a request to share information or advice, by how the patient takes it.
DEFAULT_PERMISSION: dict[str, tuple[str, ...]] = {
    "yes": ("Go on, then.", "Yeah, okay. Go on.", "Sure, tell me."),
    "reluctant": ("If you have to.", "Go on. I can't promise I'll agree.", "Fine. Quickly."),
    "no": ("I'd rather you didn't, to be honest.", "Not right now, if that's all right."),
}

#: The patient's answer to a direct question about a risk the profile says is absent.
DEFAULT_RISK_NONE: dict[str, str] = {
    "suicidal_thoughts": "No. I get fed up, but not like that.",
    "self_harm": "No, I've never done anything like that.",
    "overdose": "No, that's not something that's happened to me.",
    "psychosis": "No. Nothing like that.",
    "safeguarding": "No, nobody's at risk. Everyone's safe.",
}

#: What a patient says when asked about a fact before they are ready to tell it.
DEFAULT_DEFLECT = "I'd rather not go into that just yet."

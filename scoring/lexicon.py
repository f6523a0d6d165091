"""Phrase lists behind the rule features (lower-case; matched on token boundaries)."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """Split a whitespace-separated word list."""
    return frozenset(text.split())


# Data, not logic: kept compact on purpose.
# fmt: off
FILLERS = _words(
    "so and but okay ok well um uh er mm hmm yeah right alright now then oh just"
)
OPEN_STARTS = _words(
    "what how why where when who which whats hows"
)
OPEN_PHRASES = [
    "tell me", "describe", "help me understand", "walk me through", "say more", "in what way",
    "in what ways", "talk about", "explain",
]
CLOSED_STARTS = _words(
    "do does did is are was were have has had can could would will should shall may might am  "
    "isn't aren't don't doesn't didn't won't wouldn't haven't hasn't any anything"
)
REFLECTION_STEMS = [
    "so you", "sounds like", "it sounds", "you feel", "you're feeling", "you are feeling",
    "you felt", "it seems", "you seem", "seems like", "what i'm hearing", "what i hear",
    "i'm hearing", "you're saying", "you are saying", "you said", "you're wondering",
    "you're worried", "you're not sure", "you aren't sure", "you've been", "you're really",
    "you don't want", "you want", "you wish", "you'd like", "you'd rather", "you're tired",
    "you're thinking", "you think", "you believe", "you value", "you care", "for you",
    "you're finding", "you find", "you noticed", "you've noticed", "you've tried",
    "you're not ready", "you're ready", "you really", "you're", "you've", "you'd", "you have",
    "you know that you", "if i understand", "let me see if i", "in other words",
    "correct me if", "you kind of", "you sort of",
]
COMPLEX_MARKERS = [
    "on the one hand", "on one hand", "the other hand", "part of you", "another part",
    "at the same time", "and yet", "even though", "it's almost like", "almost as if", "as if",
    "like a", "a bit like", "underneath", "deep down", "what matters to you", "matters to you",
    "important to you", "you value", "let me summarize", "let me sum up", "so far you've",
    "to sum up", "putting it together", "torn", "stuck between", "both", "no wonder",
    "a lot on your shoulders", "carrying", "for you it's", "it's about", "more than just",
    "not so much", "afraid that", "scared that", "worried that", "you're wondering whether",
    "you're wondering if", "the last thing you want", "what you really want",
    "you're the kind of",
]
FEELINGS = _words(
    "afraid angry annoyed anxious ashamed betrayed bored burned burnt confused defeated  "
    "devastated disappointed discouraged embarrassed exhausted fed-up frightened frustrated  "
    "guilty helpless hopeful hopeless hurt humiliated insecure isolated irritated lonely lost  "
    "nervous overwhelmed panicked powerless proud relieved resentful sad scared shame stuck  "
    "stressed terrified tired torn trapped uneasy upset unsure worn worried judged dismissed  "
    "invisible alone grief grieving fear fearful worry hurtful"
)
#: Words that make a patient's sentence a difficulty rather than something they value.
BURDEN = _words(
    "awful hate hated hard harder worse worst bad pain painful struggle struggling can't  "
    "cannot couldn't don't didn't won't never nothing nobody flat numb zombie sick ill scary  "
    "miss missed lose losing lost fail failed problem problems"
)
PERSUADE = [
    "you should", "you shouldn't", "you need to", "you have to", "you've got to", "you must",
    "you ought to", "you'd better", "you had better", "why don't you", "why not just",
    "why can't you", "i think you should", "i'd recommend", "i recommend", "i'd suggest",
    "i suggest", "my advice", "if i were you", "it's important that you",
    "it is important that you", "the best thing", "the best thing you can do",
    "you really should", "you really need", "what you need", "the only way", "you can't keep",
    "you cannot keep", "make sure you", "just try", "just stop", "you gotta", "i want you to",
    "i'd like you to", "you might want to", "you may want to", "it would be good if you",
    "it'd be good to", "it would be wise", "you owe it", "i strongly", "i'd really encourage",
    "i encourage you", "i urge you",
    # Softer spoken advice: still a suggestion meant to change what the patient does.
    "maybe you could", "you could try", "you could always", "you can try", "you might try",
    "you might consider", "i would recommend", "i would suggest", "what i'd recommend",
    "what i would recommend", "what i'd suggest", "what i would suggest", "my recommendation",
    "my suggestion", "i'd advise", "i would advise", "it would be a good idea",
    "it'd be a good idea", "it might be a good idea", "it's a good idea to", "one thing you could",
    "something you could", "what you could do", "what you want to do", "you'd be better off",
    "it would help if you", "it'd help if you", "i'd really recommend", "i'd encourage you",
    "i would encourage you", "i'd try", "i'd start", "i'd stop", "i'd definitely",
    "how about trying", "what about trying",
]
IMPERATIVE_STARTS = _words(
    "try stop cut quit take make go get start avoid consider keep put call eat drink think  "
    "switch skip use give set talk throw limit remember don't"
)
WARNINGS = [
    "if you don't", "if you keep", "if you continue", "you'll end up", "you will end up",
    "you could die", "you're going to end up", "you're going to lose", "you'll lose",
    "otherwise you", "or else", "before it's too late", "it will kill", "it'll kill",
    "you're killing", "you will regret", "you'll regret", "it's only going to get worse",
]
PERMISSION = [
    "would it be ok if i", "would it be okay if i", "would it be alright if i",
    "would it be all right if i", "is it ok if i", "is it okay if i", "is it alright if i",
    "can i share", "can i make", "could i make", "can i suggest", "could i suggest",
    "may i suggest", "can i give", "could i share", "may i share", "can i tell you",
    "could i tell you", "can i offer", "could i offer", "may i offer", "may i",
    "do you mind if i", "would you mind if i", "would you like me to",
    "would you like some information", "would you like to hear", "would you be interested in",
    "are you interested in hearing", "would it help if i", "would you be open to",
    "are you open to hearing", "can i give you", "could i give you", "mind if i", "okay if i",
    "ok if i", "would it be helpful if i", "would that be helpful", "want to hear",
]
DISCOUNT = [
    "may or may not", "might not apply", "may not apply", "take it or leave it",
    "see what you think", "you might not agree", "you may not agree", "not sure if it fits",
    "see if it fits", "you're the judge", "only you can decide", "for what it's worth",
    "some people find", "some people have found", "others have found", "what some people do",
    "one option", "you can take it or leave", "this might not be for you",
    "you know best whether", "see whether any of this", "see if any of this",
]
AUTONOMY = [
    "it's your choice", "it is your choice", "your choice", "up to you", "your decision",
    "you decide", "you get to decide", "you're the one who decides", "you're the one who",
    "you know yourself best", "you know yourself", "whatever you decide", "your call",
    "it's your life", "nobody can make you", "no one can make you", "no one can decide",
    "you're in charge", "you're in control", "you are in control", "on your terms",
    "the expert on you", "expert on your own", "in your hands", "only you can",
    "you can choose", "you're free to", "you are free to", "whichever you choose",
    "you don't have to", "your own pace", "your own way", "totally your", "entirely your",
]
SEEK = [
    "let's", "let us", "together", "work together", "work on this together",
    "figure this out together", "what do you think", "your thoughts", "your ideas",
    "how does that sound", "does that sound", "what would you like to", "where would you like",
    "what would be most helpful", "what would be helpful", "what do you make of",
    "does that fit", "does that make sense to you", "i'd like to hear", "i'd love to hear",
    "we could", "we can", "what are your ideas", "you tell me", "how would you like",
    "what should we", "shall we", "should we", "i wonder if we", "your input",
]
AFFIRM = [
    "you've worked hard", "you worked hard", "that took courage", "it took courage",
    "takes courage", "courage", "courageous", "brave", "that takes", "you're clearly",
    "i appreciate", "i really appreciate", "good for you", "you really care", "real strength",
    "a strength", "impressive", "you've done well", "you did well", "it's clear you",
    "it's clear that you", "you're someone who", "you are someone who", "you've managed",
    "you managed", "you've already", "you've stuck", "well done", "that's great that you",
    "it's great that", "i admire", "you should be proud", "you're determined", "you're a",
    "resourceful", "thank you for sharing", "thanks for being so honest",
    "thank you for being honest", "you showed", "you've shown", "you handled",
    "you've come a long way", "committed", "you cared enough", "that's a big step",
    "a big step", "you're really trying",
]
CONFRONT = [
    "you're in denial", "in denial", "that's not true", "that isn't true",
    "you're making excuses", "just making excuses", "excuses", "you know better",
    "you're lying", "be honest", "you're not being honest", "you're an addict",
    "you're an alcoholic", "irresponsible", "you're not really trying",
    "what were you thinking", "how could you", "you always", "you never", "come on",
    "seriously", "that doesn't make sense", "you have to admit", "admit it", "obviously",
    "you're kidding yourself", "kidding yourself", "fooling yourself", "that's ridiculous",
    "that's silly", "you're wrong", "your fault", "selfish", "you don't care", "stop blaming",
    "stop pretending", "face the facts", "face it", "wake up", "you're just", "no excuse",
    "how many times", "i told you so", "like i told you", "don't you care",
    "ashamed of yourself", "you can't be serious", "that's on you", "grow up",
    "you're not listening", "the problem is you", "you're the problem",
]
INFO = [
    "research shows", "studies show", "studies have shown", "the research", "evidence",
    "most people", "many people", "it's common", "it is common", "is common", "typically",
    "usually", "on average", "per cent", "percent", "the risk", "risks", "side effect",
    "side effects", "can cause", "may cause", "can lead to", "is linked", "is associated",
    "the guidelines", "guidelines", "recommended", "the clinic", "the service", "we offer",
    "there is", "there are", "there's a", "it means", "this means", "which means",
    "the way it works", "works by", "is a medication", "the medication", "the dose",
    "appointment", "available", "open from", "you can call", "you can reach", "the number",
    "blood test", "blood tests", "the results", "your results", "your test", "naloxone",
    "units", "milligrams", "mg", "weeks", "hours", "per day", "a day", "a week", "in general",
    "generally", "the body", "your body", "the brain", "your brain",
    "what we know", "we know that", "the evidence", "the recommendation", "is recommended",
    "are recommended", "the limit", "the target", "the normal range", "in the normal range",
    "higher risk", "increases the risk", "raises the risk", "lowers the risk", "is linked to",
    "are linked to", "is known to", "a known side effect", "out of ten", "out of a hundred",
    "one in", "twice as likely", "times more likely", "less likely", "more likely",
]
BACKCHANNELS = _words(
    "mm mhm mm-hmm mmhmm uh-huh uhhuh hmm okay ok right yeah yes yep sure i see alright all  "
    "right got it gotcha great good cool oh wow really yup understood"
)
OTHER_PHRASES = [
    "hi", "hello", "good morning", "good afternoon", "good evening", "nice to meet you",
    "thanks for coming", "thank you for coming", "thanks", "thank you", "bye", "goodbye",
    "see you", "take care", "have a good", "welcome", "we have about", "we've got about",
    "minutes", "today i'd like", "today we", "before we start", "to get started", "my name is",
    "i'm a", "i'll be", "i will be", "let me just", "hold on", "sorry", "excuse me",
    "one moment", "just a second", "the weather", "traffic", "parking", "next week",
    "next time", "our time", "we're out of time", "wrap up", "paperwork", "i'm going to",
    "let me grab", "how are you", "how's it going",
]
NUMBER_WORDS = _words(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty  "
    "forty fifty hundred thousand half quarter percent dozen"
)
#: A trainee announcing a summary: the clauses after it give back what the patient said.
SUMMARY_OPENERS = [
    "let me see if i've got this", "let me see if i have this", "let me see if i got this",
    "let me see if i've got that", "let me see if i got that", "let me make sure i've got",
    "let me make sure i understand", "let me make sure i have", "if i've got this right",
    "if i have this right", "if i've got that right", "let me summarize", "let me summarise",
    "let me sum up", "let me sum that up", "to sum up", "to summarize", "to summarise",
    "in summary", "let me recap", "to recap", "so to recap", "just to recap",
    "let me pull that together", "let me pull this together", "let me pull together",
    "let me put that together", "putting it together", "putting it all together",
    "let me try to summarize", "let me try to summarise", "let me check i've got",
    "let me check that i've got", "let me check i understand", "what i've heard so far",
    "so far you've told me", "so far i've heard",
]
REFUSALS = [
    "no", "nope", "not really", "i'd rather not", "rather not", "no thanks", "not now",
    "i don't want to hear", "don't lecture", "please don't",
]
ADVICE_REQUESTS = [
    "what should i do", "what would you do", "what do you think i should", "any advice",
    "any suggestions", "any tips", "tell me what to do", "what do you suggest",
    "what do you recommend", "what can i do", "sure", "go ahead", "yes please", "okay, tell me",
    "i'd like to hear", "i'm listening", "what is it",
]
# fmt: on

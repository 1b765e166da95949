"""Chat shorthand readers type in Discord, read as the words it stands for ("r u", "abt", "nite").

Applied like the intents' own aliases (to questions and examples alike), below them: an intent's
alias for the same word wins. Only spellings that mean one thing in a chat about an article; a
word of the article's own ("us") is never one. "u s" is how "U.S." reads once normalised: such
initials are joined back first (phrases go before words), so "u" (you) cannot take them apart.
"""

from __future__ import annotations

SHORTHAND: dict[str, str] = {
    "u s": "us",
    "u n": "un",
    "u k": "uk",
    "u": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "y": "why",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "tho": "though",
    "thru": "through",
    "nite": "night",
    "tonite": "tonight",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "govt": "government",
    "gov": "government",
    "conf": "conference",
    "wat": "what",
    "wut": "what",
    "wats": "whats",
    "dis": "this",
    "dat": "that",
    "da": "the",
    "b4": "before",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "dunno": "do not know",
    "idk": "i do not know",
    "ya": "you",
    "yr": "year",
    "yrs": "years",
    "w": "with",
}

"""Positive, neutral or negative per comment, from a shipped lexicon and a few rules (nl, en).

No model and no network: every word's polarity is in a shipped lexicon per language
(`analysis.text.sentiment_lexicon` reads them and describes their format; its
`load_lexicon` and `parse_lexicon` are importable from here too). A comment's score is
the sum of its polar words after these rules, squashed into -1..1:

- words and multi-word phrases are looked up as written, then by their base form with
  inflection removed ("vriendelijke", "lekkerste", "slower", "bullied"), then (a Dutch
  compound) by their longest known tail ("klantvriendelijk" → "vriendelijk"); a negating
  prefix turns a positive word negative ("onduidelijk", "unhelpful"). Not by Snowball
  stem: Dutch Snowball strips derivations too and joins words of opposite meaning
  ("geweldig"/"geweld", "mals"/"maal", "vriendelijk"/"vriend");
- negation: a negator ("niet", "geen", "never", "n't", "without", ...) up to three words
  before a polar word in the same clause flips it; a negated positive word becomes about
  as negative as it was positive, a negated negative word only mildly positive ("not
  bad"). Dutch also negates after the verb ("ik waardeer dat niet"). A negator that flips
  nothing says something is missing ("er is nooit tijd") and counts mildly negative;
- intensifiers and downtoners ("erg", "heel", "a bit") scale the polar word after them;
- excess: Dutch "te"/English "too" before a degree word ("te druk", "too many") is
  negative;
- contrast: after "maar"/"but"/"echter"/"however" the text counts more, before it less,
  within its sentence (and the one before, when it opens a sentence); a concessive
  clause ("hoewel ...", "although ...") counts less;
- wishes and suggestions ("Graag meer overleg", "it would be nice if ...") ask for
  change: their positive words do not count as praise and their negative words count
  half, so a suggestion is neutral (measured; see the README);
- exclamation marks strengthen the whole comment a little.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from analysis.text.sentiment_lexicon import Lexicon, load_lexicon
from analysis.text.sentiment_lexicon import parse_lexicon as parse_lexicon

Label = Literal["positive", "neutral", "negative"]
LABELS: tuple[Label, ...] = ("positive", "neutral", "negative")
DIGITS = 4

# Rule strengths, chosen by measurement on the dev sets (README, "Sentiment").
NEGATED_POSITIVE = -0.9  # "niet goed" is nearly as negative as "goed" is positive
NEGATED_NEGATIVE = -0.4  # "not bad" is mildly positive, not praise
NEGATION_CAP = 1.0  # a negated word weighs at most this much before the flip
UNATTACHED_NEGATOR = -0.4  # "er is geen overleg": something is missing
EXCESS = -1.0  # "te druk", "too many"
EXCESS_BOOST = 1.3  # "te duur" is worse than "duur"
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
CONCESSIVE = 0.5
WISH_POSITIVE = 0.0  # "meer waardering graag" is not praise
WISH_NEGATIVE = 0.5  # "less paperwork please" names a problem, but as a suggestion
# (a wish as mildly negative in itself, -0.4 per wish, lowered macro-F1: README)
EXCLAMATION = 0.1  # per "!", at most three
PREFIX_BOOST = 1.3  # "supervriendelijk"
COMPOUND_TAIL = 6  # letters of a compound's known tail (and of its base form)
SHORTEST_BASE = 5  # letters of a base form after a negating prefix
LOAN_WORD = 5  # letters of an English word that a Dutch comment may borrow
NEGATION_WINDOW = 3
INTENSIFIER_WINDOW = 2
SQUASH = 4.0  # score = raw / sqrt(raw² + SQUASH): one plain "goed" is about 0.45
NEUTRAL_BAND = 0.1  # |score| below this is neutral

_TOKEN = re.compile(
    r"\[[^\]\s]+\]"  # a redaction placeholder such as [naam]: dropped
    r"|[:;=]-?[()dp]"  # emoticons (the text is lower-cased first)
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF]"  # emoji
    r"|\w+(?:['-]\w+)*"
    r"|[.!?;:,]+|\n"
)
_SENTENCE_END = frozenset(".!?;\n")
EMOTICONS = {
    ":)": 1.0, ":-)": 1.0, "=)": 1.0, ";)": 0.5, ";-)": 0.5, ":d": 1.5, ":-d": 1.5,
    ":p": 0.5, ":(": -1.0, ":-(": -1.0, "=(": -1.0,
    "👍": 1.0, "😊": 1.0, "🙂": 1.0, "😀": 1.0, "😃": 1.0, "😄": 1.0, "😁": 1.0, "😍": 1.5,
    "❤": 1.0, "👏": 1.0, "💪": 1.0, "👎": -1.0, "🙁": -1.0, "😞": -1.0, "😕": -0.5,
    "😢": -1.0, "😭": -1.5, "😡": -1.5, "😠": -1.5, "🤬": -2.0, "😩": -1.0, "😤": -1.0,
}  # fmt: skip


def _ends_sentence(token: str) -> bool:
    return token[0] in _SENTENCE_END and token not in EMOTICONS


@dataclass(frozen=True)
class Sentiment:
    """One comment's sentiment: ``label`` and a ``score`` in -1..1 (0: nothing polar)."""

    label: Label
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "score": self.score}


def tokenize(text: str, lexicon: Lexicon) -> list[str]:
    """Lower-case words, punctuation and emoticons; multi-word expressions as one token."""
    raw = [
        token
        for token in _TOKEN.findall(text.lower().replace("’", "'").replace("`", "'"))
        if not token.startswith("[")
    ]
    tokens: list[str] = []
    i = 0
    while i < len(raw):
        for expression in lexicon.multiword.get(raw[i], ()):
            if tuple(raw[i : i + len(expression)]) == expression:
                tokens.append(" ".join(expression))
                i += len(expression)
                break
        else:
            tokens.append(raw[i])
            i += 1
    return tokens


@cache
def word_weight(word: str, language: str) -> float:
    """The polarity weight of one lower-case word (0.0 when it is not in the lexicon)."""
    lexicon = load_lexicon(language)
    found = _lookup(word, lexicon, compound=True)
    if not found and language == "nl" and len(word) >= LOAN_WORD:
        # Dutch comments borrow English praise and blame ("toxic", "awesome", "happy");
        # as written only, and not short words that are also Dutch ("kind", "arm").
        english = load_lexicon("en")
        found = english.words.get(word, english.exact.get(word, 0.0))
    return found


_VOWELS = frozenset("aeiouy")
_DERIVATIONAL_HEADS = frozenset({"ver", "ont", "her", "mis", "ge", "be", "er"})


def _dutch_bases(word: str) -> Iterable[str]:
    """Possible base forms: "lekkerste" → "lekker", "trage" → "traag", "vieze" → "vies"."""
    for suffix in ("etjes", "etje", "tjes", "tje", "jes", "je"):  # complimentje → compliment
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            yield word[: -len(suffix)]
    for suffix in ("ste", "st", "dere", "der", "ere", "er", "en", "e", "s", "t", "de", "te"):
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        base = word[: -len(suffix)]
        yield base
        if suffix[0] not in _VOWELS:  # spelling changes only before a vowel ("zwart" ≠ "zwaar")
            continue
        if base[-1] == base[-2] and base[-1] not in _VOWELS:  # snelle → snel
            yield base[:-1]
        final = {"z": "s", "v": "f"}.get(base[-1], base[-1])  # vieze → vies, lieve → lief
        if final != base[-1]:
            yield base[:-1] + final
        if base[-2] in "aeou" and base[-3] not in _VOWELS and base[-1] not in _VOWELS:
            yield base[:-2] + base[-2] + base[-2:-1] + final  # trage → traag, boze → boos


def _english_bases(word: str) -> Iterable[str]:
    """Possible base forms: "slower" → "slow", "bullied" → "bully", "valuing" → "value"."""
    for suffix, replacements in (
        ("iest", ("y",)), ("ier", ("y",)), ("ies", ("y",)), ("ied", ("y",)), ("ily", ("y",)),
        ("est", ("", "e")), ("ing", ("", "e")), ("ed", ("", "e")), ("er", ("", "e")),
        ("ly", ("", "le")), ("es", ("",)), ("s", ("",)),
    ):  # fmt: skip
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        stem = word[: -len(suffix)]
        for replacement in replacements:
            yield stem + replacement
        if stem[-1] == stem[-2] and stem[-1] not in _VOWELS:  # stopped → stop
            yield stem[:-1]


def _direct(word: str, lexicon: Lexicon, shortest: int = 1) -> float | None:
    """The weight of a listed word or of its base form (at least ``shortest`` letters)."""
    if word in lexicon.exact:
        return lexicon.exact[word]
    if word in lexicon.words:
        return lexicon.words[word]
    if " " in word:
        return lexicon.phrases.get(tuple(word.split()))
    bases = _dutch_bases(word) if lexicon.language == "nl" else _english_bases(word)
    for base in bases:
        if base in lexicon.words and len(base) >= shortest:
            return lexicon.words[base]
    return None


def _lookup(word: str, lexicon: Lexicon, compound: bool) -> float:
    if word in EMOTICONS:
        return EMOTICONS[word]
    found = _direct(word, lexicon)
    if found is not None:
        return found
    if "-" in word:  # "user-friendly", "klant-onvriendelijk": the last part decides
        head, tail = word.split("-", 1)[0], word.rsplit("-", 1)[1]
        found = _lookup(tail, lexicon, compound)
        if head in lexicon.negators or head in lexicon.negating_prefixes:  # "niet-goed"
            return min(found, NEGATION_CAP) * NEGATED_POSITIVE if found > 0 else found
        return found
    for prefix in lexicon.negating_prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            # "onprettige" → "prettig"; not "ondanks" → "dank" (a base of five letters).
            base = _direct(word[len(prefix) :], lexicon, shortest=SHORTEST_BASE)
            if base is not None and base > 0:
                return -base
    for prefix in lexicon.intensifying_prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            base = _lookup(word[len(prefix) :], lexicon, compound=False)
            if base:
                return base * PREFIX_BOOST
    if compound and lexicon.compounds:
        # A closed compound by its longest listed tail of six letters or more
        # ("klantvriendelijk" → "vriendelijk", "keukenlawaai" → "lawaai"). Shorter tails
        # hide inside unrelated words ("regelmatig", "ontvangst", "landgoed"), and a
        # derivational head is no compound ("verwachten" is not "wachten").
        for start in range(3, len(word) - COMPOUND_TAIL + 1):
            if word[:start] in _DERIVATIONAL_HEADS:
                continue
            tail = word[start:]
            if tail in lexicon.exact:  # "teamgenoten" is not "genoten"
                continue
            found = lexicon.words.get(tail)
            if found is None:
                found = _direct(tail, lexicon, shortest=COMPOUND_TAIL)
            if found:
                return found
    return 0.0


def _is_boundary(token: str) -> bool:
    """Punctuation and line breaks end a clause (emoticons and emoji do not)."""
    return token[0] in ".!?;:,\n" and token not in EMOTICONS


def _contributions(tokens: Sequence[str], lexicon: Lexicon) -> tuple[list[float], float, float]:
    """Each token's share of the raw score, and the exclamation marks' factor."""
    language = lexicon.language
    n = len(tokens)
    boundary = [_is_boundary(token) for token in tokens]
    negator = [lexicon.is_negator(t) for t in tokens]
    weights = [
        0.0 if boundary[i] or negator[i] or t in lexicon.post_negators else word_weight(t, language)
        for i, t in enumerate(tokens)
    ]

    def clause_start(i: int) -> bool:
        return i == 0 or boundary[i - 1]

    contrasts: list[int] = []  # where a contrast turns the text
    concessive_spans: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        is_contrast = token in lexicon.contrast
        if (is_contrast or token in lexicon.concessive) and (i + 1 == n or boundary[i + 1]):
            # "Good food. Slow service though." — the contrast opens its sentence.
            j = i
            while j > 0 and not _ends_sentence(tokens[j - 1]):
                j -= 1
            contrasts.append(j)
        elif is_contrast or (token in lexicon.clause_contrast and clause_start(i)):
            contrasts.append(i)
        elif token in lexicon.concessive:
            end = i + 1
            while end < n and not boundary[end] and tokens[end] not in lexicon.contrast:
                end += 1
            concessive_spans.append((i, end))

    # Modifiers: an intensifier before a polar word scales it (and is not polar itself).
    # "te"/"too" before a degree word or a negative word becomes one negative unit.
    factor = [1.0] * n
    used: set[int] = set()  # negators that flipped a word
    consumed: set[int] = set()  # words that are part of an excess unit ("te weinig")
    flipped: set[int] = set()  # polar words that a negation flipped
    for i, token in enumerate(tokens):
        if boundary[i]:
            continue
        if token in lexicon.excess and i + 1 < n and not boundary[i + 1]:
            following = tokens[i + 1]
            if following in lexicon.excess_words or weights[i + 1] < 0:
                weights[i] = min(EXCESS, weights[i + 1] * EXCESS_BOOST)
                weights[i + 1] = 0.0
                consumed.add(i + 1)  # "te weinig" is one unit: "weinig" negates nothing
                continue
        if token in lexicon.intensifiers:
            for j in range(i + 1, min(n, i + 1 + INTENSIFIER_WINDOW)):
                if boundary[j]:
                    break
                if weights[j] and tokens[j] not in lexicon.intensifiers:
                    factor[j] *= 1 + lexicon.intensifiers[token]
                    weights[i] = 0.0
                    break
                if tokens[j] not in lexicon.intensifiers and not negator[j]:
                    break

    contributions = [0.0] * n
    for i in range(n):
        weight = weights[i]
        if not weight or boundary[i]:
            continue
        negated = i >= 2 and tokens[i - 1] in lexicon.disjunctions and (i - 2) in flipped
        stop = i - 1 if negated else max(-1, i - 1 - NEGATION_WINDOW)
        for j in range(i - 1, stop, -1):
            if boundary[j] or tokens[j] in lexicon.contrast:
                break
            if negator[j] and j not in consumed:
                negated = True
                used.add(j)
                break
        if not negated:
            # "de motivatie is weg"; and Dutch puts "niet" after the verb: "ik waardeer dat
            # niet", "het klopt niet met ...": right after the word or at the clause's end.
            for j in range(i + 1, min(n, i + 1 + NEGATION_WINDOW)):
                if boundary[j] or weights[j]:
                    break
                if j in consumed:
                    continue
                if tokens[j] in lexicon.post_negators:
                    negated = True
                elif lexicon.post_negation and negator[j]:
                    negated = j == i + 1 or j + 1 == n or boundary[j + 1]
                if negated:
                    used.add(j)
                    break
        weight *= factor[i]
        if negated:
            flipped.add(i)
            # "niet schitterend" is not "verschrikkelijk": a negated word is at most plain.
            capped = math.copysign(min(abs(weight), NEGATION_CAP), weight)
            weight = capped * (NEGATED_POSITIVE if weight > 0 else NEGATED_NEGATIVE)
        contributions[i] = weight
    for i, token in enumerate(tokens):
        if i in used or i in consumed or not (negator[i] or token in lexicon.post_negators):
            continue
        # "Nee.", "Niets", "None": a comment of negators only answers "nothing to add".
        if any(not boundary[j] and not negator[j] for j in range(n)):
            contributions[i] = UNATTACHED_NEGATOR

    # Wishes, per sentence: a request for change is not praise.
    start = 0
    for end in range(n + 1):
        if end < n and not _ends_sentence(tokens[end]):
            continue
        sentence = tokens[start:end]
        if sentence and _is_wish(sentence, lexicon):
            for i in range(start, end):
                if tokens[i] not in lexicon.recommendations:
                    contributions[i] *= WISH_POSITIVE if contributions[i] > 0 else WISH_NEGATIVE
        start = end + 1

    for begin, end in concessive_spans:
        for i in range(begin, end):
            contributions[i] *= CONCESSIVE
    # A contrast reaches to the ends of its sentence, or back over the sentence before
    # when it opens one ("Goed werk. Maar de werkdruk ..."), not over a whole long comment.
    for p in contrasts:
        start = p
        while start > 0 and not _ends_sentence(tokens[start - 1]):
            start -= 1
        if start == p and start > 0:
            start -= 1
            while start > 0 and not _ends_sentence(tokens[start - 1]):
                start -= 1
        end = p
        while end < n and not _ends_sentence(tokens[end]):
            end += 1
        for i in range(start, p):
            contributions[i] *= BEFORE_CONTRAST
        for i in range(p + 1, end):
            contributions[i] *= AFTER_CONTRAST
    exclamations = sum(tokens[i].count("!") for i in range(n) if boundary[i])
    return contributions, 1 + EXCLAMATION * min(exclamations, 3)


def _is_wish(sentence: Sequence[str], lexicon: Lexicon) -> bool:
    words = [token for token in sentence if token[0].isalnum()]
    if not words:
        return False
    if words[0] in lexicon.change_words and (len(words) < 2 or words[1] not in ("dan", "than")):
        return True
    if not lexicon.wish_phrases.isdisjoint(words):
        return True
    return not lexicon.wish_markers.isdisjoint(words) and not lexicon.change_words.isdisjoint(words)


def score_text(text: str, language: str) -> float:
    """The score of one text in -1..1 (0.0 when nothing in it is polar)."""
    lexicon = load_lexicon(language)
    contributions, exclamation = _contributions(tokenize(text, lexicon), lexicon)
    raw = sum(contributions) * exclamation
    return raw / math.sqrt(raw * raw + SQUASH)


def explain(text: str, language: str) -> list[tuple[str, float]]:
    """Why a text got its score: each token with a non-zero contribution to the raw score.

    Exclamation marks appear as ``("(!)", factor)``.
    For editing the lexicon: ``explain("Niet goed, maar prima", "nl")``.
    """
    lexicon = load_lexicon(language)
    tokens = tokenize(text, lexicon)
    contributions, exclamation = _contributions(tokens, lexicon)
    found = [(t, round(c, DIGITS)) for t, c in zip(tokens, contributions, strict=True) if c]
    if exclamation != 1:
        found.append(("(!)", exclamation))
    return found


def label_of(score: float, band: float = NEUTRAL_BAND) -> Label:
    """``neutral`` inside the band around 0, else the sign's label."""
    if score >= band:
        return "positive"
    if score <= -band:
        return "negative"
    return "neutral"


def comment_sentiment(
    texts: Sequence[str], languages: Sequence[str], band: float = NEUTRAL_BAND
) -> list[Sentiment]:
    """The sentiment of each comment, in order.

    Parameters
    ----------
    texts : sequence of str
        The (redacted) comments; empty text and placeholders only (``"[naam]"``) are
        neutral.
    languages : sequence of str
        ``"nl"`` or ``"en"`` per comment, e.g. from `analysis.text.language.detect_languages`.
    band : float
        Scores with an absolute value below this are ``neutral``.
    """
    if len(texts) != len(languages):
        raise ValueError("one language per comment is needed")
    results = []
    for text, language in zip(texts, languages, strict=True):
        score = round(score_text(text or "", language), DIGITS) + 0.0  # no -0.0
        results.append(Sentiment(label_of(score, band), score))
    return results


def sentiment_shares(
    assignments: Sequence[str | None],
    labels: Sequence[str | Sentiment],
    theme_ids: Iterable[str],
) -> dict[str, dict[str, float | int]]:
    """Per theme, the share of its comments that are positive, neutral and negative.

    ``assignments`` is the theme id per comment (None: no theme; such comments count
    nowhere), ``labels`` the sentiment per comment in the same order (labels or
    `Sentiment` objects). Returns ``{theme id: {"positive": share, "neutral": share,
    "negative": share, "n": comments}}``; the shares of a theme with comments add up to 1
    (up to rounding), a theme without comments has n 0 and shares 0.0. No gate is applied
    here: the caller shows a theme's shares only when its n passes the comment minimum.
    """
    if len(assignments) != len(labels):
        raise ValueError("one sentiment label per comment is needed")
    counts = {theme_id: dict.fromkeys(LABELS, 0) for theme_id in theme_ids}
    for theme_id, label in zip(assignments, labels, strict=True):
        if theme_id is None:
            continue
        name = label.label if isinstance(label, Sentiment) else label
        if name not in LABELS:
            raise ValueError(f"unknown sentiment label {name!r}; expected one of {LABELS}")
        if theme_id not in counts:
            raise ValueError(f"comment assigned to {theme_id!r}, which is not in theme_ids")
        counts[theme_id][name] += 1
    result: dict[str, dict[str, float | int]] = {}
    for theme_id, by_label in counts.items():
        n = sum(by_label.values())
        shares: dict[str, float | int] = {
            label: round(count / n, DIGITS) if n else 0.0 for label, count in by_label.items()
        }
        shares["n"] = n
        result[theme_id] = shares
    return result

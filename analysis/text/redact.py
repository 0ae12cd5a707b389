"""Personal data in free text becomes placeholders before anything is stored or shown.

Covered, in this order (a placeholder is never matched again):

- ``[e-mail]``: e-mail addresses.
- ``[iban]``: IBANs, with or without spaces, upper or lower case, only when the mod-97
  check passes (so an order or case number that looks like one stays).
- ``[telefoon]``: Dutch phone numbers: ``06-12345678``, ``06 1234 5678``, ``0612345678``,
  ``+31 6 12345678``, ``+31 (0)6 ...``, ``0031 6 ...``, ``020-1234567``, ``(020) 123 45 67``,
  ``0513-123456``: a leading ``0``/``+31``/``0031`` and nine more digits, separated by at
  most one space, dot or hyphen at a time.
- ``[bsn]``: nine digits (also ``1234.56.782`` / ``123 456 782``) that pass the elfproef,
  and eight digits that pass it with a leading zero added (BSNs that start with 0 are
  often written without it). About one in eleven random 8- or 9-digit numbers also
  passes: such numbers are redacted too; that is the safe side.
- ``[adres]``: postcodes (``1234 AB``, ``1234AB``, with or without a house number after
  them) and a street name with a Dutch street suffix plus house number
  (``Dorpsstraat 12a``). Adjacent address parts become one placeholder.
- ``[naam]``: names of people outside the organisation (aldermen, clients, family),
  always, with or without a `Directory` (`redact_unlisted_names`):

  - a name after a title or form of address: ``wethouder Bolkestein-Vermeulen``,
    ``mevrouw de Groot``, ``meneer J.P. van den Berg``, ``dhr. Jansen``, ``collega
    Pieter``, ``mijn buurvrouw Fatma``, ``Dr. A. Jones`` become ``wethouder [naam]`` and so
    on: the title stays, the name goes (`TITLES`, `ABBREVIATED_TITLES`). A name is one or
    more capitalised words (also ``Bolkestein-Vermeulen``, ``O'Brien``), initials (``J.``,
    ``J.P.``, ``A.B.C.``) and tussenvoegsels between or before them; "wethouder Jansen en
    Pietersen" loses both names;
  - initials followed by a surname, without a title: ``J. de Vries``, ``A.B. Jansen``
    (not ``N.B.``, ``P.S.`` and other dotted abbreviations, `ABBREVIATIONS`).

  A capitalised word is a name only in those places, so these stay: "De Wethouder heeft
  gesproken." (no capital after the title), "Mevrouw, ik wil ..." and "mijn collega.
  Pieter ..." (a comma or full stop after a written-out title ends it), "Collega's zijn
  fijn" and "de collega's van Burgerzaken" (a plural names a group), "mijn moeder in
  Amsterdam" (a preposition-like tussenvoegsel cannot start a name), "collega Ik ben
  blij" (capitalised stop words are no name, except a few first names in
  `NAME_STOP_WORDS`: "collega Wil"), "manager ICT" (all capitals) and every capitalised
  word that follows no title. Misses: names written in lower case or all capitals.
  Where it is unsure the safe side wins: after a title a capitalised word is taken for a
  name even when it is a place or a department ("collega van Burgerzaken", "wethouder
  van Financiën" become "collega [naam]", "wethouder [naam]"; a role with its department
  mostly names one person anyway), and one capital with a full stop before a capitalised
  word is an initial ("type A. Mensen" becomes "type [naam]"). Measured on the 896 Dutch
  sentences of the theme dev set (restaurant reviews): 2 change, a daughter and a
  son-in-law named by their first names, and "E. Vermoeden" in a signature line.
- ``[naam]``: names of people in the organisation's own `Directory`.

Names: every first name and surname part of the directory is matched in any letter case,
and with one typo (edit distance 1, adjacent swaps included) for parts of at least five
letters. Tussenvoegsels (``van``, ``de``, ``van der``, ...) are taken along when they stand
before a matched name, never redacted alone. The trade-off: a name part that is also an
ordinary word (``Bakker``, ``Bos``, ``de Groot``, ``Roos``, ``Meer``, or any stop word) is
redacted only when it is capitalised and either stands next to another name part or a
tussenvoegsel, or is not the first word of a sentence; lower-case ``bakker`` alone stays,
so "de bakker" in a comment about the canteen is kept, at the cost of missing a
lower-cased colleague called Bakker written without a first name. Typos are only matched
against names that are not ordinary words, and a word that is itself ordinary is never a
typo of a name (``willen`` is not Willem). Extend `COMMON_WORDS` or pass ``common_words``
for an organisation whose names collide with its jargon.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.text.stopwords import stop_words, word_set

EMAIL = "[e-mail]"
PHONE = "[telefoon]"
BSN = "[bsn]"
IBAN = "[iban]"
ADDRESS = "[adres]"
NAME = "[naam]"
PLACEHOLDERS = (EMAIL, PHONE, BSN, IBAN, ADDRESS, NAME)

TUSSENVOEGSELS = word_set(
    "van de der den het 't ter ten te in op aan bij onder over uit voor vd v.d. d' da "
    "das del della di do dos du el al la le les lo von zu zum bin ben ibn abu"
)

# Dutch and English words that are also frequent surnames or first names (see the module
# docstring for what this changes).
COMMON_WORDS = word_set(
    "bakker visser smit mulder bos vos kok koster dekker brouwer groot wit graaf meer "
    "berg dijk boer jong klein lange hoek veen beek bosch molen water kramer schipper "
    "timmerman schilder post prins koning keizer ridder bruin zwart rood wolf haan "
    "vogel kuiper boom hout steen akker weg brink haas mol baas kaas bas roos fleur "
    "hoop mooi sterk goed blom kamp storm winter zomer dag nacht linde wal dam kerk "
    "stam vink zwaan kraai mees valk bloem tuin poort brug smith baker cook miller "
    "brown white black green young king wood hill may rose hope grace faith joy will "
    "mark bill frank rich sandy summer page bishop hunter mason porter parker turner "
    "walker fisher"
)

# Words that introduce a person's name: offices, roles, forms of address, family and
# neighbours, in Dutch and English (singular only: "collega's van Burgerzaken" is a group).
TITLES = word_set(
    "wethouder burgemeester raadslid gemeenteraadslid statenlid gedeputeerde minister "
    "staatssecretaris griffier gemeentesecretaris directeur directrice teamleider "
    "leidinggevende manager coördinator coordinator afdelingshoofd collega oud-collega "
    "ex-collega mevrouw meneer mijnheer heer juffrouw juf meester buurman buurvrouw "
    "moeder vader zoon dochter man vrouw broer zus zuster oom tante opa oma neef nicht "
    "echtgenoot echtgenote schoonmoeder schoonvader schoonzoon schoondochter vriend "
    "vriendin mister mayor alderman councillor councilor colleague director neighbour "
    "neighbor mother father son daughter husband wife brother sister aunt uncle sir madam"
)
# Abbreviated forms of address and academic titles, with or without their full stop.
ABBREVIATED_TITLES = word_set("mevr mw mnr dhr mr mrs ms dr drs ir ing prof")
# Dotted capitals that are abbreviations, not initials ("N.B. Neem contact op").
ABBREVIATIONS = word_set("nb ps pps bv nv vs eu us uk am pm ad bc cv tv ok ov")
# Stop words that are also first names: after a title they are names ("collega Wil").
NAME_STOP_WORDS = word_set("ben wil will may jo ad ed al")
# Tussenvoegsels that are also prepositions cannot start a name after a title ("mijn
# moeder in Amsterdam"); inside a name they can ("van in 't Veld").
_PREPOSITIONS = word_set("in op aan bij onder over uit voor")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_IBAN_START = re.compile(r"(?<![\w])[a-z]{2}\d{2}(?=[ ]?[a-z0-9])", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[ .-]?(?:\(0\)[ .-]?)?|\(?0)[1-9](?:\)?[ .-]?\d){8}(?!\d)"
)
_BSN = re.compile(r"(?<![\d.])(?:\d{4}\.\d{2}\.\d{3}|\d{3} \d{3} \d{3}|\d{8,9})(?![\d]|\.\d)")
_POSTCODE = re.compile(
    r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b(?:,? \d{1,5}(?: ?[a-zA-Z]\b|-\d{1,4})?\b)?"
)
_STREET = re.compile(
    r"\b[A-Z][a-zà-ÿ]+(?:straat|laan|weg|plein|gracht|kade|singel|dijk|pad|steeg|hof|markt|"
    r"dreef|park|plantsoen|erf|baan|veld|hoek|wal|burgwal|rade|ring|pier|haven)"
    r" \d{1,5}(?: ?[a-zA-Z]\b|-\d{1,4})?\b"
)
_ADJACENT_ADDRESS = re.compile(r"\[adres\](?:,? \[adres\])+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]+)*|'t|d'")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
_TITLE = re.compile(
    r"(?<![\w'’])(?:(?:"
    + "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
    + r")\s+|(?:"
    + "|".join(sorted(map(re.escape, ABBREVIATED_TITLES), key=len, reverse=True))
    + r")(?:\.\s*|\s+))",
    re.IGNORECASE,
)
_INITIALS = re.compile(r"(?<![\w.'’-])[^\W\d_]\.(?:[^\S\n]?[^\W\d_]\.)*")
_NAME_TOKEN = re.compile(
    r"(?P<word>v\.d\.|'t)"
    r"|(?P<initials>[^\W\d_]\.(?:[^\S\n]?[^\W\d_]\.)*)"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*"
)
_NAME_GAP = re.compile(r"[^\S\n]*")
_AND = re.compile(r"[^\S\n]+(?:en|and|&)[^\S\n]+(?=[^\W\d_])")
MIN_TYPO_LENGTH = 5


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def passes_elfproef(number: str) -> bool:
    """The BSN eleven test on nine digits (weights 9..2 and -1); all zeros fail."""
    if len(number) != 9 or not number.isdigit() or set(number) == {"0"}:
        return False
    total = sum(int(d) * w for d, w in zip(number, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


def is_valid_iban(candidate: str) -> bool:
    """ISO 13616 mod-97 check on an IBAN without spaces (15 to 34 characters)."""
    iban = candidate.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    if not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _replace_ibans(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for start in _IBAN_START.finditer(text):
        if start.start() < position:
            continue
        # Collect up to 34 characters, allowing single spaces, then try the longest valid
        # prefix that ends at a word boundary (an IBAN may be followed by ordinary words).
        ends: list[int] = []
        count, i = 0, start.start()
        while i < len(text) and count < 34:
            if text[i] == " " and i + 1 < len(text) and text[i + 1].isalnum() and count >= 4:
                i += 1
                continue
            if not text[i].isalnum():
                break
            count, i = count + 1, i + 1
            if i == len(text) or not text[i].isalnum():
                ends.append(i)
        for end in reversed(ends):
            if is_valid_iban(text[start.start() : end]):
                pieces += [text[position : start.start()], IBAN]
                position = end
                break
    pieces.append(text[position:])
    return "".join(pieces)


def _replace_bsn(match: re.Match[str]) -> str:
    digits = _digits(match.group())
    if passes_elfproef(digits) or (len(digits) == 8 and passes_elfproef("0" + digits)):
        return BSN
    return match.group()


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case- and accent-insensitive form used for name matching (``Zoë`` → ``zoe``)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1, or one swap of adjacent letters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    """Capitalised words that are no name even after a title ("collega Ik ...")."""
    words = stop_words("nl") | stop_words("en") | TITLES | ABBREVIATED_TITLES
    return frozenset(fold(word) for word in words) - NAME_STOP_WORDS


def _is_initials(token: str) -> bool:
    """Capitals with full stops (``J.``, ``J.P.``, ``A. B.``), not ``N.B.`` or ``P.S.``."""
    letters = token.replace(".", "").replace(" ", "")
    return letters.isupper() and fold(letters) not in ABBREVIATIONS


def _is_name_word(word: str) -> bool:
    """Whether a word can be part of a name after a title or initials.

    Capitalised (``Jansen``, ``Bolkestein-Vermeulen``, ``O'Brien``, ``d'Ancona``), not a
    stop word or a title ("collega Ik ...", "Mevrouw Wethouder ..."), and not all capitals
    (``ICT``, ``HR`` after "manager" are departments).
    """
    core = re.sub(r"^[^\W\d_]{1,2}['’]", "", word)
    return (
        core[:1].isupper() and any(ch.islower() for ch in core) and fold(word) not in _not_names()
    )


def _name_end(text: str, start: int, *, after_title: bool) -> int:
    """Where the person's name that starts at ``start`` ends (``start``: no name there).

    A name is initials, tussenvoegsels and capitalised words separated by spaces on one
    line; it ends before the first other word, and trailing tussenvoegsels are not part of
    it. Without a title it needs initials followed by a capitalised word ("J. de Vries").
    """
    end = position = start
    initials = words = particles = 0
    while match := _NAME_TOKEN.match(text, position):
        token = match.group()
        if match.group("initials") is not None:
            if words or initials or not _is_initials(token):
                break
            initials += 1
            end = match.end()
        elif _is_name_word(token):
            words += 1
            end = match.end()
        elif fold(token) in TUSSENVOEGSELS and (
            words or initials or particles or fold(token) not in _PREPOSITIONS
        ):
            particles += 1  # part of the name if a capitalised word follows
        else:
            break
        gap = _NAME_GAP.match(text, match.end())
        position = gap.end() if gap else match.end()
        if position == match.end() and match.group("initials") is None:
            break  # words of a name stand apart
    if (words or initials) and (after_title or (words and initials)):
        return end
    return start


def redact_unlisted_names(text: str) -> str:
    """``text`` with names after titles and initialled names as ``[naam]`` (no directory).

    Works on any text: the names of aldermen, clients or relatives are in no directory,
    and two comments naming the same outsider would otherwise reach a theme's words.
    """
    pieces: list[str] = []
    position = 0
    for title in _TITLE.finditer(text):
        if title.start() < position:
            continue
        start, end = title.end(), _name_end(text, title.end(), after_title=True)
        while end > start:  # "wethouder Jansen en Pietersen": both names
            pieces += [text[position:start], NAME]
            position = end
            more = _AND.match(text, position)
            if more is None or not text[more.end()].isupper():
                break
            start, end = more.end(), _name_end(text, more.end(), after_title=True)
    pieces.append(text[position:])
    text = "".join(pieces)
    pieces, position = [], 0
    for initials in _INITIALS.finditer(text):
        if initials.start() < position:
            continue
        end = _name_end(text, initials.start(), after_title=False)
        if end > initials.start():
            pieces += [text[position : initials.start()], NAME]
            position = end
    pieces.append(text[position:])
    return "".join(pieces)


@dataclass
class Directory:
    """The organisation's own people, as name parts to find in comments.

    Parameters
    ----------
    names : iterable of str
        Full names as in the organisation file ("Jan de Vries", "Fatima El Amrani",
        "Anne-Marie Jansen-van Dijk").
    common_words : iterable of str, optional
        Extra ordinary words that must not be redacted on their own (see module docstring).
    """

    names: Iterable[str] = ()
    common_words: Iterable[str] = ()
    parts: set[str] = field(init=False, default_factory=set)
    ambiguous: set[str] = field(init=False, default_factory=set)
    particles: set[str] = field(init=False, default_factory=set)
    _typo_index: dict[str, set[str]] = field(init=False, default_factory=dict)
    _kinds: dict[str, str] = field(init=False, default_factory=dict)
    _ordinary: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        self._ordinary = (
            COMMON_WORDS
            | stop_words("nl")
            | stop_words("en")
            | frozenset(fold(word) for word in self.common_words)
        )
        for name in self.names:
            for word in _WORD.findall(name.replace("-", " ")):
                folded = fold(word)
                if folded in TUSSENVOEGSELS:
                    self.particles.add(folded)
                elif len(folded) >= 2:
                    self.parts.add(folded)
        self.ambiguous = {part for part in self.parts if part in self._ordinary}
        for part in self.parts - self.ambiguous:
            if len(part) >= MIN_TYPO_LENGTH:
                for key in _deletions(part) | {part}:
                    self._typo_index.setdefault(key, set()).add(part)
        self.names = ()  # the parts are all that is kept

    def __bool__(self) -> bool:
        return bool(self.parts)

    def is_typo_of_name(self, folded: str) -> bool:
        if len(folded) < MIN_TYPO_LENGTH - 1 or folded in self._ordinary:
            return False
        candidates: set[str] = set()
        for key in _deletions(folded) | {folded}:
            candidates |= self._typo_index.get(key, set())
        return any(
            len(part) >= MIN_TYPO_LENGTH and _within_one_edit(folded, part) for part in candidates
        )

    def redact(self, text: str) -> str:
        """``text`` with directory names (and the tussenvoegsels before them) as ``[naam]``."""
        if not self.parts:
            return text
        words = list(_WORD.finditer(text))
        folded = [fold(m.group()) for m in words]
        kind = [self._kind(f) for f in folded]  # "name", "maybe", "particle" or ""
        n = len(words)

        def joined(i: int, j: int) -> bool:  # only whitespace between word i and word j
            return not text[words[i].end() : words[j].start()].strip()

        redact = [k == "name" for k in kind]
        for i in range(n):
            if kind[i] != "maybe":
                continue
            next_to_name = (i > 0 and joined(i - 1, i) and kind[i - 1] == "name") or (
                i + 1 < n and joined(i, i + 1) and kind[i + 1] == "name"
            )
            if not words[i].group()[0].isupper():
                redact[i] = next_to_name  # "pieter bakker", but not "de bakker"
                continue
            after_particle = i > 0 and joined(i - 1, i) and kind[i - 1] == "particle"
            sentence_start = i == 0 or bool(_SENTENCE_END.search(text[: words[i].start()]))
            redact[i] = next_to_name or after_particle or not sentence_start
        # Tussenvoegsels directly before a redacted name go with it ("van der Meer").
        for i in range(n - 1, -1, -1):
            if kind[i] == "particle" and i + 1 < n and redact[i + 1] and joined(i, i + 1):
                redact[i] = True
        pieces: list[str] = []
        position, i = 0, 0
        while i < n:
            if not redact[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and redact[j + 1] and joined(j, j + 1):
                j += 1
            pieces += [text[position : words[i].start()], NAME]
            position = words[j].end()
            i = j + 1
        pieces.append(text[position:])
        return "".join(pieces)

    def _kind(self, folded: str) -> str:
        # Comments repeat their words a lot; the answer per word is cached.
        found = self._kinds.get(folded)
        if found is None:
            found = self._kinds[folded] = self._classify(folded)
        return found

    def _classify(self, folded: str) -> str:
        if "-" in folded:  # "anne-marie", "jansen-van": a name when every piece belongs to one
            kinds = [self._kind(piece) for piece in folded.split("-")]
            if "name" in kinds and all(kind in ("name", "maybe", "particle") for kind in kinds):
                return "name"
            return ""
        if folded in self.particles:
            return "particle"
        if folded in self.parts:
            return "maybe" if folded in self.ambiguous else "name"
        if self._typo_index and self.is_typo_of_name(folded):
            return "name"
        return ""


def redact(text: str, directory: Directory | None = None) -> str:
    """``text`` with personal data replaced by placeholders (see the module docstring)."""
    text = _EMAIL.sub(EMAIL, text)
    text = _replace_ibans(text)
    text = _PHONE.sub(PHONE, text)
    text = _BSN.sub(_replace_bsn, text)
    text = _STREET.sub(ADDRESS, text)
    text = _POSTCODE.sub(ADDRESS, text)
    text = _ADJACENT_ADDRESS.sub(ADDRESS, text)
    text = redact_unlisted_names(text)
    if directory:
        text = directory.redact(text)
    return text


def redact_all(texts: Iterable[str], directory: Directory | None = None) -> list[str]:
    """`redact` for each text, in order."""
    return [redact(text, directory) for text in texts]

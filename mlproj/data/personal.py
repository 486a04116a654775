"""Columns that look like personal data, by their name and by a sample of their values.

A model has no business learning from an email address, a phone number or a card number: at
best they are noise (one value per person), at worst the model memorises people and a review
of its features publishes them. `mlproj new` leaves such columns out of the features and says
why, in one line starting "personal data", which conf/data keeps beside the column.

This is a privacy control, not a guarantee: a column is flagged when its name says what it is
(`ssn`, `email`, `date_of_birth`) or when most sampled values have the shape of one kind of
personal data (an email address, a Luhn-valid card number, an IBAN with a valid checksum...).
Names are recognised by shape and by a short list of common first names and honorifics, so a
column of names from another culture may pass; a person's data hidden in free text always
may. The user still reads the list of features.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# A kind of personal data, as a reason names it, and the test one value must pass.
_Test = tuple[str, Callable[[str], bool]]

# Values read per column: enough to be sure of a shape, few enough to stay cheap on wide tables.
SAMPLE = 300
# Each value is cut to this many characters before any pattern sees it: a hostile 10 MB cell
# costs no more than a short one.
LONGEST = 256
# Values tried first for each shape: a column that fails on them is not read further.
PROBE = 30
# Share of sampled values that must have a shape for the column to be called that kind.
SHARE = 0.5
# Person names: share of values holding a common first name or an honorific, and of distinct
# values (a column of 3 names repeated is a category, like a team's captain).
NAME_HITS = 0.2
NAME_DISTINCT = 0.5
# Distinct sampled values a column needs before it can be one person's data per row.
MIN_DISTINCT = 10
# A numeric column named like an id or a phone holds numbers at least this big (7 digits).
BIG_NUMBER = 1_000_000
# The smallest card number has 13 digits.
CARD_NUMBER = 10**12

_EMAIL = re.compile(r"[^@\s<>]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}")
_SSN = re.compile(r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}")
_CARD = re.compile(r"\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}")
_IBAN = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}")
_PHONE = re.compile(r"\+?\(?\d{1,4}\)?(?:[ .-]\(?\d{1,5}\)?){1,5}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
_DATEISH = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?")
_STREET = re.compile(
    r"\b\d{1,5}[a-z]?,?\s+(?:[a-z'.-]+\s+){0,4}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr"
    r"|boulevard|blvd|court|ct|way|place|pl|terrace|close|crescent|square|sq|highway|hwy"
    r"|parkway|pkwy)\b\.?"
    r"|\b(?:rue|via|calle|avenida|strasse|straße|chemin)\s+\w+.*\d",
    re.IGNORECASE,
)
_NAME_SHAPE = re.compile(r"[A-Z][a-zA-Z'.-]*,?(?:\s+\(?[A-Za-z][a-zA-Z'.-]*\)?,?){1,5}")
_HONORIFICS = frozenset(
    ["mr", "mrs", "ms", "miss", "mx", "dr", "master", "mme", "mlle", "sir", "rev"]
)
# Common given names (English-speaking countries, with a few frequent elsewhere in Europe):
# a hit says "a person", where a capitalised pair alone could be a city or a car model.
_FIRST_NAMES_TEXT = """
    james john robert michael william david richard joseph thomas charles christopher daniel
    matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
    ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
    scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
    tyler aaron jose adam nathan henry douglas zachary peter kyle walter ethan jeremy harold
    keith christian roger noah gerald carl terry sean austin arthur lawrence jesse dylan bryan
    joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy eugene
    vincent russell elijah louis bobby philip johnny mary patricia jennifer linda elizabeth
    barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily
    donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia
    kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine
    christine debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce
    virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah
    jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail alice
    judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana
    natalie brittany charlotte marie kayla alexis lori hans jean pierre marie anne fatima
    mohammed muhammad ahmed ali maria jose luis carlos juan ana giuseppe marco luca sofia
"""
_FIRST_NAMES = frozenset(_FIRST_NAMES_TEXT.split())
_ID_WORDS = {"id", "number", "no", "num", "nr"}
_CODE_WORDS = _ID_WORDS | {"code", "year", "years", "period", "range", "band", "zip"}
# Words of organisations and places: "George Mason University" and "Bridge Road" hold a first
# name or are name-shaped, yet name no person.
_NOT_PERSONS_TEXT = """
    university college school institute academy museum gallery building center centre hospital
    medical clinic association department services service inc llc ltd corp corporation company
    co bank county city state group foundation church society club team trust council board
    agency office authority district park street st road rd avenue ave drive dr lane ln way
    court ct place boulevard blvd river lake mount fort island county airport station
"""
_NOT_PERSONS = frozenset(_NOT_PERSONS_TEXT.split())


def personal_reason(name: str, sample: pd.Series) -> str | None:
    """Why column NAME looks like personal data (a line starting "personal data"), or None.

    SAMPLE holds the column's sampled rows, of which at most `SAMPLE` values are read. Values
    decide first: a column named `contact` full of email addresses is flagged as email
    addresses; the name decides when values have no recognised shape (hashed, masked).
    """
    import pandas as pd

    if pd.api.types.is_bool_dtype(sample.dtype):
        return None  # yes/no is never one person's data
    if pd.api.types.is_numeric_dtype(sample.dtype):
        return _numeric_reason(name, sample)
    # Not a dropna over the whole sample: on a 2,000-column table every column pays for it.
    texts = _texts(sample.iloc[: SAMPLE * 4].dropna().iloc[:SAMPLE])
    tokens = _tokens(name)
    # One person's data is one value per person: a column of a few repeated values (yes/no,
    # an income band, a site code) is a category, whatever its name or shape.
    if len(set(texts)) < min(MIN_DISTINCT, max(len(texts) // 2, 2)):
        return None
    found = _by_values(texts, tokens)
    if found:
        return found
    if _person_names(texts, tokens):
        return "personal data: person names (first names or titles in most values); left out"
    named = _named(tokens, texts, numeric=False)
    return f"personal data: named like {named} ({name!r}); left out" if named else None


def _by_values(texts: list[str], tokens: list[str], tests: tuple[_Test, ...] = ()) -> str | None:
    """The kind of personal data most TEXTS have the shape of, as a reason; None if none."""
    for what, test in tests or _VALUE_TESTS:
        if what == "phone numbers" and set(tokens) & _CODE_WORDS:
            continue  # `band_number` 877-76317, `site_id` 37-063-0015: codes shaped like phones
        # The first values first: on a wide table most columns fail here, at a tenth the cost.
        probe = texts[:PROBE]
        if sum(1 for text in probe if test(text)) < SHARE * len(probe) / 2:
            continue
        share = sum(1 for text in texts if test(text)) / len(texts)
        if share >= SHARE:
            return f"personal data: {what} ({share:.0%} of sampled values); left out"
    return None


def _numeric_reason(name: str, sample: pd.Series) -> str | None:
    """Numbers: card numbers by value, ids and phones by name; small numbers are neither.

    A `phone` score of 0.4 or a `3ssn_porch` area is no id, whatever its name: an id, a phone
    or a card number held as a number has 7 digits or more. NumPy, not pandas: a wide table
    of measurements pays microseconds per column here.
    """
    import numpy as np
    import pandas as pd

    numbers = sample.iloc[: SAMPLE * 4].to_numpy(dtype=float, na_value=np.nan)
    numbers = numbers[np.isfinite(numbers)][:SAMPLE]
    size = float(np.median(np.abs(numbers))) if numbers.size else 0.0
    if size < BIG_NUMBER:
        return None
    tokens = _tokens(name)
    if size >= CARD_NUMBER and bool((numbers % 1 == 0).all()):
        texts = _texts(pd.Series(numbers))
        found = _by_values(texts, tokens, _VALUE_TESTS[2:3])
        if found:
            return found
    named = _named(tokens, [], numeric=True)
    return f"personal data: named like {named} ({name!r}); left out" if named else None


def _texts(values: pd.Series) -> list[str]:
    """Values as short stripped text; whole numbers without a trailing `.0`."""
    out = []
    for value in values.tolist():
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(str(value)[:LONGEST].strip())
    return [text for text in out if text]


def _is_card(text: str) -> bool:
    if not _CARD.fullmatch(text):
        return False
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and len(set(digits)) > 2 and _luhn(digits)


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _is_iban(text: str) -> bool:
    if not _IBAN.fullmatch(text):
        return False
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def _is_ip(text: str) -> bool:
    if _IPV4.fullmatch(text):
        return True
    if ":" not in text or text.count(":") < 2 or not re.fullmatch(r"[0-9A-Fa-f:.]+", text):
        return False  # a clock (12:30:00) has colons but never hexadecimal groups past it
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return not re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", text)


def _is_phone(text: str) -> bool:
    """An international or grouped number of 7 to 15 digits; never a date or a decimal."""
    if not _PHONE.fullmatch(text) or _DATEISH.fullmatch(text):
        return False
    digits = sum(char.isdigit() for char in text)
    # Two separators at least (555-867-5309), or a country code or area code in brackets:
    # one separator is a range (1985-1989, 2500-5000) or a code (877-76317) as often.
    grouped = len(re.findall(r"[ .-]", text)) >= 2
    return 7 <= digits <= 15 and (text.startswith("+") or "(" in text or grouped)


def _is_street(text: str) -> bool:
    return bool(_STREET.search(text))


_VALUE_TESTS: tuple[_Test, ...] = (
    ("email addresses", lambda text: bool(_EMAIL.fullmatch(text))),
    ("national ids (US social security numbers)", lambda text: bool(_SSN.fullmatch(text))),
    ("payment card numbers (Luhn-valid)", _is_card),
    ("bank account numbers (IBAN with a valid checksum)", _is_iban),
    ("IP addresses", _is_ip),
    ("phone numbers", _is_phone),
    ("street addresses", _is_street),
)


def _person_names(texts: list[str], tokens: list[str]) -> bool:
    """Mostly distinct values with first names or titles in them: name-shaped, or so named."""
    if len(set(texts)) < NAME_DISTINCT * len(texts):
        return False
    words = [_words(text) for text in texts]
    if sum(1 for found in words if found & _NOT_PERSONS) >= NAME_HITS * len(texts):
        return False
    hits = sum(1 for found in words if found & (_FIRST_NAMES | _HONORIFICS)) / len(texts)
    if "name" in tokens and hits >= NAME_HITS / 2:
        return True  # `Name`: "Braund, Mr. Owen Harris", whatever else the values hold
    shaped = sum(1 for text in texts if _NAME_SHAPE.fullmatch(text)) / len(texts)
    return shaped >= SHARE and hits >= NAME_HITS


def _words(text: str) -> set[str]:
    return {word.strip(".,()'\"").lower() for word in text.split()}


def _named(tokens: list[str], texts: list[str], *, numeric: bool) -> str | None:
    """What the column's name says it holds, when that is personal data; None otherwise."""
    words = set(tokens)
    joined = "".join(tokens)
    if words & {"email", "emails", "emailaddress"} or joined in ("email", "mailaddress"):
        return "an email address"
    if words & {"ssn", "nino", "passport", "socialsecurity"} or {"social", "security"} <= words:
        return "a national id"
    if "national" in words and words & (_ID_WORDS | {"insurance"}):
        return "a national id"
    if words & {"iban"} or {"credit", "card"} <= words or ({"card"} <= words and words & _ID_WORDS):
        return "a bank or card number"
    if words & {"phone", "telephone", "cellphone", "phonenumber", "mobilephone"}:
        return "a phone number"
    if words & {"dob", "birthdate", "birthday", "dateofbirth"} or {"birth", "date"} <= words:
        return "a birth date"
    if ("ip" in words and words & {"address", "addr"}) or "ipaddress" in words:
        return "an IP address"
    return None if numeric else _named_text(words, texts)


def _named_text(words: set[str], texts: list[str]) -> str | None:
    """Personal data that only text holds: a person's name, a postal address."""
    if words & {"surname", "lastname", "firstname", "fullname", "forename", "givenname"}:
        return "a person's name"
    if "name" in words and words & {"first", "last", "full", "given", "family", "middle"}:
        return "a person's name"
    spaced = sum(1 for text in texts if " " in text) >= SHARE * len(texts)
    if words & {"address", "streetaddress", "addr"} and spaced:  # not `addr_state` CA, NY
        return "a postal address"
    return None


def _tokens(name: str) -> list[str]:
    """NAME's lower-case words: `DateOfBirth`, `date_of_birth` and `e-mail` split alike."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    words = [word for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if word]
    joined = "".join(words)
    if joined in ("email", "emailaddress", "dateofbirth", "phonenumber", "ipaddress"):
        words.append(joined)
    return words

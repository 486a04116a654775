"""Personal data left out at `mlproj new`: by name and by values, and the look-alikes kept.

Issue 16 item 3: columns named `ssn` and `email` were kept as features. Each test gives one
column of a few dozen rows, as `mlproj new` samples it; the false positives measured on
2,191 real tables (bench/personal.py) are the negatives here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mlproj.data.dataset import profile
from mlproj.data.personal import personal_reason
from mlproj.data.roles import summary
from tests.data.test_roles import role_of, titanic_like, with_label

ROWS = 40


def column(values: list[object], rows: int = ROWS) -> pd.Series:
    return pd.Series([values[i % len(values)] for i in range(rows)])


def card(prefix: str) -> str:
    """A Luhn-valid 16-digit number starting with PREFIX."""
    digits = [int(c) for c in prefix.ljust(15, "0")]
    total = sum(d if i % 2 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


FIRST = ["John", "Mary", "Ahmed", "Linda", "Sofia"]
EMAILS = [f"user{i}.name@example{i % 3}.com" for i in range(ROWS)]
PHONES = [f"+1 (555) {100 + i:03d}-{1000 + i * 7:04d}" for i in range(ROWS)]
SSNS = [f"{123 + i:03d}-{45 + i % 50:02d}-{6789 + i:04d}" for i in range(ROWS)]
CARDS = [card(f"4{i:05d}") for i in range(ROWS)]


def iban(country: str, bban: str) -> str:
    """An IBAN with valid check digits (ISO 13616: 98 minus the mod-97 of the moved digits)."""
    moved = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(moved) % 97:02d}{bban}"


IBANS = [iban("DE", f"370400440532{i:06d}") for i in range(ROWS)] + ["GB82 WEST 1234 5698 7654 32"]
IPS = [f"10.{i}.{i * 3 % 256}.{i * 7 % 256}" for i in range(ROWS)] + ["2001:db8::1"]
STREETS = [f"{10 + i} {w} Street" for i, w in enumerate(["Oak", "Elm", "Main", "High"] * 10)]
NAMES = [f"{f} {m}. {s}" for s in ["Smith", "Jones", "Ali", "Wu"] for m in "AB" for f in FIRST]


@pytest.mark.parametrize(
    ("name", "values", "what"),
    [
        ("contact", EMAILS, "personal data: email addresses (100% of sampled values)"),
        ("tel", PHONES, "personal data: phone numbers (100%"),
        ("x1", SSNS, "personal data: national ids (US social security numbers) (100%"),
        ("pan", CARDS, "personal data: payment card numbers (Luhn-valid) (100%"),
        ("account", IBANS, "personal data: bank account numbers (IBAN with a valid checksum)"),
        ("host", IPS, "personal data: IP addresses"),
        ("where", STREETS, "personal data: street addresses"),
        ("customer", NAMES, "personal data: person names"),
    ],
)
def test_values_say_personal_data_whatever_the_name(
    name: str, values: list[object], what: str
) -> None:
    reason = personal_reason(name, column(values))
    assert reason is not None and reason.startswith(what), reason


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("email", "an email address"),
        ("E-Mail", "an email address"),
        ("ssn", "a national id"),
        ("SocialSecurityNumber", "a national id"),
        ("passport_no", "a national id"),
        ("credit_card", "a bank or card number"),
        ("phone", "a phone number"),
        ("DateOfBirth", "a birth date"),
        ("dob", "a birth date"),
        ("ip_address", "an IP address"),
        ("last_name", "a person's name"),
        ("home_address", "a postal address"),
    ],
)
def test_names_say_personal_data_when_the_values_are_not_recognised(name: str, what: str) -> None:
    """Hashed or masked values still identify people: the name is enough."""
    values = [f"x{i} y{i}" for i in range(ROWS)]
    assert personal_reason(name, column(values)) == (
        f"personal data: named like {what} ({name!r}); left out"
    )


def test_card_numbers_held_as_numbers_are_found_and_other_big_numbers_are_not() -> None:
    numbers = pd.Series([int(number) for number in CARDS])
    assert personal_reason("n", numbers) == (
        "personal data: payment card numbers (Luhn-valid) (100% of sampled values); left out"
    )
    assert personal_reason("n", numbers + 1) is None  # one off: the Luhn check fails
    assert personal_reason("mobile_phone", pd.Series(range(5_550_000_000, 5_550_000_040))) == (
        "personal data: named like a phone number ('mobile_phone'); left out"
    )


def test_the_titanic_name_column_is_a_person_name() -> None:
    data = profile(titanic_like(), "Survived")
    assert [(r.name, r.kind) for r in data.left_out] == [
        ("rownames", "identifier"),
        ("Name", "personal"),
    ]
    assert personal_reason("Name", column(["Braund, Mr. Owen Harris", "Heikkinen, Miss. Laina"]
                                         + [f"Doe{i}, Mrs. Jane" for i in range(30)]))  # fmt: skip


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("sent_email", [0, 1]),  # a yes/no flag named like an email
        ("phone_service", ["Yes", "No", "No phone service"]),
        ("phone", [0.43, 0.51, 0.12, 0.9] * 10),  # a questionnaire item's score
        ("X3Ssn.Porch", [0, 0, 0, 120, 0, 180, 0, 0]),  # square feet of a three-season porch
        ("addr_state", ["CA", "NY", "TX", "WA", "OR", "NV", "AZ", "UT", "ID", "MT", "CO"] * 4),
        ("inc", ["2500-5000", "5000-7500", "10000-12500"]),  # income bands
        ("year", [f"{y}-{y + 4}" for y in range(1960, 2000)]),  # periods
        ("BandNumber", [f"877-{76317 + i}" for i in range(ROWS)]),  # codes shaped like phones
        ("site_id", [f"37-063-{i:04d}" for i in range(ROWS)]),
        (
            "inst_name",
            [f"University of {s}" for s in ["Alabama", "Georgia", "Texas", "Ohio", "Utah"]] * 8,
        ),
        (
            "StreetName",
            [
                f"{w} Road"
                for w in [
                    "Bridge",
                    "Acrebrook",
                    "Autumn",
                    "Mill",
                    "Oak",
                    "Pine",
                    "Elm",
                    "Ash",
                    "Fir",
                    "Yew",
                ]
            ],
        ),
        ("when", [f"2024-01-{d:02d}" for d in range(1, 29)]),  # dates are not phone numbers
        ("clock", [f"{h:02d}:{m:02d}:00" for h in range(10) for m in (0, 30)]),
        ("price", [f"{i}.99" for i in range(ROWS)]),
        ("species", ["Adelie Penguin", "Gentoo Penguin", "Chinstrap Penguin"]),
        ("model", [f"Mazda RX{i}" for i in range(ROWS)]),
        ("income", list(range(1_000_000, 1_000_000 + ROWS))),  # big numbers, ordinary name
    ],
)
def test_look_alikes_are_not_personal_data(name: str, values: list[object]) -> None:
    assert personal_reason(name, column(values)) is None


@pytest.mark.parametrize(
    "values",
    [
        ["a" * 100_000 + "@example.com"] * ROWS,  # long cells are cut before any pattern
        ['=HYPERLINK("http://x")', "@SUM(A1)", "+1-2-3", "\x00\x1b[31m"] * 10,
        ["(" * 5_000, "1-" * 5_000, ". " * 5_000, "Mr " * 5_000],
        [None] * ROWS,
        [float("nan"), 1.5, float("inf"), -0.0] * 10,
    ],
    ids=["long-email", "formulas", "backtracking", "empty", "floats"],
)
def test_hostile_values_are_read_quickly_and_safely(values: list[object]) -> None:
    import time

    started = time.perf_counter()
    reason = personal_reason("notes", column(values))
    assert time.perf_counter() - started < 0.5
    assert reason is None or reason.startswith("personal data")


def test_mlproj_new_leaves_personal_data_out_and_says_why() -> None:
    frame = with_label(email=[f"p{i}@mail.example.org" for i in range(300)])
    role = role_of(frame, "email")
    assert (role.kind, role.used) == ("personal", False)
    assert role.reason == "personal data: email addresses (100% of sampled values); left out"
    assert summary([role]) == [
        "personal data (emails, phones, national ids, names, addresses): email"
    ]

"""No table on the extraction path names one conflict's actors.

The pipeline once learned the wars it was developed on through tables of named armed groups,
agencies and officials, and read no other war well. This test fails if any file the library ships
(code, data, prompts, schemas) outside the claims scorer (``summarizer/tasks/claims/``: scoring,
alignment, normalize, which may keep an alias table) names a specific armed group, agency or
official. The list is of real actors of many
conflicts; invented names (the worked examples' "Veldor", "Hill Front") are how examples and
comments stay concrete.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [ROOT / "summarizer", ROOT / "prompts", ROOT / "schemas"]
CLAIMS = ROOT / "summarizer" / "tasks" / "claims"
EXEMPT = [
    ROOT / "summarizer" / "evaluation",
    *(CLAIMS / f"{name}.py" for name in ("scoring", "alignment", "normalize")),
]

# Matched as whole words, ignoring case.
NAMES = (
    "Hamas Hezbollah Houthi Houthis Wagner Taliban al-Shabaab Shabaab Boko Haram ISWAP JNIM TPLF "
    "Arakan Kremlin Bastrykin Zelensky Zelenskyy Putin Shoigu Netanyahu Gerasimov Prigozhin Burhan "
    "Hemedti Dagalo UNRWA OHCHR UNHCR UNICEF UNOCHA ICRC Médecins Airwars ACLED Amnesty Reuters "
    "Tass Interfax Ukrinform al-Qaeda al-Qaida Daesh Ansar FARC Kataib Azov Sinaloa Jalisco "
    "Tatmadaw Fatah Jihad Janjaweed Hayat Tahrir"
).split()
# Acronyms, matched as whole words in capitals only ("who" and "hts" are words too).
ACRONYMS = "RSF IDF HTS ELN IOM OCHA MSF SOHR NATO WFP UNDP ISIS ISIL IRGC SAF FDLR ADF BLA TTP M23 ATMIS".split()
_NAMES = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in NAMES) + r")(?!\w)", re.IGNORECASE)
_ACRONYMS = re.compile(r"(?<![\w-])(" + "|".join(ACRONYMS) + r")(?!\w)")


def shipped_files() -> list[Path]:
    files = [p for root in SHIPPED for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(p for p in files if not any(p.is_relative_to(e) for e in EXEMPT) and p.suffix != ".pyc")


def actor_names(text: str) -> list[str]:
    return [m.group(1) for m in _NAMES.finditer(text)] + [m.group(1) for m in _ACRONYMS.finditer(text)]


def test_the_check_finds_actor_names_and_not_ordinary_words():
    assert actor_names("the Hamas-run ministry; RSF fighters; UNHCR said; al-Shabaab") == [
        "Hamas",
        "UNHCR",
        "al-Shabaab",
        "RSF",
    ]
    assert actor_names("who said the rsf hts; Wagnerian; the Hill Front") == []


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_file_names_a_conflict_s_actors(path):
    text = path.read_text(encoding="utf-8", errors="ignore")
    found = sorted(set(actor_names(text)))
    assert found == [], f"{path.relative_to(ROOT)} names {', '.join(found)}"

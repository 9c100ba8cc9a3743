"""How well a ledger groups claims, against what a reader labelled (``expected.json`` of a
dataset such as ``eval/datasets/ledger-series``). Pure functions.

The expected file names groups by their members (``[article id, index of the claim in the gold
label]``), the conflicts (group name and the dates where the figures stand side by side) and the
series flags (group, claimant, date, kind). A ledger built from predicted documents is scored
through the claim alignment the claims scorer uses (:func:`summarizer.tasks.claims.alignment.align`,
per article): a predicted claim stands for the gold claim it is matched to, and a predicted
claim matched to none is spurious.

* **grouping precision / recall** (pairwise): of the pairs of claims the ledger puts in one
  group, the share whose gold claims the reader grouped too; of the reader's pairs, the share the
  ledger put in one group (a pair whose claim was not extracted is missed);
* **groups found**: the reader's groups whose extracted members (those a predicted claim is
  matched to) the ledger holds all in one group, with nothing else (of the groups with at least
  one member extracted, and of all);
* **conflict precision / recall**: a ledger conflict is right when its group stands for the
  labelled group (the group most of its members are matched into) and its date is a labelled
  conflict date of that group;
* **flag precision / recall**: the same for series flags, with the claimant compared as the
  scorer compares claimants.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from summarizer.evaluation.metrics import ratio
from summarizer.tasks.claims.normalize import same_claimant

Member = tuple[str, int]  # (article id, claim index)


def gold_index(gold: Mapping[str, dict], pred: Mapping[str, dict] | None) -> dict[Member, Member | None]:
    """Predicted (article, index) -> the gold (article, index) it is matched to, or None.

    ``pred`` None: the ledger was built from the gold labels themselves (identity).
    """
    from summarizer.tasks.claims.alignment import align

    if pred is None:
        return {(a, i): (a, i) for a, doc in gold.items() for i in range(len(doc.get("claims", [])))}
    mapping: dict[Member, Member | None] = {}
    for article_id, doc in pred.items():
        claims = doc.get("claims", [])
        pairs = align(gold.get(article_id, {}).get("claims", []), claims) if article_id in gold else []
        matched = {pi: gi for gi, pi, _ in pairs}
        for index in range(len(claims)):
            mapping[(article_id, index)] = (article_id, matched[index]) if index in matched else None
    return mapping


def score_ledger(
    claims: Sequence[Mapping[str, Any]],
    conflicts: Sequence[Mapping[str, Any]],
    series: Sequence[Mapping[str, Any]],
    expected: Mapping[str, Any],
    matches: Mapping[Member, Member | None],
) -> dict[str, Any]:
    """The scores of the module docstring. ``claims``/``conflicts``/``series``: the ledger's tables."""
    gold_group: dict[Member, str] = {
        (str(a), int(i)): group["name"] for group in expected["groups"] for a, i in group["members"]
    }
    stand_for: dict[int, Member | None] = {
        row["id"]: matches.get((row["article_id"], row["claim_index"])) for row in claims
    }
    by_group: dict[str, list[int]] = defaultdict(list)
    for row in claims:
        if row.get("group_id"):
            by_group[row["group_id"]].append(row["id"])

    # pairwise grouping
    predicted_pairs = [pair for members in by_group.values() for pair in combinations(sorted(members), 2)]
    right = sum(1 for a, b in predicted_pairs if _same_gold_group(stand_for[a], stand_for[b], gold_group))
    ledger_group_of_gold: dict[Member, str] = {}
    for gid, members in by_group.items():
        for claim_id in members:
            gold_member = stand_for[claim_id]
            if gold_member is not None:
                ledger_group_of_gold.setdefault(gold_member, gid)
    gold_pairs = [
        pair
        for group in expected["groups"]
        for pair in combinations([(str(a), int(i)) for a, i in group["members"]], 2)
    ]
    recovered = sum(
        1
        for a, b in gold_pairs
        if a in ledger_group_of_gold and ledger_group_of_gold.get(a) == ledger_group_of_gold.get(b)
    )
    precision, recall, f1 = _prf(right, len(predicted_pairs), recovered, len(gold_pairs))

    # whole groups
    label_of = {gid: _label_of(members, stand_for, gold_group) for gid, members in by_group.items()}
    extracted_gold = {member for member in stand_for.values() if member is not None}
    found, reachable = [], 0
    for group in expected["groups"]:
        labelled = {(str(a), int(i)) for a, i in group["members"]}
        extracted = labelled & extracted_gold
        if not extracted:
            continue
        reachable += 1
        gids = {ledger_group_of_gold.get(m) for m in extracted}  # None: extracted but in no group
        only = next(iter(gids)) if len(gids) == 1 else None
        if only is not None and all(stand_for[c] in labelled for c in by_group[only]):
            found.append(group["name"])

    # conflicts
    wanted = {(c["group"], d) for c in expected.get("conflicts", []) for d in c["dates"]}
    got = {(label_of.get(c["group_id"]), c["date"]) for c in conflicts}
    conflict_p, conflict_r, conflict_f = _prf(len(got & wanted), len(got), len(got & wanted), len(wanted))

    # series flags
    wanted_flags = [tuple(flag) for flag in expected.get("series_flags", [])]
    got_flags = [
        (label_of.get(row["group_id"]), row.get("claimant_name") or row["claimant_canonical"], row["date"], row["flag"])
        for row in series
        if row.get("flag")
    ]
    flag_hits = sum(1 for flag in got_flags if any(_same_flag(flag, w) for w in wanted_flags))
    flag_found = sum(1 for w in wanted_flags if any(_same_flag(flag, w) for flag in got_flags))
    flag_p, flag_r, _ = _prf(flag_hits, len(got_flags), flag_found, len(wanted_flags))
    return {
        "grouping_precision": precision,
        "grouping_recall": recall,
        "grouping_f1": f1,
        "pairs_predicted": len(predicted_pairs),
        "pairs_right": right,
        "pairs_labelled": len(gold_pairs),
        "pairs_recovered": recovered,
        "groups_labelled": len(expected["groups"]),
        "groups_reachable": reachable,
        "groups_found": found,
        "conflict_precision": conflict_p,
        "conflict_recall": conflict_r,
        "conflict_f1": conflict_f,
        "conflicts_predicted": sorted(got, key=str),
        "conflicts_labelled": sorted(wanted),
        "flag_precision": flag_p,
        "flag_recall": flag_r,
        "flags_predicted": len(got_flags),
        "flags_labelled": len(wanted_flags),
        "claims_matched_to_gold": sum(1 for v in stand_for.values() if v is not None),
        "claims": len(stand_for),
    }


def _same_gold_group(a: Member | None, b: Member | None, gold_group: Mapping[Member, str]) -> bool:
    return a is not None and b is not None and a in gold_group and gold_group.get(a) == gold_group.get(b)


def _label_of(
    members: list[int], stand_for: Mapping[int, Member | None], gold_group: Mapping[Member, str]
) -> str | None:
    """The labelled group most of a ledger group's members are matched into (None: none are)."""
    votes = Counter(gold_group[m] for c in members if (m := stand_for[c]) is not None and m in gold_group)
    return votes.most_common(1)[0][0] if votes else None


def _same_flag(got: tuple, wanted: tuple) -> bool:
    return got[0] == wanted[0] and got[2] == wanted[2] and got[3] == wanted[3] and same_claimant(got[1], wanted[1])


def _prf(right: int, predicted: int, found: int, labelled: int) -> tuple[float, float, float]:
    """Precision (right of predicted), recall (found of labelled), their harmonic mean; nothing
    predicted and nothing labelled is a perfect 1.0 (the scorer's convention)."""
    both_empty = 1.0 if predicted == 0 and labelled == 0 else 0.0
    precision, recall = ratio(right, predicted, both_empty), ratio(found, labelled, both_empty)
    assert precision is not None and recall is not None
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1

"""The answer-trust evaluation set: format, sizes, fixed split, facts verbatim in their documents."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.trust.data import FRESH_DIR, KINDS, SPLITS, EvalSet, load
from benchmarks.trust.split import split_for
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def evalset() -> EvalSet:
    return load()


def _document(path: str) -> str:
    return " ".join((REPO_ROOT / path).read_text(encoding="utf-8").split()).lower()


def test_sizes_meet_the_issue(evalset: EvalSet) -> None:
    kinds = Counter(i.kind for i in evalset.items)
    assert set(kinds) <= set(KINDS)
    assert sum(kinds.values()) >= 200
    assert kinds["answerable"] >= 100 and kinds["unknown"] >= 60
    assert kinds["consultation"] >= 10 and kinds["offtopic"] >= 10
    assert len(evalset.conversations) >= 30
    assert all(2 <= len(c.turns) <= 3 for c in evalset.conversations)
    roles = Counter(t.role for c in evalset.conversations for t in c.turns)
    assert roles["follow_up"] >= 20 and roles["switch"] >= 10


def test_ids_are_unique_and_every_record_has_a_split(evalset: EvalSet) -> None:
    ids = [i.id for i in evalset.items] + [c.id for c in evalset.conversations]
    assert len(ids) == len(set(ids))
    assert {i.split for i in evalset.items} | {c.split for c in evalset.conversations} <= set(
        SPLITS
    )
    for part in SPLITS:
        share = sum(i.split == part for i in evalset.items) / len(evalset.items)
        assert 0.35 <= share <= 0.65, (part, share)


def test_split_is_the_hash_split_it_was_frozen_from(evalset: EvalSet) -> None:
    moved = [i.id for i in evalset.items if i.split != split_for(i.question)]
    moved += [c.id for c in evalset.conversations if c.split != split_for(c.turns[0].question)]
    assert moved == []


def test_answerable_facts_occur_verbatim_in_their_document(evalset: EvalSet) -> None:
    checks = [(i.id, i.doc, i.facts) for i in evalset.items if i.kind == "answerable"]
    checks += [
        (c.id, t.doc, t.facts)
        for c in evalset.conversations
        for t in c.turns
        if t.expect == "answer"
    ]
    for ident, doc, facts in checks:
        assert doc and (REPO_ROOT / doc).is_file(), ident
        assert 1 <= len(facts) <= 4, ident
        text = _document(doc)
        assert any(" ".join(f.lower().split()) in text for f in facts), (ident, facts)


def test_unknown_questions_carry_a_category(evalset: EvalSet) -> None:
    unknown = [i for i in evalset.items if i.kind == "unknown"]
    assert all(i.category for i in unknown)
    assert len({i.category for i in unknown}) >= 8


def test_fresh_set_is_separate_and_sound() -> None:
    fresh = load(FRESH_DIR)
    assert {i.split for i in fresh.items} | {c.split for c in fresh.conversations} == {"fresh"}
    kinds = Counter(i.kind for i in fresh.items)
    assert kinds["answerable"] >= 80 and kinds["unknown"] >= 40 and len(fresh.conversations) >= 15
    first = {i.question for i in load().items}
    assert not first & {i.question for i in fresh.items}
    ids = [i.id for i in fresh.items] + [c.id for c in fresh.conversations]
    assert len(ids) == len(set(ids)) and all(i.startswith("f-") for i in ids)
    for item in fresh.items:
        if item.kind == "answerable":
            text = _document(str(item.doc))
            assert any(" ".join(f.lower().split()) in text for f in item.facts), item.id

"""Reading a query without a database: normalisation, similarity and the query plan."""

from __future__ import annotations

from collections.abc import Iterable

from servicelist.search import text
from servicelist.search.query import Alternative, plan_query
from servicelist.search.synonyms import SynonymTable, make_synonym


class FakeLexicon:
    """A vocabulary of fixed words with frequencies; stems are the words themselves."""

    def __init__(self, words: dict[str, int]) -> None:
        self.words = words
        self.asked: list[str] = []

    def known(self, words: Iterable[str]) -> set[str]:
        return {word for word in words if word in self.words}

    def matches(self, word: str) -> bool:
        self.asked.append(word)
        return word in self.words

    def corrections(self, word: str) -> list[tuple[str, int]]:
        return sorted(self.words.items())

    def completions(self, prefix: str, limit: int) -> list[str]:
        found = sorted(
            (word for word in self.words if word.startswith(prefix)),
            key=lambda word: (-self.words[word], word),
        )
        return found[:limit]


VOCABULARY = FakeLexicon(
    {
        "recycling": 6,
        "recycled": 1,
        "cycling": 4,
        "street": 40,
        "lighting": 3,
        "light": 5,
        "licence": 180,
        "licences": 20,
        "licensing": 14,
        "flytipping": 1,
        "household": 12,
        "waste": 30,
        "collection": 10,
        "containers": 3,
    }
)
SYNONYMS = SynonymTable(
    [
        make_synonym("bin", "household waste collection", "authored"),
        make_synonym("bin", "household waste containers", "authored"),
        make_synonym("recycling bin", "recycling bags and containers", "authored"),
        make_synonym("fly tipping", "flytipping", "authored"),
    ]
)


def test_normalise_folds_case_and_accents() -> None:
    assert text.words("Café  LICENCE, Ysgol Gymraeg—Ŵyr") == [
        "cafe",
        "licence",
        "ysgol",
        "gymraeg",
        "wyr",
    ]
    assert text.words("fly-tipping_here") == ["fly", "tipping", "here"]
    assert text.words("x" * 65) == []


def test_singular_forms() -> None:
    assert [text.singular(word) for word in ("bins", "nappies", "business", "bus", "status")] == [
        "bin",
        "nappy",
        "business",
        "bus",
        "status",
    ]


def test_similarity_like_pg_trgm() -> None:
    # Values of pg_trgm 1.6 similarity() for the same pairs.
    assert round(text.similarity("recyling", "recycling"), 4) == 0.5833
    assert round(text.similarity("cafe", "cafz"), 4) == 0.4286
    assert round(text.similarity("bim", "bin"), 4) == 0.3333
    assert text.similarity("licence", "licence") == 1.0


def test_synonym_term_matches_plural() -> None:
    plan = plan_query("bins", SYNONYMS, VOCABULARY)
    (group,) = plan.groups
    assert group.words == ("bins",)
    assert group.synonyms == ["household waste collection", "household waste containers"]


def test_longest_synonym_term_wins() -> None:
    plan = plan_query("recycling bin", SYNONYMS, VOCABULARY)
    assert [group.words for group in plan.groups] == [("recycling", "bin")]
    assert plan.groups[0].synonyms == ["recycling bags and containers"]


def test_correction_then_synonyms() -> None:
    plan = plan_query("recyling bin", SYNONYMS, VOCABULARY)
    assert plan.did_you_mean == "recycling bin"
    (group,) = plan.groups
    assert group.words == ("recyling", "bin")
    assert group.correction == "recycling bin"
    assert group.synonyms == ["recycling bags and containers"]


def test_correction_prefers_similar_then_frequent() -> None:
    plan = plan_query("recyling ", SynonymTable(), VOCABULARY)
    assert plan.groups[0].correction == "recycling"
    assert Alternative(("recycling",)) in plan.groups[0].strong


def test_unrelated_word_not_corrected() -> None:
    plan = plan_query("zzxqv", SynonymTable(), VOCABULARY)
    assert plan.groups[0].correction is None
    assert plan.did_you_mean is None


def test_last_word_completed_unless_space() -> None:
    typing = plan_query("street licen", SynonymTable(), VOCABULARY)
    assert typing.groups[1].completions == ["licence", "licences", "licensing"]
    assert typing.groups[1].weak[0] == Alternative(("licen",), prefix=True)
    assert typing.groups[0].completions == []
    finished = plan_query("street licen ", SynonymTable(), VOCABULARY)
    assert finished.groups[1].completions == []


def test_known_completion_skips_correction() -> None:
    lexicon = FakeLexicon(VOCABULARY.words)
    plan = plan_query("licen", SynonymTable(), lexicon)
    assert plan.groups[0].correction is None
    assert lexicon.asked == []


def test_split_and_join() -> None:
    split = plan_query("streetlight ", SynonymTable(), VOCABULARY)
    assert split.groups[0].split == ("street", "light")
    joined = plan_query("fly tipping", SynonymTable(), VOCABULARY)
    assert joined.groups[0].joined == "flytipping"
    assert joined.groups[0].words == ("fly", "tipping")


def test_stopwords_dropped_unless_alone() -> None:
    plan = plan_query("how do I get a licence ", SynonymTable(), VOCABULARY)
    assert [group.words for group in plan.groups] == [("licence",)]
    assert plan.ignored == ["how", "do", "i", "get", "a"]
    alone = plan_query("the ", SynonymTable(), VOCABULARY)
    assert [group.words for group in alone.groups] == [("the",)]


def test_groups_capped() -> None:
    query = " ".join(f"word{number}" for number in range(12)) + " "
    plan = plan_query(query, SynonymTable(), VOCABULARY)
    assert len(plan.groups) == 8
    assert plan.ignored == ["word8", "word9", "word10", "word11"]

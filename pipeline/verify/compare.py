"""What was heard against what was meant: normalise both sides, align word by word, and keep
the differences a listener would notice, not the recogniser's own noise.

Both sides go through Whisper's English text normaliser (the `whisper-normalizer` package: numbers
to digits, ordinals, British to US spelling, titles, punctuation), so "1894" and "eighteen ninety
four" compare equal. jiwer aligns the words. A difference is the recogniser's noise, not the
reading's, when

- the words only split or join differently ("metalworker" / "metal worker");
- they sound alike: the same Metaphone key, or keys one edit apart for longer words (jellyfish),
  so "Krishchev" for "Khrushchev" is a spelling the recogniser chose, not a word the voice broke;
- only short function words differ ("a", "the", "and");
- the producer has accepted the word (lexicon.toml `accepted`): confirmed by ear, misheard anyway.

What is left is flagged, with a likely cause. The reference is the written sentence as readcast
reads it with no lexicon applied (its expansions of "Sgt." or "1894" are deliberate); words the
lexicon or an inline override changes are compared as written, so a wrong entry shows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

FUNCTION_WORDS = frozenset(
    "a an the and or but of to in on at by for as is it its was be are were with from that this these those "
    "his her he she they their them we our you your i if".split())
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_TOKEN = re.compile(r"[\w'’.\-/]+")


@functools.lru_cache(maxsize=1)
def _normalizer():
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


@functools.lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Whisper's English normalisation: lower case, digits for numbers, no punctuation."""
    # the [[ phonemes ]] an engine was given are not words anyone hears
    text = re.sub(r"\[\[.*?\]\]", " ", text)
    return " ".join(_normalizer()(text).split())


def words(text: str) -> list[str]:
    return normalize(text).split()


@dataclass(frozen=True)
class Difference:
    expected: str          # reference words (normalised)
    heard: str             # heard words (normalised)
    cause: str             # why it is thought to differ
    noise: str = ""        # set when it is the recogniser's noise, not a flag: the rule that said so


@dataclass
class Comparison:
    errors: int                      # word edits between heard and reference
    reference_words: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def flags(self) -> list[Difference]:
        return [d for d in self.differences if not d.noise]

    @property
    def significant_rate(self) -> float:
        n = sum(max(len(d.expected.split()), len(d.heard.split()), 1) for d in self.flags)
        return n / max(self.reference_words, 1)


def _sounds_alike(a: str, b: str) -> bool:
    import jellyfish

    a, b = a.replace(" ", ""), b.replace(" ", "")
    if not a.isalpha() or not b.isalpha():  # numbers are compared by value, never by sound
        return False
    ka, kb = jellyfish.metaphone(a), jellyfish.metaphone(b)
    if ka == kb:
        return True
    # a longer word spelt another way ("Krishchev"): one sound apart, never the first
    # ("warning" is not "morning")
    return min(len(ka), len(kb)) >= 5 and ka[0] == kb[0] and jellyfish.levenshtein_distance(ka, kb) <= 1


def _value(word: str) -> str:
    """A number however it is written: "21st", "21", "xxi"... compare by value ("ii" = "two" = "2")."""
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)?", word)
    if m:
        return str(int(m.group(1)))
    if word in _ROMAN:
        return str(_ROMAN[word])
    if word in _SMALL:
        return str(_SMALL[word])
    return word


def _inflected(a: str, b: str) -> bool:
    """One word heard with or without an ending ("base" / "based", "missile" / "missiles")."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short) and long[len(short):] in ("s", "es", "d", "ed", "'s")


_LETTER_NAMES = dict(zip("abcdefghijklmnopqrstuvwxyz", "a be see dee e ef gee aitch i jay kay el em en o pee cue ar "
                                                           "es tee you vee double-you ex why zee".split()))


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _noise(expected: list[str], heard: list[str], accepted: set[str], ctx: Context | None = None) -> str:
    if "".join(expected) == "".join(heard):
        return "split or joined differently"
    if ctx is not None and heard and _contains(ctx.written_words, heard) and not any(w in ctx.lexicon for w in expected):
        # what was heard is what is written ("179th", "NCO"): only readcast's spelling-out of it
        # ("one hundred seventy-ninth", "N-C-O") normalises differently
        return "heard as written"
    if expected and all(len(w) == 1 and w.isalpha() for w in expected) and 1 <= len(heard) <= 2:
        # letters read out ("B-M-T") that the recogniser wrote as one word ("bnt", "atc")
        joined = "".join(heard)
        if joined[:1] == expected[0] and abs(len(joined) - len(expected)) <= 1:
            return "letters heard as a word"
    spelt = [_LETTER_NAMES.get(w, w) if len(w) == 1 else w for w in expected]
    if spelt != expected and heard and _sounds_alike("".join(spelt).replace("-", ""), "".join(heard)):
        return "letters heard as a word"
    if expected and [_value(w) for w in expected] == [_value(w) for w in heard]:
        return "same number written differently"
    if len(expected) == 1 and len(heard) == 1 and _inflected(expected[0], heard[0]):
        return "word ending"
    if accepted and any(w in accepted for w in expected):
        return "accepted word"
    if all(w in FUNCTION_WORDS for w in expected + heard):
        return "function word"
    if expected and heard and _sounds_alike(" ".join(expected), " ".join(heard)):
        return "sounds alike"
    if not expected and len(heard) <= 2:
        return "a word or two heard in a pause"
    if ctx is not None and expected and all(w in ctx.plain for w in expected):
        if heard and len(expected) <= 2 or not heard and len(expected) == 1:
            return "ordinary word misheard"
    return ""


@dataclass(frozen=True)
class Context:
    """What classifies a difference: the written sentence and the lexicon's written words."""

    written: str
    lexicon: frozenset[str] = frozenset()   # normalised written forms of lexicon/override words
    spoken: str = ""                        # what the voice was given

    @functools.cached_property
    def written_words(self) -> list[str]:
        return words(self.written)

    @functools.cached_property
    def plain(self) -> frozenset[str]:
        """Ordinary words: written in lower case and given to the voice unchanged. piper reads
        these right; when the recogniser hears another word there, the recogniser is wrong."""
        given = set(words(self.spoken)) if self.spoken else set()
        return frozenset(w for w, token in self.tokens.items()
                         if w in given and w not in self.lexicon and not re.search(r"\d", w)
                         and token.rstrip("\0")[:1].islower())

    @functools.cached_property
    def tokens(self) -> dict[str, str]:
        """Normalised word -> its written token, for the words written as they are read."""
        out: dict[str, str] = {}
        for i, token in enumerate(_TOKEN.findall(self.written)):
            # a hyphenated word's parts are words too ("team-centered")
            for part in [token, *(re.split(r"[-/]", token) if re.search(r"\w[-/]\w", token) else [])]:
                norm = normalize(part)
                if norm and " " not in norm:
                    out.setdefault(norm, part if i else part + "\0")  # \0: sentence-initial capital
        return out


def cause(expected: list[str], heard: list[str], ctx: Context) -> str:
    if any(w in ctx.lexicon for w in expected):
        return "lexicon entry"
    if any(re.search(r"\d", w) for w in expected + heard):
        return "number or date"
    kinds = set()
    for w in expected:
        token = ctx.tokens.get(w)
        if token is None:
            kinds.add("abbreviation")  # not written so: readcast's expansion of something shorter
        elif re.search(r"[A-Z]{2}|\w\.\w", token.rstrip("\0")):
            kinds.add("abbreviation")
        elif token[:1].isupper() and not token.endswith("\0"):
            kinds.add("name or place")
    for kind in ("name or place", "abbreviation"):
        if kind in kinds:
            return kind
    return "word" if expected else "inserted words"


def compare(reference: str, heard: str, ctx: Context, accepted: set[str] | None = None) -> Comparison:
    """Align heard with reference; every difference, each marked as noise or not."""
    import jiwer

    ref, hyp = words(reference), words(heard)
    accepted = accepted or set()
    if not ref and not hyp:
        return Comparison(0, 0)
    if not ref or not hyp:
        d = Difference(" ".join(ref), " ".join(hyp), "silence" if not hyp else "inserted words")
        return Comparison(max(len(ref), len(hyp)), len(ref), [d])
    out = jiwer.process_words(" ".join(ref), " ".join(hyp))
    result = Comparison(out.substitutions + out.deletions + out.insertions, len(ref))
    # neighbouring edits are one difference ("metal worker" for "metalworker" is a substitution
    # and an insertion): judged whole first, then edit by edit when the whole is not noise
    groups: list[list] = []
    for chunk in out.alignments[0]:
        if chunk.type == "equal":
            groups.append([])
        elif groups and groups[-1]:
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    for group in filter(None, groups):
        e = ref[group[0].ref_start_idx:group[-1].ref_end_idx]
        h = hyp[group[0].hyp_start_idx:group[-1].hyp_end_idx]
        noise = _noise(e, h, accepted, ctx)
        if noise or len(group) == 1:
            result.differences.append(Difference(" ".join(e), " ".join(h), cause(e, h, ctx), noise))
            continue
        for chunk in group:
            e = ref[chunk.ref_start_idx:chunk.ref_end_idx]
            h = hyp[chunk.hyp_start_idx:chunk.hyp_end_idx]
            result.differences.append(Difference(" ".join(e), " ".join(h), cause(e, h, ctx), _noise(e, h, accepted, ctx)))
    return result


def split_heard(references: list[str], heard: str) -> list[str]:
    """Share out the text heard over several clips played one after another (a packed window)
    by aligning it with their references: each heard word goes to the clip whose reference word
    it lines up with; extra words go to the clip before them."""
    import jiwer

    refs = [words(r) for r in references]
    owner = [i for i, r in enumerate(refs) for _ in r]
    hyp = words(heard)
    if len(refs) == 1:
        return [" ".join(hyp)]
    out: list[list[str]] = [[] for _ in refs]
    if not hyp:
        return ["" for _ in refs]
    if not owner:
        out[0] = hyp
        return [" ".join(w) for w in out]
    alignment = jiwer.process_words(" ".join(w for r in refs for w in r), " ".join(hyp)).alignments[0]
    for chunk in alignment:
        if chunk.type == "delete":
            continue
        for k, j in enumerate(range(chunk.hyp_start_idx, chunk.hyp_end_idx)):
            if chunk.type in ("equal", "substitute"):
                i = min(chunk.ref_start_idx + k, chunk.ref_end_idx - 1)
            else:  # inserted: belongs with the word before it
                i = max(chunk.ref_start_idx - 1, 0)
            out[owner[min(i, len(owner) - 1)]].append(hyp[j])
    return [" ".join(w) for w in out]

"""Breaking titles and labels into lines that fit a width, in scripts with and without spaces.

Lines break at spaces and at zero-width spaces. Thai, Lao, Khmer and Burmese write words without
spaces between them (finding word ends would take a dictionary), and Tamil words are long: a word
wider than the line is broken between syllable clusters, never inside one (a vowel sign, a
stacked consonant or a tone mark stays with its base), so the pieces still shape correctly, though
the break may fall inside a word.
"""

import unicodedata
from collections.abc import Callable

ELLIPSIS = "\u2026"
ZERO_WIDTH_SPACE = "\u200b"

# Marks that join the next consonant to the cluster before them (viramas, Khmer coeng, Myanmar
# virama and asat, Thai phinthu).
_JOINERS = frozenset("\u0bcd\u17d2\u1039\u103a\u0e3a\u200d")
# Thai and Lao vowels written before the consonant they belong to.
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")


def cluster_starts(word: str) -> list[int]:
    """Offsets in ``word`` where a new cluster begins, so a line may break before them."""
    starts = []
    for index in range(1, len(word)):
        character, previous = word[index], word[index - 1]
        if unicodedata.category(character)[0] not in "LNPS":
            continue
        if previous in _JOINERS or previous in _LEADING_VOWELS:
            continue
        starts.append(index)
    return starts


def wrap(text: str, fits: Callable[[str], bool], max_lines: int) -> list[str]:
    """Greedy lines of ``text`` for which ``fits`` holds, at most ``max_lines`` (the last one
    ending in an ellipsis when the text is longer)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, fits))
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = _ellipsize(kept[-1], fits)
    return kept


def _words(paragraph: str) -> list[tuple[str, str]]:
    """Each word with the separator that joins it to the previous one: a space, or a zero-width
    space, which Khmer, Burmese and Thai writers put between words to allow a break there."""
    words = []
    for spaced in paragraph.split():
        for index, part in enumerate(spaced.split(ZERO_WIDTH_SPACE)):
            if part:
                words.append((" " if index == 0 else ZERO_WIDTH_SPACE, part))
    return words


def _wrap_paragraph(paragraph: str, fits: Callable[[str], bool]) -> list[str]:
    lines: list[str] = []
    line = ""
    for separator, word in _words(paragraph):
        candidate = f"{line}{separator}{word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = _break_word(word, fits)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    lines.append(line)
    return lines


def _break_word(word: str, fits: Callable[[str], bool]) -> list[str]:
    """``word`` cut between clusters into pieces that fit (a single cluster always stays whole)."""
    pieces = []
    rest = word
    while not fits(rest):
        cut = _longest_fitting_prefix(rest, fits)
        if cut is None:
            break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def _longest_fitting_prefix(word: str, fits: Callable[[str], bool]) -> int | None:
    """The last cluster start before which ``word`` still fits (a binary search: widths grow
    with the prefix)."""
    starts = cluster_starts(word)
    low, high = 0, len(starts)
    while low < high:
        middle = (low + high) // 2
        if fits(word[: starts[middle]]):
            low = middle + 1
        else:
            high = middle
    return starts[low - 1] if low else None


def _ellipsize(line: str, fits: Callable[[str], bool]) -> str:
    starts = [0, *cluster_starts(line), len(line)]
    for end in reversed(starts):
        candidate = line[:end].rstrip() + ELLIPSIS
        if fits(candidate):
            return candidate
    return ELLIPSIS

"""Vietnamese alphabetical order, for lists sorted in Python.

Python sorts by code point, which puts "Đ" after "Z" and "Ă", "Â" after
every plain letter; the database's order depends on its collation (SQLite
has none for Vietnamese). `vietnamese_sort_key` orders as a Vietnamese
dictionary does: letters first, in the alphabet a ă â b c d đ e ê … o ô ơ
… u ư … y; then, for words with the same letters, by tone: none, huyền,
hỏi, ngã, sắc, nặng; then by case. Digraphs (ch, ng, nh…) are not letters
of their own, as in the Unicode Common Locale Data Repository's order for
Vietnamese.
"""

import unicodedata

# The Latin letters that are not Vietnamese (f, j, w, z) keep their Latin
# place, so foreign names sort as a reader expects.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {letter: index for index, letter in enumerate(_ALPHABET)}
# Marks that make another letter (ă, â, ê, ô, ơ, ư) and tone marks.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str) -> list[tuple[str, int]]:
    """Each base letter (with its letter-making mark) and its tone."""
    out: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _TONES and out:
            out[-1] = (out[-1][0], _TONES[char])
        elif unicodedata.combining(char) and out:
            if char in _LETTER_MARKS:
                base = unicodedata.normalize("NFC", out[-1][0] + char)
                out[-1] = (base, out[-1][1])
        else:
            out.append((char, 0))
    return out


def vietnamese_sort_key(text: str) -> tuple:
    """A key for sorted(): Vietnamese order of letters, then tones, then
    case. Spaces and punctuation come before digits, digits before letters."""
    letters = _letters(text)
    primary = tuple(
        (2, _LETTER[c]) if c in _LETTER else (1 if c.isdigit() else 0, ord(c))
        for c, _tone in letters
    )
    tones = tuple(tone for _c, tone in letters)
    return (primary, tones, text)

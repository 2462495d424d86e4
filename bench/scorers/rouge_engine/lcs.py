"""rougeLsum's union LCS, exactly as rouge-score picks it, for all sentence pairs at once.

rougeLsum takes, for each reference sentence, the union of one LCS with every candidate sentence,
and which LCS rouge-score picks when several exist decides the score. Its backtracking walks the
DP table from the bottom-right corner: on a match it goes diagonally, otherwise up unless the cell
to the left is strictly larger. Seen column by column (candidate token ``j`` from the right, with
``k`` the table value at the current row ``i``), that walk takes the *last* reference row ``r``
in ``[s, i]`` whose token matches, where ``s`` is the first row at which column ``j`` reaches
``k``, and moves on to row ``r - 1``; with no such match it moves on to row ``s``.

The DP columns come from the bit-parallel LCS of Hyyrö (2004), for all reference sentences at
once (bit segments separated by guard bits). With few sentence pairs the walk then runs pair by
pair, a level of the LCS at a time. With many, it runs for every (reference sentence, candidate
sentence) block at once on one Python integer: candidate sentences are aligned at their ends so
that step ``t`` handles the ``t``-th token from the end of each, and "last row" becomes "lowest
set bit" after reversing the bit order, which subtraction isolates in all segments at once.
Either way the result is rouge-score's choice, tie for tie (tests compare both with it).
"""

from __future__ import annotations

from itertools import chain, compress, repeat

import numpy as np

_REVERSED_BITS = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))
_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")
NUMPY_FROM = 6
"""Candidates with this many sentences or more are laid out with numpy (less Python work)."""
PAIR_BY_PAIR = 48
"""Up to this many (reference, candidate) sentence pairs, walk each pair on its own."""


def codes_of(tokens: str) -> np.ndarray:
    """Code points of a token string."""
    return np.frombuffer(tokens.encode("utf-32-le"), "<u4")


def text_of(codes: np.ndarray) -> str:
    """The token string of code points."""
    return codes.astype("<u4").tobytes().decode("utf-32-le")


class ReferenceSentences:
    """A reference's sentences as a bit layout, built once and reused for every candidate.

    One block is ``width`` bits (a multiple of 8): bit 0 is a guard, then each sentence's tokens
    (first token lowest), each sentence followed by a guard bit, then padding. A candidate with
    ``n`` sentences is matched against ``n`` copies of the block side by side.
    """

    __slots__ = (
        "_table",
        "blank",
        "data",
        "forward",
        "guards",
        "lines",
        "lows",
        "masks",
        "nbytes",
        "pad",
        "positions",
        "repeated",
        "rows",
        "width",
    )

    def __init__(self, lines: tuple[str, ...]) -> None:
        bits = 1 + sum(len(line) + 1 for line in lines)
        self.nbytes = nbytes = (bits + 7) // 8
        self.width = width = 8 * nbytes
        masks: dict[str, int] = {}
        get = masks.get
        data = guards = lows = 0
        position = 1
        self.rows: list[tuple[int, dict[str, int]]] = []
        """Per sentence: its first bit, and token -> its rows in the sentence (bit 0: first)."""
        for line in lines:
            guards |= 1 << (width - position)  # reversed order: the guard above the sentence
            rows: dict[str, int] = {}
            self.rows.append((position, rows))
            for row, char in enumerate(line):
                masks[char] = get(char, 0) | (1 << position)
                rows[char] = rows.get(char, 0) | (1 << row)
                position += 1
            lows |= 1 << (width - position)  # reversed order: the sentence's last token
            data |= (1 << position) - (1 << (position - len(line)))
            position += 1
        self.lines = lines
        self.masks = masks
        """Token -> its positions in one block (DP bit order)."""
        self.positions = "\0" + "\0".join(lines) + "\0" * (width - position + 1)
        """Token at each DP bit position (any character at guards and padding)."""
        self.forward: dict[str, bytes] = {}
        """``masks`` as bytes, for the many-sentence walk (filled on first use)."""
        self.blank = bytes(nbytes)
        self.pad = next(chr(c) for c in range(0x10FFFF, -1, -1) if chr(c) not in masks)
        """A character that is no token of this reference: pads short candidate sentences."""
        self.data = data
        self.guards = guards
        self.lows = lows
        self.repeated: dict[int, tuple[int, int, int, int]] = {}
        """Copies count -> (data, reversed data, guards, lows) of that many blocks."""
        self._table: tuple[np.ndarray, np.ndarray] | None = None

    def _blocks(self, count: int) -> tuple[int, int, int, int]:
        found = self.repeated.get(count)
        if found is None:
            copies = sum(1 << (self.width * c) for c in range(count))
            data = self.data * copies
            total = self.nbytes * count
            reverse = int.from_bytes(data.to_bytes(total, "little").translate(_REVERSED_BITS))
            found = self.repeated[count] = (data, reverse, self.guards * copies, self.lows * copies)
        return found

    def _steps(self, candidate: tuple[str, ...], length: int) -> bytes:
        """Match bytes of every step (candidate sentences end-aligned), step after step."""
        if not self.forward:
            nbytes = self.nbytes
            self.forward = {c: mask.to_bytes(nbytes, "little") for c, mask in self.masks.items()}
        if len(candidate) < NUMPY_FROM:
            padded = [line.rjust(length, self.pad) for line in candidate]
            tokens = chain.from_iterable(zip(*padded, strict=True))
            return b"".join(map(self.forward.get, tokens, repeat(self.blank)))
        if self._table is None:
            chars = sorted(self.forward)
            joined = b"".join([self.forward[c] for c in chars]) + self.blank
            self._table = (
                codes_of("".join(chars)),
                np.frombuffer(joined, np.uint8).reshape(len(chars) + 1, self.nbytes),
            )
        known, table = self._table
        codes = codes_of("".join(candidate))
        index = np.minimum(np.searchsorted(known, codes), len(known) - 1)
        rows = np.where(known[index] == codes, index, len(known))
        lengths = np.fromiter(map(len, candidate), dtype=np.intp, count=len(candidate))
        grid = np.full((length, len(candidate)), len(known), dtype=np.intp)
        columns = np.repeat(np.arange(len(candidate)), lengths)
        steps = np.arange(len(codes)) - np.repeat(np.cumsum(lengths), lengths) + length
        grid[steps, columns] = rows
        return bytes(table[grid].tobytes())

    def union(self, candidate: tuple[str, ...]) -> str:
        """Tokens of rouge-score's union LCS of every reference sentence with the candidate
        sentences, before rouge-score caps each token at its count in the candidate."""
        if len(candidate) * len(self.lines) <= PAIR_BY_PAIR:
            return self._union_pairwise(candidate)
        return self._union_blocks(candidate)

    def _union_pairwise(self, candidate: tuple[str, ...]) -> str:
        """The walk level by level for each sentence pair: cheaper when there are few pairs.

        At level ``k`` (current row ``i``, column ``j``) the rows up to ``i`` where column ``j``
        rises are the increments of the DP column; ``s``, the last of them, is where the
        column reaches ``k``. The walk takes the last row in ``[s, i]`` matching token ``j``,
        or else stays at row ``s`` and takes the nearest earlier column holding its token.
        """
        data, masks, rows, lines = self.data, self.masks, self.rows, self.lines
        union = [0] * len(lines)
        for line in candidate:
            columns: list[int] = []
            v = data
            for char in line:
                match = masks.get(char)
                if match:
                    u = v & match
                    v = ((v + u) | (v ^ u)) & data
                columns.append(v)
            for index, (start, tokens) in enumerate(rows):
                reference = lines[index]
                i, j = len(reference), len(line)
                taken = union[index]
                while i > 0 and j > 0:
                    rises = ~(columns[j - 1] >> start) & ((1 << i) - 1)
                    if not rises:
                        break
                    s = rises.bit_length() - 1
                    hit = tokens.get(line[j - 1], 0) & ((1 << i) - (1 << s))
                    if hit:
                        i = hit.bit_length() - 1
                        j -= 1
                    else:
                        i = s
                        j = line.rfind(reference[s], 0, j - 1)
                    taken |= 1 << i
                union[index] = taken
        return "".join(
            "".join(
                compress(
                    reference,
                    format(taken, f"0{len(reference)}b")[::-1].encode().translate(_ZERO_ONE),
                )
            )
            for reference, taken in zip(lines, union, strict=True)
            if taken
        )

    def _union_blocks(self, candidate: tuple[str, ...]) -> str:
        """The walk on all blocks at once: one Python integer per step, however many pairs."""
        count = len(candidate)
        length = max(map(len, candidate))
        joined = self._steps(candidate, length)
        total = self.nbytes * count
        data, allowed, guards, lows = self._blocks(count)
        from_bytes = int.from_bytes
        view = memoryview(joined)
        offsets = range(0, length * total, total)
        columns: list[int] = []
        v = data
        for match in [from_bytes(view[t : t + total], "little") for t in offsets]:
            if match:
                u = v & match
                v = ((v + u) | (v ^ u)) & data
            columns.append(v)
        # The walk goes right to left in reversed bit order: flip the bits of every byte, then
        # read big-endian.
        steps = memoryview(
            b"".join([(data ^ v).to_bytes(total, "little") for v in columns]).translate(
                _REVERSED_BITS
            )
        )
        flipped = memoryview(joined.translate(_REVERSED_BITS))
        taken = 0
        for t in reversed(offsets):
            z = (allowed & from_bytes(steps[t : t + total])) | guards
            below = z ^ (z - lows)
            hit = from_bytes(flipped[t : t + total]) & allowed & below
            if hit:
                m = hit | guards
                upto = m ^ (m - lows)
                taken |= upto & hit
                allowed ^= allowed & upto & ((below >> 1) | hit)
            else:
                allowed ^= allowed & (below >> 1)
            if not allowed:
                break
        if not taken:
            return ""
        if count < NUMPY_FROM:
            block = (1 << self.width) - 1
            union = 0
            for _ in range(count):
                union |= taken & block
                taken >>= self.width
        else:
            blocks = np.frombuffer(taken.to_bytes(total, "little"), np.uint8).reshape(count, -1)
            union = int.from_bytes(np.bitwise_or.reduce(blocks).tobytes(), "little")
        selected = format(union, f"0{self.width}b").encode().translate(_ZERO_ONE)
        return "".join(compress(self.positions, selected))

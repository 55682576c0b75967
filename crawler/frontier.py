"""What keeps the crawl's memory independent of how many URLs a site links.

The site spider remembers exactly only the URLs it will fetch (its frontier and what it has
fetched): at most ``frontier_cap(max_pages)`` queued, so ``max_pages`` bounds them. Every URL
it drops — past the page budget, past a full frontier, too deep, a trap — is counted once in
``ApproxSeen``, a Bloom filter of fixed size (16 MB), instead of being kept in a set: a page
farm linking millions of URLs costs counts, not memory. The counts are approximate (a false
positive rate of about 0.2 % at three million URLs) and said so in summary.json and the report.
"""

from __future__ import annotations

# Pages queued beyond what the budget can still fetch: room for those that fail, redirect
# onto a page already seen or turn out not to be HTML, without remembering the whole site.
FRONTIER_SLACK = 1000


def frontier_cap(max_pages: int) -> int:
    """How many URLs the frontier holds at most."""
    return max_pages + FRONTIER_SLACK


class ApproxSeen:
    """A fixed-size Bloom filter (two bit positions per item): ``add(s)`` says whether ``s``
    was (probably) new. 16 MB by default: about 0.2 % false positives at three million items."""

    def __init__(self, bits: int = 1 << 27) -> None:
        self.size = bits
        self.bits = bytearray(bits // 8)
        self.count = 0  # distinct items added (approximately)

    def add(self, item: str) -> bool:
        # Python's string hash: salted per process (this filter lives in one process) and far
        # cheaper than a cryptographic digest; its two halves give the two positions.
        h = hash(item) & 0xFFFFFFFFFFFFFFFF
        a, b = (h & 0xFFFFFFFF) % self.size, (h >> 32) % self.size
        bits = self.bits
        ba, ma, bb, mb = a >> 3, 1 << (a & 7), b >> 3, 1 << (b & 7)
        if bits[ba] & ma and bits[bb] & mb:
            return False
        bits[ba] |= ma
        bits[bb] |= mb
        self.count += 1
        return True

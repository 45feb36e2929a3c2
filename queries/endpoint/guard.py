"""Checks on a query's text before it reaches the engine.

Oxigraph's parser is recursive: a query nested thousands of levels deep overflows its stack and
kills the process that parses it. Real queries nest a handful of levels, so deeper ones are
refused up front with a 400 instead of costing a worker.
"""

from __future__ import annotations

MAX_NESTING = 128
_OPEN, _CLOSE = "{([", "})]"


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets, braces and parentheses outside strings, IRIs and comments."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":  # a comment runs to the end of the line
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
        elif c in "\"'":
            long = text.startswith(c * 3, i)
            quote = c * 3 if long else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote) - 1
        elif c == "<":  # an IRI has no spaces; a comparison operator is followed by one
            end = text.find(">", i)
            space = next((k for k in range(i + 1, min(end if end > 0 else n, n)) if text[k] in " \t\n"), None)
            if end > 0 and space is None:
                i = end
        elif c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    return deepest

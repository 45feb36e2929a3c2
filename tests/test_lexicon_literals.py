"""Chinese text is data: the extractor's words and patterns live in the lexicon, not in its code.

Walks the domain code (kg/, ontology/) with ``ast`` and fails on a string constant holding a CJK character,
except in docstrings (and other bare string statements), in f-strings that are messages (raised or
passed to a warning/logging call), and in the explicit allow-list below. A new word or pattern belongs
in ``ontology/lexicon/*.toml``, with a comment saying what it covers, read through ``lexicon()``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# every module of the domain layers that reads text or decides identity: kg/ (extraction, resolution, reuse,
# ingest, structure, graph) and ontology/ (gazetteer, lexicon loader); vocabulary.py is generated from ipkg.ttl
CHECKED = sorted(p for p in [*(ROOT / "kg").rglob("*.py"), *(ROOT / "ontology").glob("*.py")]
                 if p.name != "vocabulary.py")

# Han ideographs (unified, extension A, compatibility) and the numeral 〇.
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007]")

# Calls whose f-string arguments are messages shown to a user, not patterns.
MESSAGE_CALLS = {"warn", "warning", "error", "info", "debug", "exception", "Diagnostic", "echo", "print"}

# (file relative to the repository, the literal) -> why it stays in code. Keep this short; every
# entry must still occur (a stale entry fails the test too).
ALLOWED: dict[tuple[str, str], str] = {
    ("kg/ingest.py", "\u3400-\u9fff\uf900-\ufaff"): "a character range (the Han blocks), not a word",
    ("kg/model.py", "the numbering as printed, e.g. 第三章, （一）, 专栏2"): "a field's description in the JSON Schema",
    ("kg/model.py", "预期性"): "a value of the plan-data schema (an indicator's nature), the contract's vocabulary",
    ("kg/model.py", "约束性"): "a value of the plan-data schema (an indicator's nature), the contract's vocabulary",
    ("kg/graph.py", "（无标题："): "the display name of a plan whose text prints no title, shown to analysts",
    ("ontology/labels.py", "牵头"): "the zh display label of the role lead, shown to analysts",
    ("ontology/labels.py", "配合"): "the zh display label of the role co, shown to analysts",
}


def _documentation(tree: ast.AST) -> set[int]:
    """ids of bare string statements: docstrings and attribute docstrings."""
    return {id(n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}


def _messages(tree: ast.AST) -> set[int]:
    """ids of the constant parts of f-strings that are messages (raised, or passed to a message call)."""
    out: set[int] = set()
    roots: list[ast.AST] = [n.exc for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.exc is not None]
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in MESSAGE_CALLS:
                roots += [*n.args, *(k.value for k in n.keywords)]
    for root in roots:
        for j in ast.walk(root):
            if isinstance(j, ast.JoinedStr):
                out |= {id(v) for v in j.values if isinstance(v, ast.Constant)}
    return out


def cjk_literals(path: Path) -> list[tuple[int, str]]:
    """(line, value) of each CJK string constant in a file that is not documentation or a message."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _documentation(tree) | _messages(tree)
    return sorted((n.lineno, n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
                  and id(n) not in skip)


def test_no_chinese_literals_in_domain_code() -> None:
    found: list[str] = []
    for path in CHECKED:
        rel = path.relative_to(ROOT).as_posix()
        for line, value in cjk_literals(path):
            if (rel, value) not in ALLOWED:
                found.append(f"{rel}:{line}: {value!r}")
    assert not found, (
        "Chinese string literals in code (move them to ontology/lexicon/*.toml with a comment and read "
        "them through lexicon(), or add them to ALLOWED with a reason):\n" + "\n".join(found)
    )


def test_allow_list_is_not_stale() -> None:
    present = {(p.relative_to(ROOT).as_posix(), v) for p in CHECKED for _, v in cjk_literals(p)}
    stale = [k for k in ALLOWED if k not in present]
    assert not stale, f"allow-list entries no longer in the code: {stale}"


def test_the_check_catches_a_literal(tmp_path: Path) -> None:
    src = tmp_path / "probe.py"
    src.write_text(
        '"""Docstring 中文 is fine."""\n'
        'import re\n'
        'WORDS = ("牵头", "配合")\n'
        'RX = re.compile(rf"(?P<deng>等)?{WORDS}")\n'
        'def f(x):\n'
        '    """中文 docstring."""\n'
        '    raise ValueError(f"{x}: 不是规划")\n',
        encoding="utf-8",
    )
    assert [v for _, v in cjk_literals(src)] == ["牵头", "配合", "(?P<deng>等)?"]

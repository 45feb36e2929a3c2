"""The CLI bounds what it reads and never prints a traceback (issue 16, points 9 and 10).

Each attack is performed for real: through `ipkg` in a subprocess (under an address-space cap, killed past its time
limit, its peak memory measured; see bench/reliability_cli.py), or on the reader itself where the bound is about
memory or time inside one call.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import tracemalloc
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench.reliability_cli import Run
from bench.reliability_cli import ipkg as run_ipkg
from kg.folder import FolderError, base_iri_of
from kg.ingest import IngestError, Limits, clean_text, read_source
from kg.model import NO_CONTROL_CHARACTER
from kg.validate import plan_data_schema, validate_file
from tests.conftest import seed
from tests.hostile import deep_json, docx_bomb, pdf_bomb
from tests.makefiles import make_docx, make_pdf

SEED0 = seed("000").read_text(encoding="utf-8")
SEED4 = seed("004").read_text(encoding="utf-8")
NEWS = "本报讯 昨日，我市举行春季运动会，来自全市各学校的两千余名运动员参加比赛。比赛设田径、游泳等项目，历时三天。\n"
CAP = "(raise it with --max-mb or IPKG_MAX_MB)"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
PEAK_MB = 1_500  # one sample plan extracts in about 220 MB; an unbounded read reached 5.4 GB before the cap


def ipkg(tmp: Path, *args: str | bytes | Path, env: dict[str, str] | None = None) -> Run:
    return run_ipkg(tmp, *(str(a) if isinstance(a, Path) else a for a in args), env=env, timeout=180)


def lines(run: Run) -> list[str]:
    return [ln for ln in run.text.splitlines() if ln.strip()]


def assert_handled(run: Run, code: int = 1) -> None:
    """Finished (not killed), within the memory bound, no traceback, the expected exit status."""
    assert run.code == code and run.clean and run.peak_mb < PEAK_MB, (run.figure(), run.text[-2000:])


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory, plans) -> Path:
    """Plan data of sample plan 004, as `ipkg extract` writes it."""
    target = tmp_path_factory.mktemp("plan-data") / "good.json"
    target.write_text(plans["004"].model_dump_json(indent=1), encoding="utf-8")
    return target


# ---------------------------------------------------------------- point 9: only regular files, within the cap


def test_devices_fifos_and_sockets_are_refused_links_to_files_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(SEED4, encoding="utf-8")
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.txt")
    (tmp_path / "elsewhere.txt").write_text(SEED0, encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "elsewhere.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
        run = ipkg(tmp_path, "extract", folder, "--out", tmp_path / "out")
    assert_handled(run)
    errors = [ln for ln in lines(run) if ln.startswith("error")]
    assert errors == ["error fifo.txt: not a regular file (a FIFO); only files are read",
                      "error sock.txt: not a regular file (a socket); only files are read",
                      "error zero.txt: not a regular file (a character device); only files are read"]
    assert [ln.split(":")[0] for ln in lines(run) if ln.startswith("ok")] == ["ok good.txt", "ok link.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.json", "link.json"]
    assert f"2 of 5 file(s) extracted to {tmp_path / 'out'}" in run.text


def test_a_fifo_argument_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "plan.txt")
    (tmp_path / "good.txt").write_text(SEED4, encoding="utf-8")
    run = ipkg(tmp_path, "extract", tmp_path / "plan.txt", tmp_path / "good.txt", "--out", tmp_path / "out")
    assert_handled(run)
    assert "error plan.txt: not a regular file (a FIFO); only files are read" in lines(run)
    assert (tmp_path / "out" / "good.json").is_file()


def test_the_cap_is_an_option_and_an_environment_variable(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(SEED4, encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(NEWS * (3_000_000 // len(NEWS.encode()) + 1), encoding="utf-8")  # 3.0 MB, not a plan
    refused = f"error big.txt: 3.0 MB, more than the 2 MB cap {CAP}"
    for how in (["--max-mb", "2"], []):
        run = ipkg(tmp_path, "extract", big, tmp_path / "good.txt", "--out", tmp_path / "out", *how,
                   env=None if how else {"IPKG_MAX_MB": "2"})
        assert_handled(run)
        assert refused in lines(run) and any(ln.startswith("ok good.txt:") for ln in lines(run))
    # above the cap it is read (and found not to be a plan)
    run = ipkg(tmp_path, "extract", big, "--out", tmp_path / "out", "--max-mb", "4")
    assert_handled(run)
    assert lines(run)[0].startswith("error big.txt: not a plan")
    run = ipkg(tmp_path, "build", big, tmp_path / "good.txt", "--out", tmp_path / "graph", env={"IPKG_MAX_MB": "2"})
    assert_handled(run)
    assert refused in lines(run) and (tmp_path / "graph" / "kg.nt").is_file()


@pytest.mark.parametrize("args,env,says", [
    (["extract", "--max-mb", "0"], None, "Invalid value for '--max-mb'"),
    (["build"], {"IPKG_MAX_MB": "lots"}, "Invalid value for '--max-mb'"),
    (["validate", "x.json"], {"IPKG_MAX_MB": "lots"},
     "error IPKG_MAX_MB='lots': give the cap on one input as a positive number of MB"),
])
def test_a_cap_that_is_no_size_is_a_usage_error(tmp_path: Path, args: list[str], env: dict | None, says: str) -> None:
    run = ipkg(tmp_path, *args, env=env)
    assert_handled(run, code=2)
    assert says in run.text


def test_a_docx_is_refused_while_it_inflates(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    docx_bomb(bomb, xml_mb=171)
    assert bomb.stat().st_size < 600_000
    import docx  # noqa: F401  (imported before measuring: the reader's own memory is what is bounded)

    tracemalloc.start()
    with pytest.raises(IngestError) as exc:
        read_source(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(exc.value) == f"bomb.docx: its parts once decompressed, more than the 50 MB cap {CAP}"
    assert peak < 10_000_000  # inflated a megabyte at a time and counted, never held (the XML would be 171 MB)


def test_a_docx_under_the_cap_is_read_and_its_parts_are_counted(tmp_path: Path) -> None:
    f = tmp_path / "plan.docx"
    make_docx(f, SEED4.splitlines())
    assert "知识产权" in read_source(f)[0]
    inflated = sum(i.file_size for i in zipfile.ZipFile(f).infolist())
    with pytest.raises(IngestError, match="its parts once decompressed"):
        read_source(f, Limits(max_mb=inflated / 2 / 1e6))
    with zipfile.ZipFile(f, "a") as zf:
        for i in range(30):
            zf.writestr(f"extra/item{i}.xml", "<x/>")
    with pytest.raises(IngestError) as exc:
        read_source(f, Limits(max_parts=20))
    assert str(exc.value).endswith("parts in its container, more than the 20 a .docx may hold")


def test_a_pdf_is_refused_on_its_inflated_content_before_any_text_is_extracted(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    pdf_bomb(bomb, pages=20, mb_per_page=20)  # 400 MB of text; extracting it would take about five minutes
    t0 = time.perf_counter()
    with pytest.raises(IngestError) as exc:
        read_source(bomb)
    assert time.perf_counter() - t0 < 10  # about 1.3 s: inflating is quick, extracting 20 MB takes 13 s
    assert str(exc.value) == ("bomb.pdf: its page content once decompressed, more than the 50 MB cap by page 3 of 20 "
                              + CAP)
    one = tmp_path / "one.pdf"
    pdf_bomb(one, pages=1, mb_per_page=60)  # one stream past the cap: pypdf stops inflating it
    with pytest.raises(IngestError) as exc:
        read_source(one)
    assert str(exc.value) == f"one.pdf: a stream once decompressed, more than the 50 MB cap {CAP}"
    many = tmp_path / "many.pdf"
    pdf_bomb(many, pages=30, mb_per_page=0.001)
    with pytest.raises(IngestError) as exc:
        read_source(many, Limits(max_pages=20))
    assert str(exc.value) == "many.pdf: 30 pages, more than the 20 a plan may have"


def test_a_pdf_whose_text_outgrows_its_content_is_refused_on_the_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    f = tmp_path / "plan.pdf"
    make_pdf(f, ["知识产权保护和运用规划" * 10] * 100)  # two bytes of content per character, three of UTF-8 text
    content = len(PdfReader(f).pages[0].get_contents().get_data())
    text = len(read_source(f)[0].encode())
    below = max(content, f.stat().st_size)
    assert below < text
    cap = (below + text) / 2
    with pytest.raises(IngestError) as exc:
        read_source(f, Limits(max_mb=cap / 1e6))
    assert str(exc.value).startswith(f"plan.pdf: {text / 1e6:,.1f} MB of text, more than the {cap / 1e6:g} MB cap by "
                                     "page 1 of 1")


# ---------------------------------------------------------------- point 10: one line per file, never a traceback


def test_a_file_name_that_is_not_utf8_is_refused_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(SEED4, encoding="utf-8")
    bad = os.fsencode(folder) + b"/\xff\xfe.txt"
    Path(os.fsdecode(bad)).write_text(SEED0, encoding="utf-8")
    refused = "error \\xff\\xfe.txt: the file name is not valid UTF-8; rename the file"
    for args in ([folder], [bad, folder / "good.txt"]):
        run = ipkg(tmp_path, "extract", *args, "--out", tmp_path / "out")
        assert_handled(run)
        assert refused in lines(run) and any(ln.startswith("ok good.txt:") for ln in lines(run))
    run = ipkg(tmp_path, "build", folder, "--out", tmp_path / "graph")
    assert_handled(run)
    assert refused in lines(run) and (tmp_path / "graph" / "kg.nt").is_file()


def test_deep_json_is_one_line_in_validate_and_build(tmp_path: Path, plan_json: Path) -> None:
    deep = tmp_path / "deep.json"
    deep_json(deep, 100_000)
    run = ipkg(tmp_path, "validate", deep, plan_json)
    assert_handled(run)
    assert lines(run) == [f"invalid {deep}: nested too deeply to be plan data",
                          f"valid {plan_json}: 3 indicators, 20 departments, 14 tasks"]
    run = ipkg(tmp_path, "build", deep, plan_json, "--out", tmp_path / "graph")
    assert_handled(run)
    assert f"error {deep}: nested too deeply to be plan data" in lines(run)
    assert len(list(ox.parse(path=str(tmp_path / "graph" / "kg.nt"), format=ox.RdfFormat.N_TRIPLES))) > 1000


def test_validate_reads_only_regular_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "plan.json")
    assert validate_file(tmp_path / "plan.json") == (None, [f"{tmp_path / 'plan.json'}: not a regular file (a FIFO); "
                                                           "only files are read"])


@pytest.mark.parametrize("command", ["extract", "build", "demo"])
def test_out_naming_a_file_is_one_line_and_the_file_is_kept(tmp_path: Path, command: str) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("keep me\n", encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text(SEED4, encoding="utf-8")
    inputs = [] if command == "demo" else [plan]
    run = ipkg(tmp_path, command, *inputs, "--out", target)
    assert_handled(run, code=2)
    assert lines(run) == [f"error --out {target}: exists and is not a folder"]
    run = ipkg(tmp_path, command, *inputs, "--out", target / "sub")
    assert_handled(run, code=2)
    assert lines(run) == [f"error --out {target / 'sub'}: {target} is a file, not a folder"]
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_eval_dir_and_schema_write_naming_the_wrong_thing(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    run = ipkg(tmp_path, "extract", "--eval-dir", tmp_path / "taken", "--out", tmp_path / "out")
    assert_handled(run, code=2)
    assert lines(run) == [f"error --eval-dir {tmp_path / 'taken'}: exists and is not a folder"]
    run = ipkg(tmp_path, "schema", "--write", tmp_path)
    assert_handled(run)
    assert lines(run) == [f"error cannot write {tmp_path}: Is a directory"]


def test_a_plan_that_cannot_be_written_fails_alone(tmp_path: Path) -> None:
    for name, text in (("a.txt", SEED4), ("b.txt", SEED0)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "out" / "a.json").mkdir(parents=True)  # where a's plan data would go
    run = ipkg(tmp_path, "extract", tmp_path / "a.txt", tmp_path / "b.txt", "--out", tmp_path / "out")
    assert_handled(run)
    assert f"error a.txt: cannot write {tmp_path / 'out' / 'a.json'} (Is a directory)" in lines(run)
    assert (tmp_path / "out" / "b.json").is_file()
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary left


# ---------------------------------------------------------------- control characters in keys and names


def _with(data: dict, where: str, value: str) -> dict:
    """``data`` with the string at ``where`` (a dotted path; numbers index lists; ``evidence.*`` renames a key)."""
    data = json.loads(json.dumps(data))
    *parents, last = where.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if last == "*":
        node[value] = node.pop(next(iter(node)))
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize("where,value,json_path", [
    ("plan.key", "民和\x01县", "$.plan.key"),
    ("departments.0.name", "县\x1b[2J局", "$.departments[0].name"),
    ("source.file", "plan\n.txt", "$.source.file"),
    ("indicators.0.evidence.source", "a\x85b.txt", "$.indicators[0].evidence.source"),
    ("plan.evidence.*", "title\x00", "$.plan.evidence.title\x00.[key]"),
])
def test_control_characters_in_keys_and_names_are_refused(plan_json: Path, tmp_path: Path, where: str, value: str,
                                                          json_path: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_with(json.loads(plan_json.read_text(encoding="utf-8")), where, value)),
                   encoding="utf-8")
    data, problems = validate_file(bad)
    code = ord(CONTROL.search(value).group())
    assert data is None and problems == [
        f"{bad}: {json_path}: holds a control character (U+{code:04X}); keys and names are one line of text"]


def test_the_json_schema_refuses_them_too() -> None:
    schema = plan_data_schema()
    assert schema["$defs"]["PlanMeta"]["properties"]["key"]["pattern"] == NO_CONTROL_CHARACTER
    assert schema["$defs"]["PlanMeta"]["properties"]["evidence"]["propertyNames"] == {"pattern": NO_CONTROL_CHARACTER}
    assert re.search(NO_CONTROL_CHARACTER, "民和县市场监督管理局 [red]")
    for c in "\x00\x01\x1b\n\t\x7f\x85\x9f":
        assert not re.search(NO_CONTROL_CHARACTER, f"a{c}b")


def test_a_control_character_key_never_reaches_the_graph(tmp_path: Path, plan_json: Path) -> None:
    bad = tmp_path / "ctrl.json"
    bad.write_text(json.dumps(_with(json.loads(plan_json.read_text(encoding="utf-8")), "plan.key", "民和\x01县")),
                   encoding="utf-8")
    refused = f"{bad}: $.plan.key: holds a control character (U+0001); keys and names are one line of text"
    run = ipkg(tmp_path, "validate", bad)
    assert_handled(run)
    assert lines(run) == [f"invalid {refused}"]
    graph = tmp_path / "graph"
    run = ipkg(tmp_path, "build", plan_json, bad, "--out", graph)
    assert_handled(run)
    assert f"error {refused}" in lines(run)
    triples = list(ox.parse(path=str(graph / "kg.nt"), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) > 1000 and not any("\x01" in str(t) for t in triples)
    before = {p.name: p.read_bytes() for p in graph.iterdir() if p.is_file()}
    run = ipkg(tmp_path, "build", bad, "--out", graph)  # nothing to build: what is there stays as it was
    assert_handled(run)
    assert lines(run) == [f"error {refused}", "error no plan could be read; nothing built"]
    assert {p.name: p.read_bytes() for p in graph.iterdir() if p.is_file()} == before
    assert base_iri_of(graph) == "http://127.0.0.1:8000/id/"


def test_a_broken_kg_nt_is_a_folder_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "kg.nt").write_bytes(b"<http://127.0.0.1:8000/id/plan/a\x01b> <http://x/p> <http://x/o> .\n")
    with pytest.raises(FolderError) as exc:
        base_iri_of(tmp_path)
    msg = str(exc.value)
    assert msg.startswith(f"{tmp_path / 'kg.nt'} cannot be read (") and "\n" not in msg
    assert msg.endswith(f"run `ipkg build --out {tmp_path}` again")


def test_serve_refuses_a_broken_kg_nt_with_one_line(tmp_path: Path, plan_json: Path) -> None:
    from loaders.falkordb_server import free_port

    graph = tmp_path / "graph"
    assert_handled(ipkg(tmp_path, "build", plan_json, "--out", graph), code=0)
    with (graph / "kg.nt").open("ab") as f:  # what a build before the model refused control characters left
        f.write(b"<http://127.0.0.1:8000/id/plan/a\x01b> <http://x/p> <http://x/o> .\n")
    run = ipkg(tmp_path, "serve", "--data", graph, "--port", str(free_port()))
    assert_handled(run)
    assert lines(run)[-1].startswith(f"error {graph / 'kg.nt'} cannot be read (Parser error at line ")
    assert lines(run)[-1].endswith(f"run `ipkg build --out {graph}` again") and "\x1b" not in run.text


CONTROLS = st.characters(min_codepoint=0, max_codepoint=0x9F).filter(lambda c: bool(CONTROL.match(c)))
PIECES = st.sampled_from(["（一）推进工作。", "责任单位：", "县市场监管局", "县公安局", "、", "\n", "牵头", "配合",
                          "「万州青脆李」", "每万人口发明专利拥有量达到", "1.5件", "\t"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, CONTROLS, st.text(max_size=4)), max_size=40).map("".join))
@example("（一）打造品牌。培育「万州\x1b青脆李」等品牌。（责任单位：县市场\x01监管局）")
@example("责任单位：0\x08（一）推进工作。")
def test_control_characters_in_the_text_never_reach_a_name_or_key(body: str) -> None:
    """Whatever control characters a document holds, extraction gives valid plan data (or refuses a non-plan):
    never a model error."""
    from kg.extract import NotAPlanError, extract_document
    from kg.ingest import Document
    from kg.model import SourceInfo

    raw = ("安吉县知识产权工作实施方案\n\n为加强知识产权保护和运用，做好专利、商标、版权工作，制定本方案。\n\n"
           "一、重点任务\n" + body)
    doc = Document(SourceInfo(file="t.txt", sha256="0" * 64, format="txt", chars=len(raw)), raw, clean_text(raw), [])
    try:
        extract_document(doc)  # a name holding a control character would fail validation here
    except NotAPlanError:
        pass


def test_control_characters_in_document_text_become_spaces_one_for_one() -> None:
    raw = "plan\x0cpage\x00two\x1b[2J\x85end\tcell\nline"
    m = clean_text(raw)
    assert m.text == "plan page two [2J end\tcell\nline"
    assert m.offsets == list(range(len(raw) + 1))


# ---------------------------------------------------------------- names on the terminal


def test_file_names_print_literally(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "[red]x.txt").write_text(SEED4, encoding="utf-8")
    (folder / "a\x1b[2Jb.txt").write_text(SEED4, encoding="utf-8")
    (folder / "[bold]news.txt").write_text(NEWS, encoding="utf-8")
    (folder / "rlo\u202etxt.txt").write_text(SEED0, encoding="utf-8")
    run = ipkg(tmp_path, "extract", folder, "--out", tmp_path / "out")
    assert_handled(run)
    assert "\x1b" not in run.text and "\u202e" not in run.text
    got = {ln.split(":")[0] for ln in lines(run) if ln.startswith(("ok", "error"))}
    assert got == {"ok [red]x.txt", "error a\\x1b[2Jb.txt", "error [bold]news.txt", "ok rlo\\u202etxt.txt"}
    assert "error a\\x1b[2Jb.txt: the file name holds a control character; rename the file" in lines(run)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["[red]x.json", "rlo\u202etxt.json"]


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    from cli.common import printable

    assert (printable("a\x1b[2Jb [red]x[/red] \udcff\udcfe \u202e\n\t")
            == "a\\x1b[2Jb \\[red]x\\[/red] \\xff\\xfe \\u202e\\x0a\\x09")
    assert printable("line one\n\tline two\x07", one_line=False) == "line one\n\tline two\\x07"

"""The question catalogue: Cypher and SPARQL twins give the same rows; hand-checked answers; injection."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from kg.graph import counts
from loaders.cypher import FalkorStore, load, store_counts
from loaders.export import write_rdf
from queries.catalogue import CATALOGUE_DIR, CatalogueError, _load, _params, catalogue, question
from queries.engines import ask_cypher, ask_sparql, memory_store, normalise, normalise_ordered

runner = CliRunner()

# parameters each question is asked with (the catalogue's defaults fill the rest), plus a variant
ASKED = {
    "dept-owners": [{"industry": "新材料"}, {"industry": "战略性新兴产业", "theme": "保护"},
                    {"industry": "新材料", "role": "lead"}, {"industry": "战略性新兴产业", "role": "co"}],
    "indicator-compare": [{}, {"indicator": "每万人口高价值发明专利拥有量"}],
    "plan-lineage": [{}, {"plan": "重庆市建设支撑型知识产权强市实施方案"}],
    "region-profile": [{"region": "璧山区"}, {"region": "630222"}],
    "shared-industries": [{}, {"min_plans": "3"}],
    "dept-workload": [{}, {"include_inferred": "true"}, {"role": "lead"}, {"role": "co", "include_inferred": "true"}],
    "co-responsibility": [{}, {"min_shared": "3"}],
    "gi-brands": [{}, {"region": "万州区"}],
    "policy-reuse": [{}, {"region": "万州区"}, {"region": "500000"},
                     {"plan": "重庆市璧山区知识产权保护和运用“十四五”规划"}],
    "plan-similarity": [{}, {"plan": "重庆市建设支撑型知识产权强市实施方案"}, {"min_sentences": "5"}],
}


@pytest.fixture(scope="module")
def engines(sample_graph, tmp_path_factory):
    """The sample graph in a real FalkorDB server and in an in-memory SPARQL store."""
    from loaders import falkordb_server as fs

    home = tmp_path_factory.mktemp("q-home")
    port = fs.free_port()
    fs.start(port=port, home=home)
    graph_dir = tmp_path_factory.mktemp("q-graph")
    write_rdf(sample_graph, graph_dir)
    store = FalkorStore(port=port)
    load(sample_graph, store)
    try:
        yield store, memory_store(graph_dir), graph_dir
    finally:
        fs.stop(home=home)


def test_every_question_has_both_twins() -> None:
    cy = {f.stem for f in CATALOGUE_DIR.glob("*.cypher")}
    sp = {f.stem for f in CATALOGUE_DIR.glob("*.sparql")}
    assert cy == sp == set(ASKED), (cy ^ sp) or (cy ^ set(ASKED))
    assert len(catalogue()) == 10


def test_a_missing_twin_is_an_error(tmp_path, monkeypatch) -> None:
    (tmp_path / "lonely.cypher").write_text("// question: lonely\nMATCH (n) RETURN n\n", encoding="utf-8")
    monkeypatch.setattr("queries.catalogue.CATALOGUE_DIR", tmp_path)
    with pytest.raises(CatalogueError, match="no sparql twin"):
        _load("lonely")


@pytest.mark.parametrize("name,given", [(n, g) for n, gs in ASKED.items() for g in gs])
def test_twins_give_the_same_rows(engines, name: str, given: dict) -> None:
    store, mem, _ = engines
    q = question(name)
    params = q.bind(given)
    cypher_rows, sparql_rows = ask_cypher(q, store, params), ask_sparql(q, mem, params)
    assert cypher_rows, f"{name} {given} answered nothing"
    assert normalise(cypher_rows) == normalise(sparql_rows)


@pytest.mark.parametrize("name,given", [(n, g) for n, gs in ASKED.items() for g in gs])
def test_answers_are_ordered_and_alike_on_both_engines(engines, name: str, given: dict) -> None:
    """Every question orders its answer (ORDER BY in both twins), the same way on both engines."""
    store, mem, _ = engines
    q = question(name)
    assert "ORDER BY" in q.cypher and "ORDER BY" in q.sparql, name
    params = q.bind(given)
    cypher_rows, sparql_rows = ask_cypher(q, store, params), ask_sparql(q, mem, params)
    assert normalise_ordered(cypher_rows) == normalise_ordered(sparql_rows)


def _rows(engines, name: str, given: dict) -> list[dict]:
    store, _, _ = engines
    q = question(name)
    return [dict(zip(q.columns, r, strict=True)) for r in ask_cypher(q, store, q.bind(given))]


def test_dept_owners_new_materials_by_hand(engines) -> None:
    """Written from reading 004 and 001, not from the program's output."""
    rows = _rows(engines, "dept-owners", {"industry": "新材料"})
    minhe = {(r["department"], r["explicit"]) for r in rows if r["task"] == "强化知识产权行政保护"}
    county = "民和回族土族自治县"
    assert minhe == {(county + d, True) for d in (
        "发展和改革局", "农业农村和科学技术局", "工业和信息化局", "财政局", "商务局", "文体旅游局", "广播电视局",
        "市场监督管理局")}
    wanzhou = [r for r in rows if r["task"] == "新材料知识产权保护"]
    # the task names no body: the plan region's IP administration is its inferred, and so sole, lead owner
    assert [(r["region"], r["department"], r["role"], r["explicit"]) for r in wanzhou] == [
        ("万州区", "万州区市场监督管理局", "lead", False)]
    # taxonomy-aware: asking for the broader concept finds the same tasks
    broader = _rows(engines, "dept-owners", {"industry": "战略性新兴产业"})
    assert {(r["task"], r["department"]) for r in rows} <= {(r["task"], r["department"]) for r in broader}


# ---------------------------------------------------------------- the responsibility role (lead / co)

ROLE_QUESTIONS = [("dept-owners", {"industry": "新材料"}), ("dept-owners", {"industry": "战略性新兴产业"}),
                  ("dept-workload", {}), ("dept-workload", {"include_inferred": "true"})]


def test_role_column_and_parameter_are_declared() -> None:
    owners, workload = question("dept-owners"), question("dept-workload")
    assert owners.columns == ("region", "plan", "task", "department", "function", "role", "explicit", "evidence")
    assert workload.columns == ("department", "function", "plan", "role", "tasks")
    for q in (owners, workload):
        role = next(p for p in q.params if p.name == "role")
        assert (role.type, role.required, role.default, role.choices) == ("str", False, None, ("lead", "co"))
        assert q.bind({"industry": "新材料"} if q is owners else {})["role"] is None  # left out: both roles


@pytest.mark.parametrize("name,given", ROLE_QUESTIONS)
@pytest.mark.parametrize("role", ["lead", "co"])
def test_role_filter_keeps_exactly_the_rows_of_that_role(engines, name: str, given: dict, role: str) -> None:
    """On each engine: the filtered answer is the unfiltered one's rows of that role, in the same order."""
    store, mem, _ = engines
    q = question(name)
    at = q.columns.index("role")
    for ask, engine in ((ask_cypher, store), (ask_sparql, mem)):
        everything = ask(q, engine, q.bind(given))
        assert {r[at] for r in everything} == {"lead", "co"}, f"{name} {given} should hold both roles"
        only = ask(q, engine, q.bind({**given, "role": role}))
        assert only, f"{name} {given} role={role} answered nothing"
        assert {r[at] for r in only} == {role}
        assert only == [r for r in everything if r[at] == role]


def _responsibilities(graph) -> list[dict]:
    """Every RESPONSIBLE_FOR edge of the graph with the names the questions show."""
    plan_of = {t: graph.nodes[p]["name"] for p, t, k in graph.edges(keys=True) if k == "HAS_TASK"}
    return [{"department": graph.nodes[d]["qualified_name"], "function": graph.nodes[d]["function_type"],
             "task": t, "task_name": graph.nodes[t]["name"], "plan": plan_of[t], "role": e["role"],
             "explicit": e["explicit"]}
            for d, t, k, e in graph.edges(keys=True, data=True) if k == "RESPONSIBLE_FOR"]


@pytest.mark.parametrize("include_inferred", [False, True])
def test_dept_workload_counts_each_role_as_the_graph_holds_it(engines, sample_graph, include_inferred: bool) -> None:
    """Counted here from the graph's edges, independently of both twins."""
    store, mem, _ = engines
    tasks: dict[tuple, set[str]] = {}
    for r in _responsibilities(sample_graph):
        if r["explicit"] or include_inferred:
            for plan in (r["plan"], None):
                tasks.setdefault((r["department"], r["function"], plan, r["role"]), set()).add(r["task"])
    expected = {(*key, len(ts)) for key, ts in tasks.items()}
    q = question("dept-workload")
    params = q.bind({"include_inferred": str(include_inferred).lower()})
    cypher_rows, sparql_rows = ask_cypher(q, store, params), ask_sparql(q, mem, params)
    assert normalise(cypher_rows) == normalise(sparql_rows) == normalise(list(expected))
    # a department holds one role per task, so its lead and co rows add up to all the tasks it owns
    owned: dict[str, set[str]] = {}
    for r in _responsibilities(sample_graph):
        if r["explicit"] or include_inferred:
            owned.setdefault(r["department"], set()).add(r["task"])
    overall: dict[str, int] = {}
    for department, _, plan, _, n in cypher_rows:
        if plan is None:
            overall[department] = overall.get(department, 0) + n
    assert overall == {d: len(ts) for d, ts in owned.items()}
    assert [r[4] for r in cypher_rows] == sorted((r[4] for r in cypher_rows), reverse=True)  # ranked


def test_dept_owners_role_is_the_responsibilitys_own(engines, sample_graph) -> None:
    """Each answer row's role and explicitness are those of the edge between its department and task."""
    edges: dict[tuple, set[tuple]] = {}
    for r in _responsibilities(sample_graph):
        edges.setdefault((r["plan"], r["task_name"], r["department"]), set()).add((r["role"], r["explicit"]))
    store, mem, _ = engines
    q = question("dept-owners")
    params = q.bind({"industry": "战略性新兴产业"})
    for ask, engine in ((ask_cypher, store), (ask_sparql, mem)):
        rows = [dict(zip(q.columns, r, strict=True)) for r in ask(q, engine, params)]
        assert rows and all((r["role"], r["explicit"]) in edges[(r["plan"], r["task"], r["department"])] for r in rows)
        # the lead owner of a task comes before those that cooperate
        both = 0
        for (plan, task), group in _by_task(rows).items():
            roles = [r["role"] for r in group]
            assert roles == sorted(roles, key=lambda role: role != "lead"), (ask.__name__, plan, task, roles)
            both += len(set(roles)) == 2
        assert both, "no task with a lead and a co owner: the order was not tested"


def _by_task(rows: list[dict]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    for r in rows:
        out.setdefault((r["plan"], r["task"]), []).append(r)
    return out


@pytest.mark.parametrize("bad", ["boss", "LEAD", "Lead", "lead ", "", "牵头", "lead' OR 1=1 --", "co|lead"])
def test_an_invalid_role_is_refused(bad: str) -> None:
    for q, given in ((question("dept-owners"), {"industry": "新材料"}), (question("dept-workload"), {})):
        with pytest.raises(CatalogueError) as refused:
            q.bind({**given, "role": bad})
        assert str(refused.value) == f"parameter role must be one of lead, co, not {bad!r}"


def test_choice_parameters_in_headers() -> None:
    (p,) = _params(["mode fast|slow default=slow — 速度 speed"], "x.cypher")
    assert (p.type, p.default, p.choices) == ("str", "slow", ("fast", "slow"))
    assert p.convert("fast") == "fast"
    with pytest.raises(CatalogueError) as refused:
        _params(["mode fast|slow default=medium — 速度 speed"], "x.cypher")
    assert str(refused.value) == "x.cypher: parameter mode must be one of fast, slow, not 'medium'"
    with pytest.raises(CatalogueError, match="malformed parameter line"):
        _params(["mode fast| default=fast — 速度 speed"], "x.cypher")


def test_indicator_compare_by_hand(engines) -> None:
    """每万人口发明专利拥有量 as the five plans state it (民和's 0.76件 can only be per 10,000 people)."""
    rows = _rows(engines, "indicator-compare", {})
    got = {(r["region"], r["baseline"], r["baseline_year"], r["target"], r["target_year"], r["unit"], r["growth"])
           for r in rows}
    assert got == {
        ("万州区", 1.85, 2020, 4, 2025, "件", 2.162),
        ("璧山区", 12.01, 2020, 25, 2025, "件", 2.082),
        ("丰都县", None, None, 1.5, 2025, "件", None),
        ("民和回族土族自治县", None, None, 0.76, 2025, "件", None),
        ("重庆市", None, None, 8, 2020, "件", None),
    }


HOSTILE = ['新材料"}) DETACH DELETE (n) //', "x' OR 1=1 --", '"} . ?s ?p ?o } #', "{{$industry}}",
           "}) MATCH (n) DETACH DELETE n"]


@pytest.mark.parametrize("value", HOSTILE)
def test_parameters_reach_the_stores_only_as_parameters(engines, sample_graph, value: str) -> None:
    store, mem, _ = engines
    triples = len(mem)
    for name, key in (("dept-owners", "industry"), ("region-profile", "region"), ("gi-brands", "region"),
                      ("plan-lineage", "plan"), ("indicator-compare", "indicator"), ("policy-reuse", "region"),
                      ("policy-reuse", "plan"), ("plan-similarity", "plan")):
        q = question(name)
        params = q.bind({key: value})
        assert ask_cypher(q, store, params) == []
        assert ask_sparql(q, mem, params) == []
    assert store_counts(store) == counts(sample_graph)
    assert len(mem) == triples


def test_cli_ask_list_and_errors(engines, monkeypatch) -> None:
    _, _, graph_dir = engines
    listing = runner.invoke(app, ["ask", "--list"])
    assert listing.exit_code == 0 and "dept-owners" in listing.output and "co-responsibility" in listing.output
    missing = runner.invoke(app, ["ask", "dept-owners", "-d", str(graph_dir)])
    assert missing.exit_code == 1 and "needs --param industry" in missing.output
    assert listing.output.count("(optional: lead|co)") == 2  # dept-owners and dept-workload
    bad_role = runner.invoke(app, ["ask", "dept-workload", "-p", "role=boss", "-d", str(graph_dir)])
    assert bad_role.exit_code == 1
    assert bad_role.output.strip() == "error parameter role must be one of lead, co, not 'boss'"
    unknown = runner.invoke(app, ["ask", "nonsense", "-d", str(graph_dir)])
    assert unknown.exit_code == 1 and "no question 'nonsense'" in unknown.output
    as_json = runner.invoke(app, ["ask", "indicator-compare", "-d", str(graph_dir), "--format", "json"])
    assert as_json.exit_code == 0 and '"growth": 2.162' in as_json.output


def test_cli_cypher_and_sparql(engines, sample_graph) -> None:
    store, _, graph_dir = engines
    url = store.where
    n_plans = sum(d["label"] == "Plan" for _, d in sample_graph.nodes(data=True))  # the corpus and cited parents
    assert n_plans >= 10
    ok = runner.invoke(app, ["cypher", "MATCH (p:Plan) RETURN count(p) AS plans", "--to", url, "--format", "csv"])
    assert ok.exit_code == 0 and f"plans\n{n_plans}" in ok.output
    bad = runner.invoke(app, ["cypher", "MATCH (n RETURN n", "--to", url])
    assert bad.exit_code == 1 and "the store refused the query" in bad.output and "column" in bad.output
    assert "Traceback" not in bad.output
    sp = runner.invoke(app, ["sparql", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/ipkg/ontology#Plan> }",
                             "-d", str(graph_dir), "--format", "csv"])
    assert sp.exit_code == 0 and f"n\n{n_plans}" in sp.output
    sbad = runner.invoke(app, ["sparql", "SELECT ?x WHERE { ?x ?y }", "-d", str(graph_dir)])
    assert sbad.exit_code == 1 and "SPARQL syntax error at line 1, column" in sbad.output and "^" in sbad.output


def test_query_file_option(engines, tmp_path: Path) -> None:
    store, _, _ = engines
    f = tmp_path / "q.cypher"
    f.write_text("MATCH (r:Region {code: '630222'}) RETURN r.name AS name", encoding="utf-8")
    result = runner.invoke(app, ["cypher", "-f", str(f), "--to", store.where, "--format", "csv"])
    assert result.exit_code == 0 and "民和回族土族自治县" in result.output


def test_interactive_cypher_shell(engines, tmp_path, monkeypatch, capsys) -> None:
    """The shell reads queries ended by ';' (over several lines), keeps history, and survives errors."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from cli.questions import shell as _shell

    store, _, _ = engines
    monkeypatch.setenv("IPKG_HOME", str(tmp_path))
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("MATCH (r:Region {code: '630222'})\n RETURN r.name AS name;\nMATCH (n RETURN n;\n")
        pipe.close()
        _shell(store, "csv")
    captured = capsys.readouterr()
    assert "民和回族土族自治县" in captured.out
    assert "Invalid input" in captured.err or "Invalid input" in captured.out
    assert "RETURN r.name AS name;" in (tmp_path / "cypher_history").read_text(encoding="utf-8")


# ---------------------------------------------------------------- policy reuse (issue 17)

ISSUE_EXAMPLES = (  # the two reuses issue 17 names, found by reading 001, 002 and 003
    ("强化战略性新兴产业知识产权布局", "重庆市建设支撑型知识产权强市实施方案", "战略性新兴产业专利布局工程", True,
     "支持龙头（重点）企业开展以产品链、创新链为纽带的国内外专利布局"),
    ("加强商标品牌建设", "重庆市璧山区知识产权保护和运用“十四五”规划", "加大自主品牌培育力度", False,
     "加快培育新型农业、先进制造业、现代服务业商标品牌"),
)
WANZHOU = "万州区（无标题：001_9be2472d61d3e18a.txt）"  # 001 prints no title: named by its region and file


def _names(graph) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Plan key -> plan name and (plan key, task id) -> task name, as the graph holds them."""
    plans = {d["id"]: d["name"] for _, d in graph.nodes(data=True) if d["label"] == "Plan"}
    tasks = {(d["plan"], d["id"].removeprefix(d["plan"] + "/")): d["name"]
             for _, d in graph.nodes(data=True) if d["label"] == "Task"}
    return plans, tasks


def test_policy_reuse_finds_the_issues_examples_with_their_direction(engines) -> None:
    rows = _rows(engines, "policy-reuse", {"region": "万州区"})
    assert {r["plan"] for r in rows} == {WANZHOU}
    for task, source_plan, source_task, directed, text in ISSUE_EXAMPLES:
        found = [r for r in rows if r["task"] == task and r["source_plan"] == source_plan]
        assert len(found) == 1, (task, found)
        (r,) = found
        assert (r["source_task"], r["directed"]) == (source_task, directed)
        assert text in r["sentence"] and text in r["source_sentence"] and r["similarity"] == 1.0
    # the undirected pair is listed from 璧山's side too; the directed one only from the plan that took the text
    bishan = _rows(engines, "policy-reuse", {"plan": ISSUE_EXAMPLES[1][1]})
    assert any(r["task"] == "加大自主品牌培育力度" and r["source_plan"] == WANZHOU and r["directed"] is False
               for r in bishan)
    assert _rows(engines, "policy-reuse", {"plan": ISSUE_EXAMPLES[0][1]}) == []


def test_policy_reuse_rows_are_the_reports_task_reuses(engines, sample_graph) -> None:
    """Every task-level reuse of the report behind the graph, once from the plan that took the text and, when nothing
    tells the direction, once from the other side; computed here from the report, not from either twin."""
    report = sample_graph.graph["reuse"]
    plans, tasks = _names(sample_graph)
    expected = []
    for r in report.tasks:
        sides = [(r.target, r.source)] + ([] if r.directed else [(r.source, r.target)])
        expected += [(plans[a.plan], tasks[(a.plan, a.task)], plans[b.plan], tasks[(b.plan, b.task)], r.directed,
                      r.similarity, r.share, a.evidence.sentence, b.evidence.sentence) for a, b in sides]
    assert len(report.tasks) >= 30 and any(not r.directed for r in report.tasks)
    store, mem, _ = engines
    q = question("policy-reuse")
    params = q.bind({})
    cypher_rows, sparql_rows = ask_cypher(q, store, params), ask_sparql(q, mem, params)
    assert normalise(cypher_rows) == normalise(sparql_rows) == normalise(expected)
    assert len(cypher_rows) == len(expected)


def test_plan_similarity_is_the_reports_plan_pairs_largest_share_first(engines, sample_graph) -> None:
    report = sample_graph.graph["reuse"]
    plans, _ = _names(sample_graph)
    expected = [(plans[r.target], plans[r.source], r.directed, r.reason, r.share, r.sentences, r.tasks)
                for r in sorted(report.plans, key=lambda r: (-r.share, plans[r.target], plans[r.source]))]
    assert len(expected) >= 5
    store, mem, _ = engines
    q = question("plan-similarity")
    for ask, engine in ((ask_cypher, store), (ask_sparql, mem)):
        assert normalise_ordered(ask(q, engine, q.bind({}))) == normalise_ordered(expected)
        at_least = ask(q, engine, q.bind({"min_sentences": "5"}))
        assert normalise_ordered(at_least) == normalise_ordered([e for e in expected if e[5] >= 5])
        assert 0 < len(at_least) < len(expected)
    # 002 (2016) is older than every other plan: each pair with it is directed away from it
    old = _rows(engines, "plan-similarity", {"plan": "重庆市建设支撑型知识产权强市实施方案"})
    assert old and all(r["source_plan"] == "重庆市建设支撑型知识产权强市实施方案" and r["directed"] for r in old)
    assert any(r["target_plan"] == WANZHOU and r["reason"] == "period" for r in old)

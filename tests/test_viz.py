"""`ipkg viz`: single-file pictures, opened from file:// in real headless Chromium with the network off."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from queries.catalogue import question
from queries.engines import ask_sparql, memory_store
from tests.conftest import ARTIFACTS, HOSTILE, ROOT
from viz.render import EDGE_LABELS_UP_TO, write_page
from viz.reuse import DIRECTION_COLOUR, WIDTH, reuse_view
from viz.select import SelectError, answer_subgraph, ego, find_plan, plan_subgraph, whole

# a script or stylesheet fetched from anywhere: a self-contained page has none
EXTERNAL = re.compile(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", re.IGNORECASE)


def run_viz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "viz", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


@pytest.fixture(scope="module")
def exports(graph_dir, sample_graph, tmp_path_factory):
    """Each kind of export written by the CLI, with the subgraph it should hold."""
    out = tmp_path_factory.mktemp("viz")
    plan_node = next(n for n, d in sample_graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus"))
    plan_file = sample_graph.nodes[plan_node]["source_file"]
    q = question("dept-owners")
    params = q.bind({"industry": "新材料"})
    rows = ask_sparql(q, memory_store(graph_dir), params)
    cases = {
        "whole": (["whole"], sample_graph),
        "plan": (["plan", plan_file], plan_subgraph(sample_graph, plan_file)),
        "ego": (["ego", "新材料", "--depth", "2"], ego(sample_graph, "新材料", 2)),
        "ask": (["ask", "dept-owners", "-p", "industry=新材料"], answer_subgraph(sample_graph, rows, params)),
        "reuse": (["reuse"], reuse_view(sample_graph)),
    }
    written = {}
    for kind, (args, expected) in cases.items():
        target = out / kind / f"{kind}.html"
        result = run_viz(*args, "--data", str(graph_dir), "--out", str(target))
        assert result.returncode == 0, result.stderr
        assert f"wrote {target}" in result.stdout
        written[kind] = (target, expected)
    return written


def test_each_export_is_one_self_contained_file(exports):
    for kind, (path, expected) in exports.items():
        assert expected.number_of_nodes() > 0, kind
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name], f"{kind} wrote files beside the page"
        html = path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(html), f"{kind} loads something from the network"
        assert "vis.Network" in html and 'id="ipkg-data"' in html


def test_sample_whole_graph_size(exports):
    path, graph = exports["whole"]
    size = path.stat().st_size
    print(f"whole sample graph: {graph.number_of_nodes()} nodes, {size / 1e6:.2f} MB")
    assert size < 10_000_000


def test_selections(sample_graph):
    plan = next(n for n, d in sample_graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus"))
    key = sample_graph.nodes[plan]["id"]
    view = plan_subgraph(sample_graph, sample_graph.nodes[plan]["name"])
    assert all(key in d["plans"] for _, d in view.nodes(data=True))
    assert all(key in d["plans"] for *_, d in view.edges(keys=True, data=True))
    assert find_plan(sample_graph, key) == plan
    one = ego(sample_graph, plan, 1)
    assert set(one) == {plan} | set(sample_graph.successors(plan)) | set(sample_graph.predecessors(plan))
    with pytest.raises(SelectError, match="no entity"):
        ego(sample_graph, "没有这个实体", 1)
    with pytest.raises(SelectError, match="no plan"):
        find_plan(sample_graph, "没有这个规划")
    over, dropped = whole(sample_graph, max_nodes=500)
    assert over.number_of_nodes() <= 500 and dropped and dropped[0][0] == "Task"
    assert all(d["label"] != "Task" for _, d in over.nodes(data=True))


def test_unknown_plan_and_missing_graph_are_clear_errors(graph_dir, tmp_path):
    r = run_viz("plan", "没有这个规划", "--data", str(graph_dir), "--out", str(tmp_path / "x.html"))
    assert r.returncode == 1 and "no plan" in r.stderr and "Traceback" not in r.stderr
    r = run_viz("whole", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "x.html"))
    assert r.returncode == 1 and "ipkg build" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.html").exists()


# ---------------------------------------------------------------- in Chromium, offline


def open_offline(browser, path: Path):
    """A page for a file:// URL in a context with the network off; every http(s) request is recorded."""
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
    attempts: list[str] = []
    context.route(re.compile(r"^https?://"), lambda route: (attempts.append(route.request.url), route.abort()))
    # an alert hook that a script smuggled in through document text would fire
    context.add_init_script("window.__alerted = false; window.alert = () => { window.__alerted = true; };")
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.ipkgReady !== null", timeout=120_000)
    return context, page, attempts, dialogs, errors


@pytest.mark.parametrize("kind", ["whole", "plan", "ego", "ask", "reuse"])
def test_export_opens_offline_with_the_graphs_counts(exports, chromium_browser, kind):
    path, expected = exports[kind]
    context, page, attempts, dialogs, errors = open_offline(chromium_browser, path)
    counts = page.evaluate("[nodes.length, edges.length]")
    page.screenshot(path=str(ARTIFACTS / f"viz-{kind}.png"))
    context.close()
    assert counts == [expected.number_of_nodes(), expected.number_of_edges()]
    assert attempts == [] and dialogs == [] and errors == []


def test_filters_and_search_in_the_page(exports, sample_graph, chromium_browser):
    path, graph = exports["whole"]
    context, page, *_ = open_offline(chromium_browser, path)
    visible = "nodes.get({filter: n => !n.hidden}).length"
    tasks = sum(1 for _, d in graph.nodes(data=True) if d["label"] == "Task")
    page.uncheck('#legend input[data-cls="Task"]')
    assert page.evaluate(visible) == graph.number_of_nodes() - tasks
    page.check('#legend input[data-cls="Task"]')
    assert page.evaluate(visible) == graph.number_of_nodes()

    plan = next(n for n, d in graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus"))
    key = graph.nodes[plan]["id"]
    page.select_option("#plan", key)
    assert page.evaluate(visible) == sum(1 for _, d in graph.nodes(data=True) if key in d["plans"])
    page.select_option("#plan", "")
    region = next(graph.nodes[r]["name"] for _, r, k in graph.out_edges(plan, keys=True) if k == "GOVERNS")
    page.select_option("#region", region)
    governed = {graph.nodes[p]["id"] for p, r, k in graph.edges(keys=True) if k == "GOVERNS"
                and graph.nodes[r]["name"] == region}
    assert page.evaluate(visible) == sum(1 for _, d in graph.nodes(data=True) if governed & set(d["plans"]))
    page.select_option("#region", "")

    page.fill("#search", "新材料")
    page.press("#search", "Enter")
    selected = page.evaluate("network.getSelectedNodes().map(id => nodes.get(id).iri)")
    context.close()
    assert selected and all("新材料" in graph.nodes[n]["name"] for n in selected)


@pytest.mark.parametrize("kind", ["whole", "ask"])
def test_inferred_responsibilities_are_drawn_dashed(exports, kind):
    import json

    path, graph = exports[kind]
    html = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="ipkg-data" type="application/json">(.*?)</script>', html, re.S)[1])
    resp = [e for e in data["edges"] if e["kind"] == "RESPONSIBLE_FOR"]
    inferred = sum(1 for *_, k, d in graph.edges(keys=True, data=True) if k == "RESPONSIBLE_FOR" and not d["explicit"])
    assert inferred and sum(1 for e in resp if e.get("dashes")) == inferred
    # edges carry their relation's name up to EDGE_LABELS_UP_TO edges (then only in tooltips)
    labelled = [bool(e.get("label")) for e in data["edges"]]
    assert labelled == [len(labelled) <= EDGE_LABELS_UP_TO] * len(labelled)
    assert all(e["title"] for e in data["edges"])
    legend = {c["cls"] for c in data["legend"]}
    assert legend == {d["label"] for _, d in graph.nodes(data=True)}


def _page_data(path: Path) -> dict:
    import json

    html = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script id="ipkg-data" type="application/json">(.*?)</script>', html, re.S)[1])


@pytest.mark.parametrize("kind", ["whole", "ask"])
def test_responsibility_edges_carry_their_role(exports, kind):
    """Each RESPONSIBLE_FOR edge: its role as a field and in its tooltip; lead thick, co thin; inferred dashed grey."""
    path, graph = exports[kind]
    data = _page_data(path)
    iri = {n["id"]: n["iri"] for n in data["nodes"]}
    got = {(iri[e["from"]], iri[e["to"]], e["role"], e["width"], bool(e.get("dashes")),
            (e.get("color") or {}).get("color"), e["title"].splitlines()[1])
           for e in data["edges"] if e["kind"] == "RESPONSIBLE_FOR"}
    shown = {"lead": "角色 role：牵头 lead", "co": "角色 role：配合 co"}
    expected = {(a, b, d["role"], {"lead": 3, "co": 1}[d["role"]], not d["explicit"],
                 "#e53935" if d["explicit"] else "#b0bec5", shown[d["role"]])
                for a, b, k, d in graph.edges(keys=True, data=True) if k == "RESPONSIBLE_FOR"}
    assert got == expected
    assert {role for _, _, role, *_ in got} == {"lead", "co"}
    assert all("role" not in e and "width" not in e for e in data["edges"] if e["kind"] != "RESPONSIBLE_FOR")


def test_role_widths_in_chromium(exports, chromium_browser):
    """vis-network draws what the data says: lead responsibilities 3 px wide, co ones 1 px."""
    path, graph = exports["ask"]
    context, page, attempts, dialogs, errors = open_offline(chromium_browser, path)
    drawn = page.evaluate("""edges.get({filter: e => e.kind === 'RESPONSIBLE_FOR'})
        .map(e => [e.role, network.body.edges[e.id].options.width, network.body.edges[e.id].options.dashes])""")
    key = page.inner_text("#panel .key")
    context.close()
    roles = [d["role"] for *_, k, d in graph.edges(keys=True, data=True) if k == "RESPONSIBLE_FOR"]
    assert sorted(r for r, *_ in drawn) == sorted(roles) and {"lead", "co"} <= set(roles)
    assert {(r, w) for r, w, _ in drawn} <= {("lead", 3), ("co", 1)}
    assert "牵头的责任 lead responsibility" in key and "配合的责任 co responsibility" in key
    assert attempts == [] and dialogs == [] and errors == []


def test_hostile_label_shows_as_text_and_runs_nothing(hostile_graph, hostile_iri, chromium_browser, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    graph, _ = hostile_graph
    path = write_page(ego(graph, hostile_iri, 1), f"{HOSTILE} 邻域", tmp_path / "hostile.html", full=graph)
    html = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    context, page, attempts, dialogs, errors = open_offline(chromium_browser, path)
    node = page.evaluate(f"nodes.get({{filter: n => n.iri === {hostile_iri!r}}})[0]")
    assert node["fullName"] == HOSTILE and HOSTILE in node["title"]
    assert page.inner_text("#title") == f"{HOSTILE} 邻域"
    # hover the node (before the search below moves the view): vis-network shows its tooltip; the
    # markup must arrive as text, not as elements. Mouse moves in steps, as a hand would.
    tooltip = None
    for _attempt in range(3):
        box = page.evaluate(f"""(() => {{ const p = network.canvasToDOM(network.getPosition({node["id"]}));
            const r = document.getElementById('mynetwork').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }})()""")
        page.mouse.move(box[0] - 60, box[1] - 60)
        page.mouse.move(box[0], box[1], steps=8)
        try:
            page.wait_for_selector("div.vis-tooltip", state="visible", timeout=3_000)
        except PlaywrightTimeout:  # no hover registered: move again
            continue
        elements = "[...e.querySelectorAll('*')].filter(x => x.tagName !== 'BR').length"
        tooltip = page.eval_on_selector("div.vis-tooltip", f"e => [e.textContent, {elements}]")
        break
    assert tooltip is not None, "no tooltip appeared over the node"
    page.fill("#search", HOSTILE)
    page.press("#search", "Enter")
    assert HOSTILE in page.inner_text("#found")
    page.screenshot(path=str(ARTIFACTS / "viz-hostile.png"))
    alerted = page.evaluate("window.__alerted")
    context.close()
    assert HOSTILE in tooltip[0] and tooltip[1] == 0  # text only (innerText makes line breaks <br>)
    assert dialogs == [] and errors == [] and attempts == [] and alerted is False


def test_demo_writes_both_pictures(tmp_path):
    env = {**os.environ, "IPKG_HOME": str(tmp_path / "home")}
    from loaders.falkordb_server import free_port

    env["IPKG_FALKORDB_PORT"] = str(free_port())
    r = subprocess.run([sys.executable, "-m", "cli", "demo", "--out", str(tmp_path / "demo")], capture_output=True,
                       text=True, cwd=ROOT, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    pictures = tmp_path / "demo" / "viz"
    whole_html, answer_html = pictures / "whole.html", pictures / "dept-owners-新材料.html"
    assert whole_html.is_file() and answer_html.is_file()
    assert str(whole_html) in r.stdout and str(answer_html) in r.stdout


# ---------------------------------------------------------------- pictures that read (issue 15, point 7)

BISHAN_SAMR = "璧山区市场监督管理局"


def test_edges_coloured_by_relation_and_departments_told_apart_in_chromium(exports, chromium_browser):
    """Each edge drawn in its relation's colour (隶属 PART_OF unlike 负责 RESPONSIBLE_FOR), a legend of them, and the
    two departments both named 区市场监管局 labelled with their regions."""
    from viz.render import INFERRED_COLOUR, RELATION_COLOUR

    path, graph = exports["whole"]
    context, page, attempts, dialogs, errors = open_offline(chromium_browser, path)
    drawn = page.evaluate("""edges.get().map(e => [e.kind, !!e.inferred,
        network.body.edges[e.id].options.color.color])""")
    legend = page.eval_on_selector_all("#relations li", "ls => ls.map(l => [l.dataset.kind, l.innerText])")
    same = page.evaluate("""nodes.get({filter: n => n.group === 'Department' && n.fullName === '区市场监管局'})
        .map(n => n.label).sort()""")
    page.screenshot(path=str(ARTIFACTS / "viz-relations.png"))
    context.close()
    assert {(k, c) for k, inferred, c in drawn if not inferred} == {(k, RELATION_COLOUR[k]) for k, i, _ in drawn
                                                                   if not i}
    assert {c for k, inferred, c in drawn if inferred} == {INFERRED_COLOUR}
    assert RELATION_COLOUR["PART_OF"] != RELATION_COLOUR["RESPONSIBLE_FOR"]
    kinds = {k for *_, k in graph.edges(keys=True)}
    assert {k for k, _ in legend} == kinds and any("隶属" in text for _, text in legend)
    assert same == ["万州区市场监督管理局", BISHAN_SAMR]
    assert attempts == [] and dialogs == [] and errors == []


def test_a_large_neighbourhood_opens_with_tasks_collapsed_per_plan(sample_graph, chromium_browser, tmp_path):
    """A department with dozens of tasks: one node per plan holds them; a click on it opens it."""
    dept = next(n for n, d in sample_graph.nodes(data=True) if d.get("qualified_name") == BISHAN_SAMR)
    view = ego(sample_graph, dept, 1)
    tasks = sum(1 for _, d in view.nodes(data=True) if d["label"] == "Task")
    assert tasks > 40
    path = write_page(view, f"{BISHAN_SAMR}（邻域）", tmp_path / "ego.html", full=sample_graph)
    context, page, attempts, dialogs, errors = open_offline(chromium_browser, path)
    clusters = page.evaluate("window.ipkgClusters")
    drawn = page.evaluate("network.body.nodeIndices.length")
    page.screenshot(path=str(ARTIFACTS / "viz-ego-collapsed.png"))
    first = clusters[0]
    inside = page.evaluate(f"network.getNodesInCluster({first!r}).length")
    box = page.evaluate(f"""(() => {{ const p = network.canvasToDOM(network.getPosition({first!r}));
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return [p.x + r.left, p.y + r.top]; }})()""")
    page.mouse.click(box[0], box[1])
    page.wait_for_function(f"!network.isCluster({first!r})", timeout=5_000)
    opened = page.evaluate("network.body.nodeIndices.length")
    context.close()
    assert clusters and drawn == view.number_of_nodes() - tasks + len(clusters)
    assert opened == drawn - 1 + inside
    assert attempts == [] and dialogs == [] and errors == []


# ---------------------------------------------------------------- the reuse picture (issue 17)


def test_reuse_picture_draws_plans_weighted_by_share_and_coloured_by_direction(exports, sample_graph, chromium_browser):
    """One line per plan pair of the report: as wide as its share (the largest the widest), coloured by what decided
    its direction, with an arrow from the plan that took the text to its source, and none where nothing tells."""
    path, view = exports["reuse"]
    report = sample_graph.graph["reuse"]
    in_corpus = {d["id"] for _, d in sample_graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus")}
    assert {d["id"] for _, d in view.nodes(data=True)} == {k for r in report.plans for k in (r.source, r.target)}
    assert {d["id"] for _, d in view.nodes(data=True)} <= in_corpus
    top = max(r.share for r in report.plans)
    expected = {(r.target, r.source, r.directed, DIRECTION_COLOUR[r.reason if r.directed else None],
                 round(WIDTH[0] + (WIDTH[1] - WIDTH[0]) * r.share / top, 2)) for r in report.plans}
    assert {e[2] for e in expected} == {True, False}  # the sample has both kinds: the test sees both drawn
    context, page, attempts, dialogs, errors = open_offline(chromium_browser, path)
    drawn = page.evaluate("""edges.get().map(e => { const o = network.body.edges[e.id].options;
        return [nodes.get(e.from).iri, nodes.get(e.to).iri, o.arrows.to.enabled, o.color.color, o.width]; })""")
    legend = page.eval_on_selector_all("#relations li", "ls => ls.map(l => l.innerText)")
    key = page.inner_text("#panel .key")
    groups = page.evaluate("[...new Set(nodes.get().map(n => n.group))]")
    labels = page.evaluate("nodes.get().map(n => n.label)")
    page.screenshot(path=str(ARTIFACTS / "viz-reuse.png"))
    context.close()
    ids = {n: d["id"] for n, d in sample_graph.nodes(data=True)}
    assert {(ids[a], ids[b], arrow, colour, width) for a, b, arrow, colour, width in drawn} == expected
    assert max(w for *_, w in drawn) == WIDTH[1]
    assert groups == ["Plan"]
    assert {"重庆市 2016", "万州区 2021-2025", "璧山区 2022"} <= set(labels)  # region and year (001 has no date)
    assert any("方向未知" in line for line in legend) and any("发布日期较晚" in line for line in legend)
    assert "无箭头" in key and "responsibility" not in key
    assert attempts == [] and dialogs == [] and errors == []


def test_reuse_edges_in_the_whole_picture_say_both_sentences(exports, sample_graph):
    """In every picture a REUSES edge's tooltip gives its numbers and the two sentences; an undirected one has no
    arrow."""
    path, graph = exports["whole"]
    data = _page_data(path)
    reuses = [e for e in data["edges"] if e["kind"] == "REUSES"]
    edges = [d for *_, k, d in graph.edges(keys=True, data=True) if k == "REUSES"]
    assert len(reuses) == len(edges) > 0
    assert sum(1 for e in reuses if e.get("arrows") == {"to": {"enabled": False}}) == sum(
        1 for d in edges if not d["directed"])
    for d in edges:
        tip = f"沿用处 reused in：「{d['target_sentence']}」\n来源 source：「{d['source_sentence']}」"
        assert sum(1 for e in reuses if e["title"].endswith(tip)) >= 1

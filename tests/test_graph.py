"""The invocation graph: its nodes and edges, and every format that draws it.

The shape of the graph (nodes and edges by kind, relation, mode and the rules on them) must
be the same for the same wiring in SAM, CloudFormation and Terraform: scenarios in
``fixtures/graph`` state it in ``expected``, and the parity scenarios of
``fixtures/tf/parity`` must give one shape in every format. DOT is parsed by pydot and, where
installed, by Graphviz's ``dot``; Mermaid is checked line by line against the grammar of
what esmlint writes; the HTML page is opened in headless Chromium where installed, and its
screenshot kept (in ``$ESMLINT_TEST_ARTIFACTS`` when set, else pytest's tmp dir).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import REPO, program_env

from esmlint.findings import Finding, Severity
from esmlint.graph import Edge, Graph, Node, build, collapse, focus, only_findings, render
from esmlint.graph.load import parts
from esmlint.graph.style import node_lines
from esmlint.reporters import rule_url
from esmlint.runner import lint_paths

GRAPH_FIXTURES = REPO / "fixtures" / "graph"
PARITY = REPO / "fixtures" / "tf" / "parity"
EXAMPLES = REPO / "examples"
#: Formats a scenario may be written in, and the file of each. Plan JSON is left out: a
#: plan knows no ARN of a resource it creates, so a redrive policy's queue is not linked.
SOURCES = {"sam": "sam.yaml", "cloudformation": "cfn.yaml", "terraform": "tf/main.tf",
           "hcl": "hcl/main.tf", "tf.json": "json/main.tf.json"}


def graph_of(*paths: Path | str, **options) -> Graph:
    names = [str(p) for p in paths]
    return build(list(parts(names)), lint_paths(names).findings, **options)


def shape(graph: Graph) -> Counter:
    """The graph without names: what must not depend on the format it was written in."""
    items: Counter = Counter()
    for node in graph.nodes.values():
        items[" ".join(["node", node.kind, *node.rules])] += 1
    for edge in graph.edges:
        words = ["edge", graph.nodes[edge.source].kind, "->", graph.nodes[edge.target].kind,
                 edge.relation, *([edge.mode] if edge.mode else []), *edge.rules]
        items[" ".join(words)] += 1
    return items


def expected_shape(folder: Path) -> Counter:
    lines = (folder / "expected").read_text(encoding="utf-8").splitlines()
    return Counter(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def scenario_files(folder: Path) -> dict[str, Path]:
    return {fmt: folder / name for fmt, name in SOURCES.items() if (folder / name).is_file()}


GRAPH_SCENARIOS = sorted(p for p in GRAPH_FIXTURES.iterdir() if (p / "expected").is_file())
PARITY_SCENARIOS = sorted(p for p in PARITY.iterdir() if (p / "expected").is_file())


@pytest.mark.parametrize("scenario", GRAPH_SCENARIOS, ids=lambda p: p.name)
def test_scenario_has_the_expected_shape_in_every_format(scenario: Path) -> None:
    files = scenario_files(scenario)
    assert {"cloudformation", "terraform"} <= set(files)
    expected = expected_shape(scenario)
    for fmt, path in files.items():
        assert shape(graph_of(path)) == expected, fmt


@pytest.mark.parametrize("scenario", PARITY_SCENARIOS, ids=lambda p: p.name)
def test_parity_scenario_gives_one_shape_in_every_format(scenario: Path) -> None:
    shapes = {fmt: shape(graph_of(path)) for fmt, path in scenario_files(scenario).items()}
    assert len(shapes) >= 3
    first = next(iter(shapes.values()))
    assert sum(first.values()) >= 3  # at least two nodes and an edge
    rules = {line.split()[-1] for line in first if re.search(r"ESM\d{3}$", line)}
    expected_rules = set((scenario / "expected").read_text(encoding="utf-8").split())
    assert rules <= expected_rules
    for fmt, found in shapes.items():
        assert found == first, fmt


def test_the_sam_example_graph_names_every_part() -> None:
    graph = graph_of(EXAMPLES / "template.yaml")
    nodes = {(n.label, n.kind, tuple(n.rules)) for n in graph.nodes.values()}
    assert nodes == {
        ("OrdersQueue", "sqs", ("ESM111",)), ("OrdersStream", "kinesis", ()),
        ("Receipts", "s3", ()), ("OrderWorker", "function", ()),
        ("StreamReader", "function", ()), ("ReceiptRenderer", "function", ("ESM301",)),
    }
    edges = {(graph.nodes[e.source].label, graph.nodes[e.target].label, e.relation, e.mode,
              tuple(e.rules)) for e in graph.edges}
    assert edges == {
        ("OrdersQueue", "OrderWorker", "invoke", "poll", ("ESM101", "ESM112", "ESM201")),
        ("OrdersStream", "StreamReader", "invoke", "poll", ("ESM109", "ESM112")),
        ("Receipts", "ReceiptRenderer", "invoke", "async", ()),
    }
    worker = next(n for n in graph.nodes.values() if n.label == "OrderWorker")
    assert worker.severity is None and worker.line == 36  # its findings are on the edge
    renderer = next(n for n in graph.nodes.values() if n.label == "ReceiptRenderer")
    assert renderer.severity == Severity.WARNING and renderer.rules == ["ESM301"]


def test_terraform_example_graph() -> None:
    graph = graph_of(EXAMPLES / "terraform")
    edges = {(graph.nodes[e.source].label, graph.nodes[e.target].label, e.mode,
              tuple(e.rules)) for e in graph.edges}
    assert edges == {
        ("aws_sqs_queue.orders", "aws_lambda_function.worker", "poll",
         ("ESM101", "ESM112", "ESM201")),
        ("aws_sns_topic.refunds", "aws_lambda_function.worker", "async", ("ESM401",)),
    }


def test_every_finding_is_placed_exactly_once() -> None:
    """Over every rule's fixtures: what the lint found is all on the graph, nothing twice."""
    files = sorted(str(p) for p in (REPO / "fixtures").glob("ESM*/*")
                   if p.is_file() and p.suffix in (".yaml", ".json", ".tf")
                   and not p.name.endswith(".expect"))
    assert len(files) > 100
    findings = lint_paths(files).findings
    graph = build(list(parts(files)), findings)
    placed = graph.findings
    assert len(placed) == len(findings)
    assert Counter(map(id, placed)) == Counter(map(id, findings))


def test_unparsable_template_gets_a_template_node(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  A: [\n", encoding="utf-8")
    graph = graph_of(broken)
    [node] = graph.nodes.values()
    assert node.kind == "template" and node.rules == ["ESM001"]


def _wiring(fmt: str = "sam") -> Graph:
    return graph_of(scenario_files(GRAPH_FIXTURES / "wiring")[fmt])


def test_focus_on_a_function_keeps_its_neighbours() -> None:
    graph = focus(_wiring(), ["Notifier"])
    assert sorted(n.label for n in graph.nodes.values()) == [
        "Events", "Failures", "Notifier", "NotifierDLQ"]
    assert len(graph.edges) == 3
    terraform = focus(_wiring("terraform"), ["notifier"])  # the address's last part
    assert shape(terraform) == shape(graph)
    with pytest.raises(LookupError):
        focus(graph, ["Nobody"])


def test_only_findings_keeps_what_has_findings_and_its_ends() -> None:
    graph = only_findings(_wiring())
    assert sorted(n.label for n in graph.nodes.values()) == ["Jobs", "Worker"]
    [edge] = graph.edges
    assert edge.rules == ["ESM101"]


def test_collapse_folds_the_finding_free_part_of_a_large_group() -> None:
    full = _wiring()
    assert collapse(full, 0) is full
    assert collapse(full, len(full.nodes)) .nodes.keys() == full.nodes.keys()
    folded = collapse(full, 3)
    kept = sorted(n.label for n in folded.nodes.values() if n.kind != "collapsed")
    assert kept == ["Jobs", "Worker"]
    [holder] = [n for n in folded.nodes.values() if n.kind == "collapsed"]
    assert len(holder.members) == len(full.nodes) - 2
    assert holder.label == "2 functions and 5 resources without findings"
    # Jobs -> its DLQ now points at the folded node; edges inside the fold are gone.
    assert {(folded.nodes[e.source].label, e.relation) for e in folded.edges} == {
        ("Jobs", "redrive"), ("Jobs", "invoke")}


def test_grouping_by_file_stack_or_none(tmp_path: Path) -> None:
    module = tmp_path / "mod"
    module.mkdir()
    text = (GRAPH_FIXTURES / "wiring" / "tf" / "main.tf").read_text(encoding="utf-8")
    head, _, tail = text.partition('resource "aws_lambda_function" "notifier"')
    (module / "main.tf").write_text(head, encoding="utf-8")
    (module / "notifier.tf").write_text('resource "aws_lambda_function" "notifier"' + tail,
                                        encoding="utf-8")
    by_file = graph_of(module, group_by="file").groups()
    assert sorted(Path(label).name for label in by_file) == ["main.tf", "notifier.tf"]
    assert list(graph_of(module, group_by="stack").groups()) == [str(module)]
    assert list(graph_of(module, group_by="none").groups()) == [""]
    assert shape(graph_of(module)) == expected_shape(GRAPH_FIXTURES / "wiring")


# --- formats ------------------------------------------------------------------------------

#: Labels that must not break any format.
HOSTILE = ['a"b', "c#d;", "<script>alert(1)</script>", "e|f", "g\\h", "i\nj", "k]l)m}n",
           'module.m["x"].aws_sqs_queue.q', "-->", "end", "%%"]


def hostile_graph() -> Graph:
    graph = Graph(group_by="file")
    finding = Finding("ESM101", Severity.ERROR, 't"x.yaml', 3, 1, 'bad "</script> | #1',
                      resource=HOSTILE[0], name="sqs-visibility-below-timeout")
    for index, label in enumerate(HOSTILE):
        kind = ("function", "sqs", "sns", "api", "template", "collapsed")[index % 6]
        graph.add(Node(f"s|{label}", label, kind, file=HOSTILE[index % 3],
                       findings=[finding] if index == 0 else []))
    ids = list(graph.nodes)
    for index, (a, b) in enumerate(zip(ids, ids[1:], strict=False)):
        relation = "invoke" if index % 2 else "on-failure"
        graph.edges.append(Edge(f"e{index}", a, b, relation, "sync" if index % 3 else "poll",
                                findings=[finding] if index == 1 else []))
    return graph


MERMAID_SHAPES = [('(["', '"])'), ('[("', '")]'), ('{{"', '"}}'), ('[/"', '"/]'), ('["', '"]')]
LABEL = r'(?:[^"#<>]|#\w+;|<br/>)*'


def check_mermaid(source: str) -> tuple[int, int]:
    """Check Mermaid source line by line against the flowchart subset esmlint writes;
    returns (nodes, edges)."""
    lines = source.rstrip("\n").split("\n")
    assert re.fullmatch(r"flowchart (LR|TB|TD|RL|BT)", lines[0]), lines[0]
    nodes: set[str] = set()
    groups: set[str] = set()
    classes: set[str] = set()
    edges = 0
    depth = 0
    shape_pattern = "|".join(f"{re.escape(a)}{LABEL}{re.escape(b)}" for a, b in MERMAID_SHAPES)
    for line in lines[1:]:
        text = line.strip()
        if match := re.fullmatch(rf'subgraph (\w+)\["{LABEL}"\]', text):
            assert match.group(1) not in groups | nodes
            groups.add(match.group(1))
            depth += 1
        elif text == "end":
            depth -= 1
            assert depth >= 0
        elif match := re.fullmatch(rf"(\w+)(?:{shape_pattern})", text):
            assert match.group(1) not in nodes | groups, match.group(1)
            nodes.add(match.group(1))
        elif match := re.fullmatch(rf'(\w+) (-->|-\.->|==>)\|"{LABEL}"\| (\w+)', text):
            assert {match.group(1), match.group(3)} <= nodes, text
            edges += 1
        elif match := re.fullmatch(r"classDef (\w+) [\w#:,.\- ]+", text):
            classes.add(match.group(1))
        elif match := re.fullmatch(r"class ([\w,]+) (\w+)", text):
            assert set(match.group(1).split(",")) <= nodes and match.group(2) in classes, text
        elif match := re.fullmatch(r"linkStyle (\d+) [\w#:,.\- ]+", text):
            assert int(match.group(1)) < edges, text
        else:
            raise AssertionError(f"not Mermaid esmlint writes: {line!r}")
    assert depth == 0
    return len(nodes), edges


def test_mermaid_is_valid_for_the_examples_and_hostile_labels() -> None:
    graph = graph_of(EXAMPLES)
    assert check_mermaid(render(graph, "mermaid")) == (len(graph.nodes), len(graph.edges))
    hostile = hostile_graph()
    source = render(hostile, "mermaid")
    assert check_mermaid(source) == (len(hostile.nodes), len(hostile.edges))
    assert "<script>" not in source and "#lt;script#gt;" in source
    assert "class n0 error" in source and "linkStyle 1 stroke:#cf222e" in source


def test_mermaid_severity_classes_follow_the_findings() -> None:
    source = render(_wiring(), "mermaid")
    jobs_edge = [line for line in source.splitlines() if "poll ESM101" in line]
    assert len(jobs_edge) == 1
    index = [line for line in source.splitlines() if "|" in line and "--" in line or "==>" in
             line or "-.->" in line].index(jobs_edge[0])
    assert f"  linkStyle {index} stroke:#cf222e" in source


def _pydot():
    return pytest.importorskip("pydot")


@pytest.mark.filterwarnings("ignore:.*deprecated")  # pydot's use of pyparsing
@pytest.mark.parametrize("which", ["examples", "hostile"])
def test_dot_parses_with_pydot(which: str) -> None:
    pydot = _pydot()
    graph = graph_of(EXAMPLES) if which == "examples" else hostile_graph()
    [parsed] = pydot.graph_from_dot_data(render(graph, "dot"))
    labels: dict[str, str] = {}
    edges = []
    for sub in [parsed, *parsed.get_subgraphs()]:
        edges += sub.get_edges()
        for node in sub.get_nodes():
            if node.get_name() not in ("node", "edge", "graph"):
                # DOT's quoted strings escape as JSON's do for what esmlint writes.
                labels[json.loads(node.get_name())] = json.loads(node.get("label"))
    assert set(labels) == set(graph.nodes)
    assert len(edges) == len(graph.edges)
    for nid, node in graph.nodes.items():
        assert labels[nid].replace("\\n", "\n") == "\n".join(node_lines(node))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("which", ["examples", "hostile"])
def test_dot_renders_with_graphviz(which: str) -> None:
    graph = graph_of(EXAMPLES) if which == "examples" else hostile_graph()
    proc = subprocess.run(["dot", "-Tsvg"], input=render(graph, "dot"), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""
    assert proc.stdout.count('class="node"') == len(graph.nodes)
    assert proc.stdout.count('class="edge"') == len(graph.edges)


def test_json_is_consistent() -> None:
    data = json.loads(render(_wiring(), "json"))
    assert data["version"] == 1
    ids = {node["id"] for node in data["nodes"]}
    assert all(edge["source"] in ids and edge["target"] in ids for edge in data["edges"])
    assert sorted(i for group in data["groups"] for i in group["nodes"]) == sorted(ids)
    [flagged] = [edge for edge in data["edges"] if edge["findings"]]
    assert flagged["severity"] == "error" and flagged["rules"] == ["ESM101"]
    assert flagged["findings"][0]["url"] == rule_url("ESM101")
    assert data["summary"] == {"nodes": 9, "edges": 6, "functions": 3, "findings": 1,
                               "errors": 1, "warnings": 0, "infos": 0}


def test_html_is_self_contained() -> None:
    page = render(hostile_graph(), "html")
    assert "default-src 'none'" in page
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", page)
    assert "@import" not in page and "url(" not in page.replace("url(#arrow-", "")
    # Template text cannot close the script elements that hold the data and the viewer.
    assert page.count("</script>") == 2
    data = page.split('id="esmlint-graph">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data.replace("<\\/", "</"))["summary"]["nodes"] == len(HOSTILE)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


def _artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ESMLINT_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
def test_html_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    graph = graph_of(EXAMPLES)
    page = tmp_path / "graph.html"
    page.write_text(render(graph, "html"), encoding="utf-8")
    worker = next(nid for nid, n in graph.nodes.items() if n.label == "ReceiptRenderer")
    url = page.as_uri() + "#select=" + quote(worker, safe="")
    base = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1400,800", "--virtual-time-budget=3000"]
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-ready="true"' in html, html[-2000:]
    assert len(re.findall(r'<g class="node kind-', html)) == len(graph.nodes)
    assert len(re.findall(r'<g class="edge"', html)) == len(graph.edges)
    panel = html.split('id="panel"', 1)[1]
    assert "<h2>ReceiptRenderer</h2>" in panel
    assert f'href="{rule_url("ESM301")}"' in panel
    shot = _artefacts(tmp_path) / "graph-examples.png"
    proc = subprocess.run([*base, f"--screenshot={shot}", url], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a drawn page, not a blank one


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
def test_html_page_with_hostile_labels_and_collapsed_groups_renders(tmp_path: Path) -> None:
    graph = hostile_graph()
    page = tmp_path / "hostile.html"
    page.write_text(render(graph, "html"), encoding="utf-8")
    proc = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           f"--user-data-dir={tmp_path / 'profile'}",
                           "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert 'data-ready="true"' in proc.stdout, proc.stderr[-2000:]
    assert len(re.findall(r'<g class="node kind-', proc.stdout)) == len(graph.nodes)
    drawing = proc.stdout.split('id="canvas"', 1)[1].split("</svg>", 1)[0]
    assert "<script" not in drawing and "&lt;script&gt;alert(1)" in drawing  # text, not markup


# --- the command --------------------------------------------------------------------------


def test_graph_command_formats_and_output_file(run_cli, tmp_path: Path) -> None:
    for fmt in ("mermaid", "dot", "json", "html"):
        result = run_cli("graph", "--format", fmt, EXAMPLES / "template.yaml")
        assert result.exit_code == 0, result.stderr
        assert result.stdout
    target = tmp_path / "out" / "g.mmd"
    result = run_cli("graph", EXAMPLES, "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    check_mermaid(target.read_text(encoding="utf-8"))


def test_graph_command_options(run_cli) -> None:
    def nodes(*args) -> list[str]:
        result = run_cli("graph", "--format", "json", *args)
        assert result.exit_code == 0, result.stderr
        return sorted(n["label"] for n in json.loads(result.stdout)["nodes"])

    wiring = GRAPH_FIXTURES / "wiring" / "sam.yaml"
    assert nodes("--function", "Public", wiring) == ["Public", "PublicUrl"]
    assert nodes("--only-findings", wiring) == ["Jobs", "Worker"]
    assert len(nodes("--collapse", "2", wiring)) == 3
    assert nodes("--select", "ESM3", "--only-findings", wiring) == []
    assert "OrdersStream" in nodes("--severity", "error", EXAMPLES / "template.yaml")
    assert "OrdersStream" not in nodes("--severity", "error", "--only-findings",
                                       EXAMPLES / "template.yaml")
    result = run_cli("graph", "--group", "none", wiring)
    assert result.exit_code == 0 and "subgraph" not in result.stdout


def test_graph_command_usage_errors_exit_2(run_cli) -> None:
    result = run_cli("graph", "--function", "Nobody", EXAMPLES)
    assert result.exit_code == 2 and "no function named 'Nobody'" in result.stderr
    assert run_cli("graph", "--format", "png", EXAMPLES).exit_code == 2
    assert run_cli("graph", "--select", "ESM999", EXAMPLES).exit_code == 2


def test_graph_is_off_the_check_path() -> None:
    code = ("import sys; from esmlint.cli import main\n"
            "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('esmlint.graph')))")
    proc = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "template.yaml")],
                          capture_output=True, text=True, env=program_env(), timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


def test_docs_show_the_examples_graph(run_cli, monkeypatch) -> None:
    """The graph guide's Mermaid is what ``esmlint graph examples/`` prints, and the
    picture beside it, which the README shows too, is committed."""
    monkeypatch.chdir(REPO)
    guide = (REPO / "docs" / "graph.md").read_text(encoding="utf-8")
    block = guide.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == run_cli("graph", "examples/").stdout
    for page, text in ((REPO / "docs", guide),
                       (REPO, (REPO / "README.md").read_text(encoding="utf-8"))):
        picture = re.search(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
        assert picture and (page / picture.group(1)).read_bytes()[:4] == b"\x89PNG"

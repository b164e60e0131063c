"""The invocation graph: functions, what invokes them and where their failures go.

Built from the invocation model (:mod:`esmlint.model`) and the findings of a run, and from
nothing else: the model is the same for SAM, CloudFormation, CDK output and Terraform, so
the same wiring gives the same graph whatever it is written in. Renderers (Mermaid, DOT,
JSON, HTML, the Markdown report) read only this graph.

Nodes are functions and the resources around them (queues, streams, tables, topics,
buckets, buses, rules, APIs...). Edges are typed:

* ``invoke``: an invoker to a function, with the invocation ``mode`` (``poll`` for an
  event source mapping, ``async`` or ``sync``);
* ``on-success`` / ``on-failure``: a function to an asynchronous destination or a
  mapping's on-failure destination;
* ``dead-letter``: a function to its dead-letter queue;
* ``redrive``: a queue to the dead-letter queue of its redrive policy.

Every finding is placed on the one node or edge it is about (see :func:`_place`); the
severity of a node or edge is the highest of its findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from ..model import Function, Model, Resource
from ..rule import where
from ..targets import destinations, named
from ..targets import target as target_of

#: Model kinds -> how users call them (node titles, legends).
KIND_TITLES = {
    "function": "Lambda function", "sqs": "SQS queue", "sns": "SNS topic",
    "kinesis": "Kinesis stream", "kinesis-consumer": "Kinesis stream consumer",
    "dynamodb": "DynamoDB table", "dynamodb-table": "DynamoDB table", "s3": "S3 bucket",
    "msk": "Amazon MSK cluster", "kafka": "Kafka cluster", "mq": "Amazon MQ broker",
    "docdb": "DocumentDB cluster", "documentdb": "DocumentDB cluster",
    "eventbus": "EventBridge event bus", "rule": "EventBridge rule",
    "eventbridge": "EventBridge rule", "schedule": "schedule",
    "scheduler": "EventBridge Scheduler schedule", "logs": "CloudWatch Logs subscription",
    "loggroup": "CloudWatch log group", "iot": "IoT rule", "api": "REST API",
    "httpapi": "HTTP API", "url": "function URL", "userpool": "Cognito user pool",
    "cognito": "Cognito user pool", "alexa": "Alexa skill", "states": "state machine",
    "pipes": "EventBridge pipe", "appsync": "AppSync data source",
    "lambda": "Lambda function", "template": "template", "collapsed": "collapsed",
    "cloudformation": "CloudFormation custom resource", "config": "AWS Config rule",
    "alb": "Application Load Balancer target group", "ses": "SES receipt rule",
    "codecommit": "CodeCommit trigger", "secretsmanager": "Secrets Manager rotation",
    "cloudfront": "CloudFront distribution", "unknown": "resource",
}

#: Model kinds -> the shape family a renderer draws: ``function``, ``store`` (queues,
#: streams, tables, buckets, clusters), ``bus`` (topics, buses, rules, schedules),
#: ``api`` (synchronous callers), ``template`` (a file-level holder of findings) and
#: ``collapsed``.
SHAPES = {
    "function": "function", "lambda": "function",
    **{kind: "store" for kind in ("sqs", "kinesis", "kinesis-consumer", "dynamodb",
                                  "dynamodb-table", "s3", "msk", "kafka", "mq", "docdb",
                                  "documentdb", "loggroup")},
    **{kind: "bus" for kind in ("sns", "eventbus", "rule", "eventbridge", "schedule",
                                "scheduler", "logs", "iot", "config", "ses", "codecommit",
                                "pipes")},
    **{kind: "api" for kind in ("api", "httpapi", "url", "userpool", "cognito", "alexa",
                                "states", "alb", "cloudformation", "secretsmanager",
                                "cloudfront", "appsync")},
    "template": "template", "collapsed": "collapsed",
}

INVOKE = "invoke"
RELATIONS = (INVOKE, "on-success", "on-failure", "dead-letter", "redrive")


@dataclass(eq=False)
class Node:
    """A function or resource; ``id`` is unique in the graph, ``label`` is its own name."""

    id: str
    label: str
    kind: str
    type: str = ""
    stack: str = ""
    file: str = ""
    line: int = 0
    #: Not defined in the templates read: known only by the ARN or name that names it.
    external: bool = False
    findings: list[Finding] = field(default_factory=list)
    #: For a collapsed node: the ids of the nodes it stands for.
    members: list[str] = field(default_factory=list)

    @property
    def shape(self) -> str:
        return SHAPES.get(self.kind, "store")

    @property
    def title(self) -> str:
        return KIND_TITLES.get(self.kind, self.kind)

    @property
    def severity(self) -> Severity | None:
        return highest(self.findings)

    @property
    def rules(self) -> list[str]:
        return rule_ids(self.findings)

    def group(self, by: str) -> str:
        """The group this node is drawn in: its ``file``, its ``stack`` or none ("")."""
        if by == "file":
            return self.file or self.stack
        if by == "stack":
            return self.stack
        return ""


@dataclass(eq=False)
class Edge:
    """An invocation (``invoke``) or a hand-on of failed or finished events."""

    id: str
    source: str
    target: str
    relation: str
    #: ``poll``, ``async`` or ``sync`` for invocations; "" for the others.
    mode: str = ""
    kind: str = ""
    file: str = ""
    line: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.mode if self.relation == INVOKE else self.relation

    @property
    def severity(self) -> Severity | None:
        return highest(self.findings)

    @property
    def rules(self) -> list[str]:
        return rule_ids(self.findings)


@dataclass
class Graph:
    """Nodes in a stable order (by stack, file, line, id) and the edges between them."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: How nodes are grouped when drawn: ``file``, ``stack`` or ``none``.
    group_by: str = "file"

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def groups(self) -> dict[str, list[Node]]:
        """Group label -> its nodes ("" holds the ungrouped), in node order."""
        result: dict[str, list[Node]] = {}
        for node in self.nodes.values():
            result.setdefault(node.group(self.group_by), []).append(node)
        return result

    @property
    def findings(self) -> list[Finding]:
        found = [f for node in self.nodes.values() for f in node.findings]
        found += [f for edge in self.edges for f in edge.findings]
        return sorted(found, key=Finding.sort_key)

    def functions(self, name: str) -> list[Node]:
        """The function nodes a ``--function`` value names: by logical ID or Terraform
        address, or by the last part of an address (``worker`` for
        ``aws_lambda_function.worker``)."""
        wanted = name.strip()
        exact = [n for n in self.nodes.values() if n.kind == "function" and n.label == wanted]
        if exact:
            return exact
        return [n for n in self.nodes.values() if n.kind == "function"
                and n.label.rsplit(".", 1)[-1] == wanted]

    def subgraph(self, keep: set[str]) -> Graph:
        """The nodes in ``keep`` and the edges between them."""
        nodes = {nid: node for nid, node in self.nodes.items() if nid in keep}
        edges = [e for e in self.edges if e.source in nodes and e.target in nodes]
        return Graph(nodes, edges, self.group_by)

    def neighbourhood(self, seeds: Iterable[str]) -> set[str]:
        """``seeds`` and every node one edge away from one of them."""
        keep = set(seeds)
        for edge in self.edges:
            if edge.source in keep or edge.target in keep:
                keep.update((edge.source, edge.target))
        return keep


def highest(findings: Sequence[Finding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)


def rule_ids(findings: Sequence[Finding]) -> list[str]:
    return sorted({f.rule for f in findings})


# --- building ---------------------------------------------------------------------------


@dataclass
class Part:
    """One loaded model and the files it was read from (a Terraform module has several)."""

    model: Model
    files: tuple[str, ...] = ()


def build(parts: Sequence[Part], findings: Sequence[Finding] = (), *,
          group_by: str = "file") -> Graph:
    """The graph of every model in ``parts``, with ``findings`` placed on it.

    A finding whose file no model was read from (a template that could not be parsed)
    gets a ``template`` node of its own, so that nothing found is left out of the picture.
    """
    graph = Graph(group_by=group_by)
    placers: dict[str, _Builder] = {}
    for part in parts:
        placer = _Builder(graph, part.model).build()
        for path in (*part.files, part.model.path):
            placers.setdefault(path, placer)
    for finding in sorted(findings, key=Finding.sort_key):
        placer = placers.get(finding.path)
        if placer is None or not placer.place(finding):
            _template_node(graph, finding.path, finding.path).findings.append(finding)
    graph.nodes = dict(sorted(graph.nodes.items(), key=lambda item: _node_order(item[1])))
    graph.edges.sort(key=lambda e: (e.file, e.line, e.source, e.target, e.relation, e.id))
    return graph


def _node_order(node: Node) -> tuple:
    return (node.stack, node.file, node.external, node.line, node.label, node.id)


def _template_node(graph: Graph, stack: str, path: str) -> Node:
    return graph.add(Node(f"{stack}|{path}#template", path, "template", stack=stack,
                          file=path, line=1))


class _Builder:
    """Adds one model's nodes and edges to the graph, then places its findings."""

    def __init__(self, graph: Graph, model: Model) -> None:
        self.graph = graph
        self.model = model
        self.stack = model.path
        #: (file, line, template resource) -> edge: where a source or destination is written.
        self.at: dict[tuple[str, int, str], Edge] = {}
        #: Source, mapping or subscription id -> its edge.
        self.edges_by_id: dict[str, Edge] = {}
        #: Resource id -> its node; invoke configs and permissions -> their function's.
        self.nodes_by_id: dict[str, Node] = {}

    def place(self, finding: Finding) -> bool:
        """Put ``finding`` on its edge or node; False when it belongs to neither.

        In order: the invocation or destination written at the finding's line for its
        resource (a SAM event and the mapping it stands for are one edge), the edge of
        the mapping or subscription the finding names, the node of its resource (an
        invoke configuration or permission: its function's node; a queue or topic nothing
        invokes from gets its node now), then the node of its function.
        """
        key = (finding.path, finding.line, finding.resource)
        target: Node | Edge | None = self.at.get(key) or self.edges_by_id.get(finding.resource)
        if target is None:
            target = self.nodes_by_id.get(finding.resource)
        if target is None:
            resource = self.model.resources.get(finding.resource)
            if resource is not None and resource.kind in SHAPES:
                target = self.resource_node(resource)
        if target is None:
            target = self.nodes_by_id.get(finding.function)
        if target is None:
            return False
        target.findings.append(finding)
        return True

    def build(self) -> _Builder:
        for fn in self.model.functions:
            self.nodes_by_id[fn.id] = self.function_node(fn)
        for fn in self.model.functions:
            self.invocations(fn)
            self.hand_ons(fn)
        for resource in list(self.model.resources.values()):
            if resource.kind == "sqs" and resource.id in self.nodes_by_id:
                self.redrive(resource)
        for config in self.model.invoke_configs:
            function = config.function
            if function is not None and function.id in self.nodes_by_id:
                self.nodes_by_id.setdefault(config.id, self.nodes_by_id[function.id])
        for permission in self.model.permissions:
            if permission.resolved is not None and permission.resolved.id in self.nodes_by_id:
                self.nodes_by_id.setdefault(permission.id,
                                            self.nodes_by_id[permission.resolved.id])
        return self

    # nodes

    def node_id(self, rid: str) -> str:
        return f"{self.stack}|{rid}"

    def function_node(self, fn: Function) -> Node:
        return self.graph.add(Node(self.node_id(fn.id), fn.id, "function", fn.type,
                                   self.stack, fn.loc.path or self.stack, fn.loc.line))

    def resource_node(self, resource: Resource | Function) -> Node:
        if isinstance(resource, Function):
            return self.nodes_by_id[resource.id]
        existing = self.nodes_by_id.get(resource.id)
        if existing is not None:
            return existing
        node = self.graph.add(Node(self.node_id(resource.id), resource.id, resource.kind,
                                   resource.type, self.stack, resource.loc.path or self.stack,
                                   resource.loc.line))
        self.nodes_by_id[resource.id] = node
        return node

    def external_node(self, kind: str, text: str) -> Node:
        """A resource outside the templates read, known by the ARN or name written."""
        return self.graph.add(Node(self.node_id(f"{kind}:{text}"), text, kind,
                                   stack=self.stack, file=self.stack, external=True))

    # edges

    def edge(self, eid: str, source: Node, target: Node, relation: str, *, mode: str = "",
             kind: str = "", file: str = "", line: int = 0, resource: str = "") -> Edge:
        edge = Edge(f"{self.stack}|{eid}", source.id, target.id, relation, mode, kind,
                    file, line)
        self.graph.edges.append(edge)
        if resource:
            self.at.setdefault((file, line, resource), edge)
        return edge

    def invocations(self, fn: Function) -> None:
        fnode = self.nodes_by_id[fn.id]
        for source in fn.sources:
            invoker = self.invoker(source)
            edge = self.edge(source.id, invoker, fnode, INVOKE, mode=source.mode,
                             kind=source.kind, file=source.loc.path, line=source.loc.line,
                             resource=where(source))
            self.edges_by_id.setdefault(source.id, edge)

    def invoker(self, source) -> Node:
        if source.resource is not None:
            return self.resource_node(source.resource)
        if source.invoker and source.invoker != source.id:
            found = self.model.lookup(source.invoker)
            if isinstance(found, (Resource, Function)):
                return self.resource_node(found)
            return self.external_node(source.kind, source.invoker)
        found = named(self.model, source.arn)
        if found is not None:
            return self.resource_node(found)
        if source.arn.known:
            return self.external_node(source.kind, _text(source.arn.value))
        # Nothing names the invoker apart from the source itself (a SAM Schedule or an
        # implicit API): it is drawn as the source's own node.
        event = source.extra.get("event") if isinstance(source.extra, dict) else None
        node = self.graph.add(Node(self.node_id(f"{source.id}#invoker"),
                                   str(event or source.id), source.kind,
                                   source.sam_event or "", self.stack,
                                   source.loc.path or self.stack, source.loc.line))
        return node

    def hand_ons(self, fn: Function) -> None:
        fnode = self.nodes_by_id[fn.id]
        for dest in destinations(fn):
            relation = ("dead-letter" if dest.what == "dead-letter queue" else
                        "on-success" if "OnSuccess" in dest.what else "on-failure")
            found = named(self.model, dest.value)
            if found is not None:
                target = self.resource_node(found)
            else:
                what = target_of(self.model, dest.value)
                target = self.external_node(what.kind if what is not None else "unknown",
                                            _text(dest.value.value))
            self.edge(dest.key, fnode, target, relation, file=dest.loc.path,
                      line=dest.loc.line, resource=dest.resource)

    def redrive(self, queue: Resource) -> None:
        value = queue.get("dead_letter_target")
        found = named(self.model, value)
        if found is None and not value.known:
            return
        source = self.resource_node(queue)
        target = (self.resource_node(found) if found is not None
                  else self.external_node("sqs", _text(value.value)))
        loc = value.loc or queue.loc
        self.edge(f"{queue.id}:redrive", source, target, "redrive", kind="sqs",
                  file=loc.path, line=loc.line)


def _text(value: object) -> str:
    return str(value)


# --- focusing -----------------------------------------------------------------------------


def focus(graph: Graph, names: Sequence[str]) -> Graph:
    """The functions ``names`` name and their neighbours (``--function``).

    Raises :class:`LookupError` naming the first value that names no function.
    """
    seeds: set[str] = set()
    for name in names:
        found = graph.functions(name)
        if not found:
            raise LookupError(name)
        seeds.update(node.id for node in found)
    return graph.subgraph(graph.neighbourhood(seeds))


def only_findings(graph: Graph) -> Graph:
    """What has findings, with its context (``--only-findings``, the Markdown report):
    every node with a finding and its neighbours, every edge with a finding and its ends."""
    flagged = {nid for nid, node in graph.nodes.items() if node.findings}
    keep = graph.neighbourhood(flagged)
    for edge in graph.edges:
        if edge.findings:
            keep.update((edge.source, edge.target))
    return graph.subgraph(keep)


def collapse(graph: Graph, threshold: int) -> Graph:
    """Fold the finding-free part of every group larger than ``threshold`` nodes into one
    node of that group (``threshold`` 0: never).

    Kept are the nodes with findings and the ends of edges with findings; an edge between
    a kept node and a folded one is drawn once to the folded node, edges among folded
    nodes are dropped. The folded node lists its members (the HTML page shows them).
    """
    if threshold <= 0:
        return graph
    flagged_ends = {end for edge in graph.edges if edge.findings
                    for end in (edge.source, edge.target)}
    folded: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    for label, members in graph.groups().items():
        if len(members) <= threshold:
            nodes.update((node.id, node) for node in members)
            continue
        quiet = [n for n in members if not n.findings and n.id not in flagged_ends]
        kept = [n for n in members if n not in quiet]
        nodes.update((node.id, node) for node in kept)
        if not quiet:
            continue
        sample = quiet[0]
        holder = Node(f"{label or 'graph'}#collapsed", _collapsed_label(quiet), "collapsed",
                      stack=sample.stack, file=sample.file, members=[n.id for n in quiet])
        nodes[holder.id] = holder
        folded.update((n.id, holder.id) for n in quiet)
    edges: list[Edge] = []
    seen: set[tuple] = set()
    for edge in graph.edges:
        source, target = folded.get(edge.source, edge.source), folded.get(edge.target,
                                                                             edge.target)
        if source == target and (edge.source in folded or edge.target in folded):
            continue
        if source != edge.source or target != edge.target:
            key = (source, target, edge.relation, edge.mode)
            if key in seen:
                continue
            seen.add(key)
            edge = Edge(f"{edge.id}#folded", source, target, edge.relation, edge.mode,
                        edge.kind, edge.file, edge.line)
        edges.append(edge)
    return Graph(nodes, edges, graph.group_by)


def _collapsed_label(nodes: Sequence[Node]) -> str:
    functions = sum(1 for n in nodes if n.kind == "function")
    others = len(nodes) - functions
    parts = []
    if functions:
        parts.append(f"{functions} function{'' if functions == 1 else 's'}")
    if others:
        parts.append(f"{others} resource{'' if others == 1 else 's'}")
    return " and ".join(parts) + " without findings"

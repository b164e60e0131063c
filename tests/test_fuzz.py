"""Property-based tests: whatever a file holds, esmlint neither crashes nor hangs.

Hypothesis builds inputs for every front end and checks one property on each: loading it
raises nothing (a file that cannot be read comes back as an error with its position), and
every rule runs over the model it gives without an ``internal-error`` finding. The inputs:

- **mutated real templates**: the fixtures (and part of ``../shared/corpus`` when it is
  beside the checkout), decoded, with values replaced by hostile ones (wrong types,
  intrinsic functions of every shape, references to missing or cyclic resources, YAML
  aliases shared across the template, alias bombs), keys deleted or added, written back as
  YAML (long or short intrinsic forms) or JSON; Terraform plan JSON and ``.tf.json`` alike;
- **generated templates**: SAM and CloudFormation resources of the types esmlint reads,
  with the property names the fixtures use and generated values; Terraform ``.tf`` modules
  with generated HCL expressions;
- **mutated text**: the same files with characters deleted, inserted or replaced, lines
  duplicated or cut, so the decoders meet every kind of syntax error; HCL attribute values
  replaced by generated expressions.

The default run is small (``FUZZ_EXAMPLES``, 100 per test) and takes a few seconds;
``python scripts/fuzz.py --count N`` runs the same properties over many more inputs.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esmlint import engine, loaders, reporters, runner
from esmlint.loaders.yaml import DecodeError, decode
from esmlint.registry import INTERNAL_ERROR_NAME

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
#: One input must be done in this many seconds (a hang is a failure, not a stuck run).
TIME_LIMIT = 60

FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


# --------------------------------------------------------------------------- the property


class Hang(Exception):
    """An input that took longer than :data:`TIME_LIMIT` seconds."""


@contextlib.contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`Hang` in the block after ``seconds`` (default :data:`TIME_LIMIT`;
    Unix main thread only)."""
    seconds = seconds or TIME_LIMIT
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(_signum: int, _frame: Any) -> None:
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_TEMP = tempfile.TemporaryDirectory(prefix="esmlint-fuzz-")  # removed at exit; stays empty
_WORKDIR = _TEMP.name


def check_input(name: str, payload: str | bytes) -> None:
    """The property: loading, linting and reporting ``payload`` as file ``name`` raises
    nothing and reports no internal error.

    Loader exceptions are not caught here (the engine would turn them into an ESM001
    "internal error" finding): they fail the test with their traceback.
    """
    path = os.path.join(_WORKDIR, name)
    with time_limit():
        if isinstance(payload, bytes):
            text, problem, line, _column = runner.decode_bytes(payload)
            if problem:
                assert line >= 0
            if text is None:
                return
        else:
            text = payload
        loaded = loaders.load_text(path, text, explicit=True)
        if loaded.error:
            assert isinstance(loaded.error, str) and loaded.error
            assert "internal error" not in loaded.error
            # A file that cannot be parsed is reported where it breaks.
            assert loaded.line >= 1 and loaded.column >= 1, loaded.error
            return
        if loaded.model is None:
            return
        findings = engine.lint_model(loaded.model, text)
        internal = [f"{f.rule}: {f.message}" for f in findings
                    if f.name == INTERNAL_ERROR_NAME or "internal error" in f.message]
        assert internal == []
        summary = reporters.Summary.of(findings, 1)
        for fmt in ("text", "json"):
            reporters.get(fmt).render(findings, summary, color=False)
        check_fixes(path, text, loaded.model, findings)


def check_fixes(path: str, text: str, model: Any, findings: list) -> None:
    """The fixes of the findings are made without an error, and the text they make loads
    as a template again (``--fix`` would otherwise refuse them and say it is a bug)."""
    from esmlint.fixes.apply import choose, splice

    runner.resolve_fixes(findings, model, {path: text}, True)
    assert not [f.fix_note for f in findings if "internal error" in f.fix_note]
    _, edits = choose(findings)
    if not edits:
        return
    fixed = splice(text, edits)
    again = loaders.load_text(path, fixed, explicit=True)
    assert not again.error, (again.error, [e.content for e in edits])


# --------------------------------------------------------------------------- seeds


def _plain(value: Any) -> Any:
    """Decoded data without marks (MDict/MList to dict/list; aliases become copies)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _seed_files() -> list[Path]:
    files = sorted(p for p in (REPO / "fixtures").rglob("*") if p.is_file()
                   and not p.name.endswith((".expect", ".md", ".py", ".sh")))
    if CORPUS.is_dir():
        corpus = sorted(p for p in CORPUS.rglob("*") if p.is_file()
                        and p.suffix in (".yaml", ".yml", ".json", ".template", ".tf"))
        files += corpus[::8]  # a fixed sample: decoding them all would slow every run
    return files


def _kind(path: Path) -> str:
    name = path.name
    if name.endswith(".tf"):
        return "tf"
    if name.endswith(".tf.json"):
        return "tfjson"
    if name.endswith(".json"):
        return "json"
    return "yaml"


def _load_seeds() -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """(structured seeds as (kind, data), text seeds as (file name, text))."""
    structured: list[tuple[str, Any]] = []
    texts: list[tuple[str, str]] = []
    for path in _seed_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        kind = _kind(path)
        texts.append((path.name if kind != "yaml" else "template.yaml", text))
        if kind == "tf":
            continue
        try:
            data = decode(text)
        except DecodeError:
            continue
        if isinstance(data, dict):
            if kind == "json" and "format_version" in data:
                kind = "plan"
            structured.append((kind, _plain(data)))
    return structured, texts


STRUCTURED_SEEDS, TEXT_SEEDS = _load_seeds()
TF_SEEDS = [(name, text) for name, text in TEXT_SEEDS if name.endswith(".tf")]


def _harvest() -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """Property names per resource type, and every property name, from the seeds; and
    Terraform attribute names per resource type."""
    per_type: dict[str, set[str]] = {}
    for kind, data in STRUCTURED_SEEDS:
        if kind not in ("yaml", "json"):
            continue
        resources = data.get("Resources")
        if not isinstance(resources, dict):
            continue
        for resource in resources.values():
            if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
                props = resource.get("Properties")
                names = per_type.setdefault(resource["Type"], set())
                if isinstance(props, dict):
                    names.update(k for k in props if isinstance(k, str))
    every = sorted({name for names in per_type.values() for name in names})
    tf: dict[str, set[str]] = {}
    block = re.compile(r'^resource\s+"([a-z0-9_]+)"\s+"[^"]+"\s*\{(.*?)^\}', re.M | re.S)
    attr = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*=", re.M)
    for _, text in TF_SEEDS:
        for match in block.finditer(text):
            tf.setdefault(match.group(1), set()).update(attr.findall(match.group(2)))
    return ({k: sorted(v) for k, v in sorted(per_type.items())}, every,
            {k: sorted(v) for k, v in sorted(tf.items())})


CFN_PROPERTIES, ALL_PROPERTIES, TF_ATTRIBUTES = _harvest()
CFN_TYPES = sorted(CFN_PROPERTIES) or ["AWS::Lambda::Function"]
TF_TYPES = sorted(TF_ATTRIBUTES) or ["aws_lambda_function"]
ID_PREFIXES = ["F", "Fn", "Q", "Queue", "Dlq", "Role", "Topic", "M", "S", "Table", "Key",
               "Alias", "P", "Bucket", "Rule"]


def _seed_ids() -> list[str]:
    """Logical IDs and parameter names the seeds use most (references hit them)."""
    counts: dict[str, int] = {}
    for kind, data in STRUCTURED_SEEDS:
        if kind in ("yaml", "json"):
            for section in ("Resources", "Parameters"):
                body = data.get(section)
                for name in body if isinstance(body, dict) else ():
                    if isinstance(name, str):
                        counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))[:80]


# --------------------------------------------------------------------------- values

STRINGS = [
    "", " ", "*", "abc", "-1", "0", "1", "10", "900", "-5.5", "1e999", "NaN", "true", "null",
    "SQS", "Kinesis", "DynamoDB", "MSK", "SNS", "S3", "Api", "Schedule", "EventBridgeRule",
    "LATEST", "TRIM_HORIZON", "ReportBatchItemFailures", "Allow", "Deny", "lambda",
    "sqs:ReceiveMessage", "sqs:*", "kms:Decrypt", "lambda:InvokeFunction", "NONE", "AWS_IAM",
    "lambda.amazonaws.com", "s3.amazonaws.com", "events.amazonaws.com", "Terminate", "Allow",
    "arn:aws:sqs:us-east-1:123456789012:queue", "arn:aws:sqs:us-east-1:123456789012:q.fifo",
    "arn:aws:lambda:us-east-1:123456789012:function:F", "arn:aws:lambda:::function:F:live",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s", "arn:aws:iam::aws:policy/AdminAccess",
    "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020", "arn:", "arn:aws",
    "${AWS::Region}", "${AWS::Partition}", "${Missing}", "${F.Arn}", "${!Literal}", "${",
    '{"maxReceiveCount": 5, "deadLetterTargetArn": "arn:aws:sqs:::dlq"}', "{", "[[[", "{}",
    '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
    "rate(1 minute)", "AWSLambdaBasicExecutionRole", "SQSPollerPolicy", "\x00", "é", "\u202e",
]
NAMES = ["F", "Fn", "Function", "Queue", "Q", "Dlq", "Role", "Topic", "Stream", "Table",
         "Missing", "AWS::Region", "AWS::NoValue", "AWS::AccountId", "Param", ""]
ATTRIBUTES = ["Arn", "QueueName", "QueueUrl", "StreamArn", "TopicArn", "Name", "Ref", "",
              "Alias", "Version", "Missing.Deep"]
FUNCTIONS = ["Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap",
             "Fn::ImportValue", "Fn::Base64", "Fn::GetAZs", "Fn::Equals", "Fn::Not",
             "Fn::Transform", "Fn::Unknown", "Condition"]

atoms = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1, 3, 10, 899, 900, 901, 10000, 2**63, -5.5, 0.5]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(STRINGS),
)


def intrinsics(children: st.SearchStrategy, names: list[str]) -> st.SearchStrategy:
    """Intrinsic functions of every shape: right, wrong and circular."""
    name = st.sampled_from(names)
    getatt = st.one_of(
        st.builds(lambda n, a: f"{n}.{a}", name, st.sampled_from(ATTRIBUTES)),
        st.lists(st.one_of(name, st.sampled_from(ATTRIBUTES), children), max_size=3),
        children,
    )
    sub = st.one_of(
        st.builds(lambda n, a, t: f"{t}${{{n}{a}}}{t}", name,
                  st.sampled_from(["", ".Arn", ".Name"]), st.sampled_from(["", "x", "${"])),
        st.sampled_from(STRINGS),
        st.tuples(st.sampled_from(STRINGS + ["${Var}", "${Var}${Var}"]),
                  st.dictionaries(st.sampled_from(["Var", "F", "x"]), children, max_size=2)
                  ).map(list),
        children,
    )
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, st.one_of(name, children)),
        st.builds(lambda v: {"Fn::GetAtt": v}, getatt),
        st.builds(lambda v: {"Fn::Sub": v}, sub),
        st.builds(lambda f, v: {f: v}, st.sampled_from(FUNCTIONS),
                  st.one_of(children, st.lists(children, max_size=4))),
        st.builds(lambda s, v: {"Fn::Join": [s, v]}, st.sampled_from(["", ",", ":"]),
                  st.one_of(st.lists(children, max_size=4), children)),
        st.builds(lambda i, v: {"Fn::Select": [i, v]}, st.one_of(st.integers(-2, 5), children),
                  st.one_of(st.lists(children, max_size=4), children)),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.one_of(name, children),
                  children, children),
        st.builds(lambda m, a, b: {"Fn::FindInMap": [m, a, b]}, st.one_of(name, children),
                  st.one_of(name, children), st.one_of(name, children)),
    )


def values(names: list[str] | None = None, keys: list[str] | None = None
           ) -> st.SearchStrategy:
    """Any value a template can hold, hostile ones included (build it once: strategies
    are costly to make)."""
    names = names or NAMES
    key = st.one_of(st.sampled_from(keys or ALL_PROPERTIES or ["Type"]), st.text(max_size=6))
    return st.recursive(
        st.one_of(atoms, intrinsics(atoms, names)),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(key, children, max_size=4),
            intrinsics(children, names),
        ),
        max_leaves=10,
    )


#: Names references point at: the seeds' logical IDs, generated ones, missing ones.
ALL_NAMES = sorted(set(_seed_ids() + [f"{p}{i}" for p in ID_PREFIXES for i in range(8)]
                       + NAMES))
HOSTILE = values(ALL_NAMES)


# --------------------------------------------------------------------------- writing


class _Tag:
    """An intrinsic function written in short form (``!Ref X``)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tag(dumper: yaml.SafeDumper, data: _Tag) -> yaml.Node:
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    text = data.value if isinstance(data.value, str) else json.dumps(data.value)
    return dumper.represent_scalar(data.tag, text)


_Dumper.add_representer(_Tag, _represent_tag)


def _short_forms(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """Intrinsic mappings as short-form tags; shared containers stay shared."""
    memo = {} if memo is None else memo
    if isinstance(value, (dict, list)) and id(value) in memo:
        return memo[id(value)]
    if isinstance(value, dict):
        if len(value) == 1:
            (name, arg), = value.items()
            if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
                inner = _short_forms(arg, memo)
                tag = "!" + (name[4:] if name.startswith("Fn::") else name)
                # A tag cannot tag a tagged node: then the outer one stays long.
                result: Any = {name: inner} if isinstance(inner, _Tag) else _Tag(tag, inner)
                memo[id(value)] = result
                return result
        result = {}
        memo[id(value)] = result
        for k, v in value.items():
            result[k] = _short_forms(v, memo)
        return result
    if isinstance(value, list):
        result = []
        memo[id(value)] = result
        result.extend(_short_forms(v, memo) for v in value)
        return result
    return value


def to_yaml(data: Any, short: bool = False, flow: bool | None = False) -> str:
    if short:
        data = _short_forms(data)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=flow, width=100)


def to_json(data: Any, indent: int | None = 1) -> str:
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


def bomb(levels: int, mappings: bool = False) -> Any:
    """A YAML "billion laughs": 9**levels values, written in a few lines with aliases."""
    if mappings:
        current: Any = {k: "lol" for k in "abcdefghi"}
        for _ in range(levels - 1):
            current = dict.fromkeys("abcdefghi", current)
        return current
    current = ["lol"] * 9
    for _ in range(levels - 1):
        current = [current] * 9
    return current


# --------------------------------------------------------------------------- mutating data


def _slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in the data, in a fixed order."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    seen: set[int] = set()
    while stack and len(found) < 5000:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        pairs = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
        for key, value in pairs:
            found.append((item, key))
            if isinstance(value, (dict, list)):
                stack.append(value)
    return found


@st.composite
def mutated_data(draw: st.DrawFn, data: Any, shareable: bool) -> Any:
    """``data`` (a fresh copy) with up to six mutations."""
    data = json.loads(json.dumps(data, default=str))  # a private copy
    hostile = HOSTILE
    for _ in range(draw(st.integers(0, 6))):
        slots = _slots(data)
        if not slots:
            break
        container, key = slots[draw(st.integers(0, len(slots) - 1))]
        op = draw(st.sampled_from(
            ["replace", "replace", "replace", "delete", "add", "type", "share", "bomb"]
            if shareable else ["replace", "replace", "replace", "delete", "add", "type"]))
        if op == "replace":
            container[key] = draw(hostile)
        elif op == "delete":
            if isinstance(container, dict):
                del container[key]
            else:
                container.pop(key)
        elif op == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(ALL_PROPERTIES or ["Type"]))] = draw(hostile)
        elif op == "type":
            # The same value with another type: "5" for 5, [x] for x, {"x": x}...
            value = container[key]
            if isinstance(value, (dict, list)):  # str() of a shared bomb would be huge
                container[key] = draw(st.sampled_from([[value], {"Value": value}, None, "x"]))
            else:
                container[key] = draw(st.sampled_from([
                    str(value), [value], {"Value": value}, None,
                    value * 3 if isinstance(value, str) and len(value) < 1000 else value]))
        elif op == "share":
            other, other_key = slots[draw(st.integers(0, len(slots) - 1))]
            target = other[other_key]
            if isinstance(target, (dict, list)) and not _contains(target, container):
                container[key] = target  # a YAML alias: the same object in two places
        elif op == "bomb":
            container[key] = bomb(draw(st.integers(2, 9)), mappings=draw(st.booleans()))
    return data


def _contains(value: Any, target: Any) -> bool:
    """Whether ``target`` is ``value`` or inside it (sharing it would make a cycle)."""
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if item is target:
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return False


_FILE_NAMES = {"yaml": "template.yaml", "json": "template.json", "plan": "plan.json",
               "tfjson": "main.tf.json"}


@st.composite
def mutated_templates(draw: st.DrawFn) -> tuple[str, str]:
    """A real template (or plan, or .tf.json) with hostile values, as YAML or JSON."""
    kind, data = draw(st.sampled_from(STRUCTURED_SEEDS))
    as_yaml = kind == "yaml" or (kind == "json" and draw(st.booleans()))
    data = draw(mutated_data(data, shareable=as_yaml))
    if as_yaml:
        return "template.yaml", to_yaml(data, short=draw(st.booleans()),
                                        flow=draw(st.sampled_from([False, None, True])))
    return _FILE_NAMES[kind], to_json(data, indent=draw(st.sampled_from([None, 1, 2])))


# --------------------------------------------------------------------------- generating


def _harvest_values() -> dict[tuple[str, str], list[Any]]:
    """Values the seeds give each property of each resource type (up to 12 distinct)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, data in STRUCTURED_SEEDS:
        resources = data.get("Resources") if kind in ("yaml", "json") else None
        for resource in resources.values() if isinstance(resources, dict) else ():
            if not (isinstance(resource, dict) and isinstance(resource.get("Type"), str)):
                continue
            props = resource.get("Properties")
            for name, value in props.items() if isinstance(props, dict) else ():
                seen = found.setdefault((resource["Type"], name), {})
                if len(seen) < 12:
                    seen.setdefault(json.dumps(value, sort_keys=True, default=str), value)
    return {key: list(seen.values()) for key, seen in found.items()}


EXAMPLE_VALUES = _harvest_values()
#: The types esmlint models, drawn most of the time; the others now and then.
CORE_TYPES = [t for t in (
    "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::SQS::Queue",
    "AWS::Lambda::EventSourceMapping", "AWS::IAM::Role", "AWS::IAM::Policy",
    "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::Permission", "AWS::Kinesis::Stream", "AWS::DynamoDB::Table",
    "AWS::S3::Bucket", "AWS::Events::Rule", "AWS::Lambda::Alias", "AWS::Lambda::Version",
    "AWS::Lambda::Url", "AWS::KMS::Key", "AWS::IAM::ManagedPolicy",
) if t in CFN_PROPERTIES or t == "AWS::Serverless::Function"]
RESOURCE_TYPES = st.one_of(
    st.sampled_from(CORE_TYPES),
    st.sampled_from(CFN_TYPES + ["Custom::Thing", "AWS::Made::Up", "AWS::Serverless::Api"]),
)
_FIRST_TYPES = [
    ["AWS::Serverless::Function", "AWS::Lambda::Function"],
    ["AWS::SQS::Queue", "AWS::Lambda::EventSourceMapping", "AWS::Kinesis::Stream",
     "AWS::SNS::Topic", "AWS::S3::Bucket", "AWS::Lambda::EventInvokeConfig"],
    ["AWS::Lambda::EventSourceMapping", "AWS::IAM::Role", "AWS::Lambda::Permission",
     "AWS::SQS::Queue"],
]
_PROPERTY_LISTS = {rtype: st.lists(st.sampled_from(names), min_size=1, max_size=8, unique=True)
                   for rtype, names in CFN_PROPERTIES.items() if names}


def references(ids: list[str]) -> st.SearchStrategy:
    """Ref, GetAtt and Sub naming the template's own resources (and a missing one)."""
    rid = st.sampled_from(ids + ["Missing"])
    attr = st.sampled_from(["Arn", "QueueName", "StreamArn", "TopicArn", "Name", "QueueUrl"])
    return st.one_of(
        st.builds(lambda r: {"Ref": r}, rid),
        st.builds(lambda r, a: {"Fn::GetAtt": [r, a]}, rid, attr),
        st.builds(lambda r, a: {"Fn::Sub": f"${{{r}.{a}}}"}, rid, attr),
        st.builds(lambda r: {"Fn::Sub": f"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:"
                                        f"${{AWS::AccountId}}:${{{r}.QueueName}}"}, rid),
        st.builds(lambda r: {"Fn::Sub": f"arn:aws:lambda:::function:${{{r}}}"}, rid),
    )


#: Properties that link resources: mostly references to the template's own resources.
LINKS = {"FunctionName", "EventSourceArn", "Role", "TargetArn", "Endpoint", "TopicArn",
         "DestinationArn", "TargetFunctionArn", "Roles", "RoleName", "Destination"}
SAM_EVENT_TYPES = ["SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "DocumentDB",
                   "SelfManagedKafka", "SNS", "S3", "EventBridgeRule", "CloudWatchEvent",
                   "Schedule", "ScheduleV2", "CloudWatchLogs", "IoTRule", "Cognito", "Api",
                   "HttpApi", "AlexaSkill", "Bogus"]


def _event_properties() -> list[str]:
    names: set[str] = set()
    for (rtype, prop), examples in EXAMPLE_VALUES.items():
        if rtype == "AWS::Serverless::Function" and prop == "Events":
            for events in examples:
                for event in events.values() if isinstance(events, dict) else ():
                    props = event.get("Properties") if isinstance(event, dict) else None
                    names.update(k for k in props if isinstance(k, str)) \
                        if isinstance(props, dict) else None
    return sorted(names) or ["Queue"]


EVENT_PROPERTIES = _event_properties()


@st.composite
def sam_events(draw: st.DrawFn, refs: st.SearchStrategy) -> dict:
    """SAM Events whose sources are the template's own resources."""
    events: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 3))):
        etype = draw(st.sampled_from(SAM_EVENT_TYPES))
        props: dict[str, Any] = {}
        for key in ("Queue", "Stream", "Bucket", "Topic", "Broker", "Cluster"):
            if draw(st.integers(0, 2)) == 0:
                props[key] = draw(refs)
        for key in draw(st.lists(st.sampled_from(EVENT_PROPERTIES), max_size=4, unique=True)):
            props[key] = draw(st.one_of(refs, HOSTILE, st.sampled_from(STRINGS)))
        events[f"E{index}"] = {"Type": etype, "Properties": props}
    return events


@st.composite
def generated_templates(draw: st.DrawFn) -> tuple[str, str]:
    """SAM or CloudFormation built from scratch: the types esmlint reads with the property
    names and values the seeds use, references between the generated resources, and
    hostile values mixed in."""
    sam = draw(st.booleans())
    count = draw(st.integers(1, 8))
    ids = [draw(st.sampled_from(ID_PREFIXES)) + str(i) for i in range(count)]
    refs = references(ids)
    resources: dict[str, Any] = {}
    for index, rid in enumerate(ids):
        # A function and something that invokes it first; then anything.
        rtype = draw(st.sampled_from(_FIRST_TYPES[index]) if index < len(_FIRST_TYPES)
                     else RESOURCE_TYPES)
        props: dict[str, Any] = {}
        names = _PROPERTY_LISTS.get(rtype)
        for prop in draw(names) if names is not None else []:
            examples = EXAMPLE_VALUES.get((rtype, prop), [])
            choice = draw(st.integers(0, 9))
            if prop in LINKS and choice < 8:
                props[prop] = draw(refs)
            elif prop == "Events" and choice < 8:
                props[prop] = draw(sam_events(refs))
            elif examples and choice < 5:
                props[prop] = draw(st.sampled_from(examples))
            elif choice < 8:
                props[prop] = draw(refs)
            else:
                props[prop] = draw(HOSTILE)
        resource: dict[str, Any] = {"Type": rtype, "Properties": props}
        if draw(st.integers(0, 19)) == 0:
            resource["Properties"] = draw(HOSTILE)
        if draw(st.integers(0, 9)) == 0:
            resource["DependsOn"] = draw(st.lists(st.sampled_from(ids + ["Missing"]),
                                                  max_size=3))
        if draw(st.integers(0, 9)) == 0:
            resource["Condition"] = draw(st.sampled_from(["IsProd", "Missing"]))
        resources[rid] = resource
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if sam:
        template["Transform"] = "AWS::Serverless-2016-10-31"
        if draw(st.booleans()):
            template["Globals"] = {"Function": draw(st.dictionaries(
                st.sampled_from(CFN_PROPERTIES.get("AWS::Serverless::Function", ["Timeout"])),
                st.one_of(refs, HOSTILE), max_size=4))}
    if draw(st.booleans()):
        template["Parameters"] = {
            "Param": {"Type": draw(st.sampled_from(["String", "Number", "CommaDelimitedList",
                                                    "List<String>", 5])),
                      "Default": draw(st.one_of(refs, HOSTILE))}}
    if draw(st.booleans()):
        template["Conditions"] = {"IsProd": {"Fn::Equals": ["a", draw(HOSTILE)]}}
    if draw(st.booleans()):
        template["Mappings"] = {"M": {"K": draw(st.dictionaries(st.sampled_from(["A", "B"]),
                                                                HOSTILE, max_size=2))}}
    template["Resources"] = resources
    if draw(st.booleans()):
        return "template.json", to_json(template)
    return "template.yaml", to_yaml(template, short=draw(st.booleans()))


# --------------------------------------------------------------------------- Terraform

TF_REFS = ["var.x", "var.missing", "local.a", "local.b", "local.self", "module.m.out",
           "data.aws_iam_policy_document.d.json", "each.value", "each.key", "count.index",
           "self.arn", "path.module", "terraform.workspace", "aws_sqs_queue.q.arn",
           "aws_sqs_queue.q.visibility_timeout_seconds", "aws_lambda_function.f.arn",
           "aws_lambda_function.f.function_name", "aws_iam_role.r.arn", "aws_iam_role.r.name",
           "aws_lambda_function.f", "aws_sqs_queue.missing.arn", "aws_lambda_alias.a.arn",
           "module.lambda.lambda_function_arn"]
TF_FUNCTIONS = ["jsonencode", "jsondecode", "join", "format", "concat", "merge", "lookup",
                "length", "element", "replace", "split", "flatten", "tolist", "toset", "tomap",
                "try", "can", "coalesce", "min", "max", "upper", "lower", "zipmap", "range",
                "file", "templatefile", "cidrsubnet", "tonumber", "tostring", "distinct",
                "keys", "values", "contains", "one", "abs", "trimspace", "unknownfn"]

tf_atoms = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.sampled_from(["0", "1", "3", "10", "900", "901", "-5.5", "1e999", "0.5", "1" * 50]),
    st.sampled_from(["true", "false", "null"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126,
                                   blacklist_characters='"\\$%'),
            max_size=10).map(lambda s: f'"{s}"'),
    st.sampled_from(['"${aws_sqs_queue.q.arn}"', '"arn:aws:sqs:us-east-1:1:q"', '"${var.x}-x"',
                     '"%{if true}x%{endif}"', '"\\u00e9\\n"', '"$${literal}"',
                     '"arn:aws:lambda:us-east-1:123456789012:function:f"', '"*"',
                     '"sqs:ReceiveMessage"', '"SQS"', '"ReportBatchItemFailures"']),
    st.sampled_from(TF_REFS),
)

def _tf_compound(ch: st.SearchStrategy) -> st.SearchStrategy:
    """Expressions made of smaller ones."""
    return st.one_of(
        st.lists(ch, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", "Effect", "Action", "Resource", "\"k\""]), ch),
                 max_size=3).map(lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"),
        st.tuples(ch, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "&&", "||", "<"]),
                  ch).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(ch, ch, ch).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(st.sampled_from(["!", "-", "("]), ch).map(
            lambda t: f"{t[0]}{t[1]}" + (")" if t[0] == "(" else "")),
        st.tuples(st.sampled_from(TF_FUNCTIONS), st.lists(ch, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(ch, ch).map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
        st.tuples(ch, ch).map(lambda t: f"{{for k, v in {t[0]} : k => {t[1]}}}"),
        st.tuples(ch, ch).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(ch, st.sampled_from([".arn", "[*].id", ".name"])).map(lambda t: t[0] + t[1]),
    )


# Three levels built by hand (st.recursive re-derives labels of its nested one_of trees on
# every draw, which made generation a hundred times slower than linting).
_TF_LEVEL1 = st.one_of(tf_atoms, _tf_compound(tf_atoms))
_TF_LEVEL2 = st.one_of(tf_atoms, _tf_compound(_TF_LEVEL1))
tf_exprs = st.one_of(tf_atoms, _tf_compound(_TF_LEVEL1), _tf_compound(_TF_LEVEL2))

#: An attribute's value: an expression, now and then a heredoc holding one.
_TF_VALUES = st.one_of(tf_exprs, tf_exprs.map(lambda x: f"<<-EOT\n  {x}\n  EOT"))

TF_BLOCKS = ["destination_config", "on_failure", "scaling_config", "filter_criteria", "filter",
             "source_access_configuration", "dead_letter_config", "environment",
             "inline_policy", "statement", "lambda_function", "event_source", "dynamic"]


TF_NESTED_ATTRIBUTES = ("destination_arn", "type", "pattern", "uri", "target_arn",
                        "variables", "policy", "name", "for_each", "content")
_TF_NESTED = st.lists(st.sampled_from(TF_BLOCKS), max_size=2)


@functools.cache
def tf_body(attributes: tuple[str, ...], depth: int = 0) -> st.SearchStrategy:
    """Attributes and nested blocks of a block (strategies are made once: costly)."""
    names = st.lists(st.sampled_from(attributes or ("x",)), max_size=6, unique=True)

    @st.composite
    def body(draw: st.DrawFn) -> str:
        lines = [f"  {name} = {draw(_TF_VALUES)}" for name in draw(names)]
        if depth < 2:
            for name in draw(_TF_NESTED):
                inner = draw(tf_body(TF_NESTED_ATTRIBUTES, depth + 1))
                lines.append(f"  {name} {{\n{inner}\n  }}")
        return "\n".join(lines)

    return body()


@st.composite
def generated_terraform(draw: st.DrawFn) -> tuple[str, str]:
    """A Terraform module: resources of the types the fixtures use, generated values."""
    blocks = []
    # A function, a queue and a mapping between them (what the rules look at), each
    # with generated arguments; then resources of any type.
    fixed = [("aws_lambda_function", "f"), ("aws_sqs_queue", "q"),
             ("aws_lambda_event_source_mapping", "m")]
    for index in range(draw(st.integers(1, 6))):
        if index < len(fixed) and draw(st.integers(0, 3)):
            rtype, name = fixed[index]
        else:
            rtype = draw(st.sampled_from(TF_TYPES))
            name = draw(st.sampled_from(["q", "f", "r", "m", "a", f"x{index}"]))
        body = draw(tf_body(tuple(TF_ATTRIBUTES.get(rtype, ["name"]))))
        if rtype == "aws_lambda_event_source_mapping" and draw(st.integers(0, 3)):
            body = ("  function_name = aws_lambda_function.f.arn\n"
                    "  event_source_arn = aws_sqs_queue.q.arn\n" + body)
        blocks.append(f'resource "{rtype}" "{name}" {{\n{body}\n}}')
    if draw(st.booleans()):
        blocks.append("locals {\n" + "\n".join(
            f"  {n} = {draw(tf_exprs)}" for n in ("a", "b", "self")) + "\n}")
    if draw(st.booleans()):
        blocks.append(f'variable "x" {{\n  default = {draw(tf_exprs)}\n}}')
    if draw(st.booleans()):
        source = draw(st.sampled_from(["./", "./m", "../", "terraform-aws-modules/lambda/aws",
                                       "terraform-aws-modules/sqs/aws",
                                       "terraform-aws-modules/sns/aws",
                                       "terraform-aws-modules/eventbridge/aws",
                                       "terraform-aws-modules/dynamodb-table/aws"]))
        body = draw(tf_body(("function_name", "timeout", "event_source_mapping",
                             "allowed_triggers", "create_async_event_config",
                             "destination_on_failure", "attach_policies", "policies",
                             "number_of_policies", "attach_policy_statements",
                             "policy_statements", "create_dlq", "redrive_policy",
                             "subscriptions", "rules", "targets", "stream_enabled")))
        blocks.append(f'module "m" {{\n  source = "{source}"\n{body}\n}}')
    text = "\n\n".join(blocks) + "\n"
    return "main.tf", text


_ASSIGNMENT = re.compile(r"^(\s*[A-Za-z_][\w-]*\s*=\s*)(.+)$", re.M)


@st.composite
def mutated_terraform(draw: st.DrawFn) -> tuple[str, str]:
    """A real .tf file with attribute values replaced by generated expressions."""
    name, text = draw(st.sampled_from(TF_SEEDS or [("main.tf", "")]))
    matches = list(_ASSIGNMENT.finditer(text))
    if matches:
        chosen = draw(st.lists(st.integers(0, len(matches) - 1), max_size=5, unique=True))
        for index in sorted(chosen, reverse=True):
            match = matches[index]
            text = text[:match.start(2)] + draw(tf_exprs) + text[match.end(2):]
    return name, text


# --------------------------------------------------------------------------- text


@st.composite
def mutated_text(draw: st.DrawFn, source: st.SearchStrategy | None = None
                 ) -> tuple[str, str | bytes]:
    """A seed file (or a generated one) with characters and lines damaged."""
    name, text = draw(source if source is not None else st.sampled_from(TEXT_SEEDS))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "cut", "duplicate",
                                   "indent", "truncate"]))
        at = draw(st.integers(0, len(text)))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif op == "insert":
            text = text[:at] + draw(st.one_of(
                st.text(max_size=5),
                st.sampled_from(["{", "}", "[", "]", ":", "- ", "\t", "\n", '"', "'", "&a ",
                                 "*a", "!Ref ", "!!python/object:os.system ", "? ", "<<: ",
                                 "${", "%{", "<<EOF\n", "#", "//", "/*", "\\", "\x00",
                                 "\ufeff", "\r"]))) + text[at:]
        elif op == "replace" and text:
            at = min(at, len(text) - 1)
            text = text[:at] + draw(st.characters()) + text[at + 1:]
        elif op == "cut":
            lines = text.splitlines(keepends=True)
            if lines:
                index = draw(st.integers(0, len(lines) - 1))
                del lines[index]
                text = "".join(lines)
        elif op == "duplicate":
            lines = text.splitlines(keepends=True)
            if lines:
                index = draw(st.integers(0, len(lines) - 1))
                lines.insert(index, lines[index])
                text = "".join(lines)
        elif op == "indent":
            lines = text.splitlines(keepends=True)
            if lines:
                index = draw(st.integers(0, len(lines) - 1))
                lines[index] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[index]
                text = "".join(lines)
        elif op == "truncate":
            text = text[:at]
    encoding = draw(st.sampled_from(["str", "str", "str", "utf-8", "utf-8-sig", "utf-16",
                                     "latin-1"]))
    if encoding == "str":
        return name, text
    return name, text.encode(encoding, errors="replace")


# --------------------------------------------------------------------------- the tests

#: Every target: its name (for scripts/fuzz.py) and the inputs it draws.
TARGETS: dict[str, st.SearchStrategy] = {
    "mutated-templates": mutated_templates(),
    "generated-templates": generated_templates(),
    "generated-terraform": generated_terraform(),
    "mutated-terraform": mutated_terraform(),
    "mutated-text": mutated_text(),
    "mutated-generated-text": st.one_of(
        mutated_text(generated_templates()), mutated_text(generated_terraform())),
}


@FUZZ_SETTINGS
@given(case=TARGETS["mutated-templates"])
def test_mutated_templates_never_crash(case: tuple[str, str]) -> None:
    check_input(*case)


@FUZZ_SETTINGS
@given(case=TARGETS["generated-templates"])
def test_generated_templates_never_crash(case: tuple[str, str]) -> None:
    check_input(*case)


@FUZZ_SETTINGS
@given(case=TARGETS["generated-terraform"])
def test_generated_terraform_never_crashes(case: tuple[str, str]) -> None:
    check_input(*case)


@FUZZ_SETTINGS
@given(case=TARGETS["mutated-terraform"])
def test_mutated_terraform_never_crashes(case: tuple[str, str]) -> None:
    check_input(*case)


@FUZZ_SETTINGS
@given(case=TARGETS["mutated-text"])
def test_damaged_files_never_crash(case: tuple[str, str | bytes]) -> None:
    check_input(*case)


@FUZZ_SETTINGS
@given(case=TARGETS["mutated-generated-text"])
def test_damaged_generated_files_never_crash(case: tuple[str, str | bytes]) -> None:
    check_input(*case)


def test_seeds_cover_every_format() -> None:
    """The fuzzers start from every kind of file esmlint reads."""
    kinds = {kind for kind, _ in STRUCTURED_SEEDS}
    assert {"yaml", "json", "plan", "tfjson"} <= kinds
    assert TF_SEEDS
    assert "AWS::Serverless::Function" in CFN_PROPERTIES
    assert "aws_lambda_event_source_mapping" in TF_ATTRIBUTES


@pytest.mark.parametrize("mappings", [False, True])
@pytest.mark.parametrize("levels", [3, 9])
def test_alias_bomb_is_cheap(levels: int, mappings: bool) -> None:
    """9**9 values written with aliases: shared, never expanded, in every position."""
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {}}
    payload = bomb(levels, mappings)
    for index, rtype in enumerate(CFN_TYPES + ["AWS::Serverless::Function"]):
        props = {name: payload for name in CFN_PROPERTIES.get(rtype, [])}
        template["Resources"][f"R{index}"] = {"Type": rtype, "Properties": props,
                                              "Metadata": payload}
    template["Globals"] = {"Function": {name: payload for name in
                                        CFN_PROPERTIES.get("AWS::Serverless::Function", [])}}
    check_input("template.yaml", to_yaml(template))

"""What rule modules import: severities, the report helper and shared option reading.

A rule module is documentation plus a generator (see DESIGN.md):

    \"\"\"One-line summary.

    ## What it does ... ## Why is this bad? ... ## Example ... ## Fix ... ## References
    \"\"\"
    ID = "ESM101"
    NAME = "sqs-visibility-below-timeout"
    SEVERITY = Severity.ERROR
    PRECISION = "very-high"            # very-high, high, medium, low (SARIF precision)
    TAGS = ("correctness", "sqs")      # SARIF tags; "security" marks a security rule,
    # SECURITY_SEVERITY = "7.3"        # which also gives a score from 0.1 to 10
    OPTIONS = {}                       # option name -> default

    def check(model, options):
        yield report(loc, "message", resource=..., function=..., key=...)

The engine fills in the rule ID, name and default severity of every finding a rule yields.
Messages are written with CloudFormation's names (``BatchSize``, ``AWS::Lambda::Permission``);
on Terraform input the engine rewrites them through the glossary in :mod:`esmlint.terms`,
so a name a new message uses must be listed there (tests/test_terms.py checks).
"""

from __future__ import annotations

from typing import Any

from .findings import Finding, Severity
from .values import Loc, Sym, Token, Val, as_bool, provenance

__all__ = ["Severity", "report", "Finding", "option"]


def report(
    loc: Loc | None,
    message: str,
    *,
    resource: str = "",
    function: str = "",
    key: str = "",
    severity: Severity | None = None,
    fix: Any = None,
) -> Finding:
    """A finding at ``loc``; ``key`` is the stable part of the message for baselines.

    ``fix`` is the finding's automatic fix (an :class:`esmlint.fixes.Fix`), or, from a rule
    that fixes its findings, a string saying why this one has none.
    """
    finding = Finding(
        rule="",
        severity=severity if severity is not None else Severity.ERROR,
        path=loc.path if loc else "",
        line=loc.line if loc else 0,
        column=loc.column if loc else 0,
        message=message,
        resource=resource,
        function=function,
        key=key,
    )
    finding.extra["explicit_severity"] = severity is not None
    if isinstance(fix, str):
        finding.fix_note = fix
    elif fix is not None:
        finding.fix = fix
    return finding


def option(options: dict, fn_options: dict, rule_id: str, name: str, fallback):
    """A rule option: the function's own (template Metadata or tags) before the global one."""
    per_function = fn_options.get(rule_id, {}) if isinstance(fn_options, dict) else {}
    if isinstance(per_function, dict) and name in per_function:
        return per_function[name]
    if name in fn_options and not isinstance(fn_options.get(name), dict):
        return fn_options[name]
    return options.get(name, fallback)


def where(source) -> str:
    """The template resource a finding about a source belongs to.

    For a SAM event that is the function that declares it (the resources SAM generates
    do not exist in the template); otherwise the mapping, subscription or rule itself.
    """
    return source.origin or source.id


def seconds(value: int | float) -> str:
    return f"{value:g} s"


def described(val, unit: str = "") -> str:
    """A value for a message, saying when it is the AWS default rather than written, and
    where it was written when that is not on the resource (SAM ``Globals``, a Terraform
    variable's default): "Timeout 30 s (from Globals.Function.Timeout, line 5)"."""
    text = val.text() + (f" {unit}" if unit else "")
    if getattr(val, "is_default", False):
        return f"{text} (the default)"
    via = provenance(val)
    return f"{text} (from {via})" if via else text


def source_label(source) -> str:
    """How users know a source: "SQS event Jobs" for SAM, "mapping Mapping" otherwise."""
    event = source.extra.get("event") if isinstance(source.extra, dict) else None
    if source.sam_event and event:
        return f"{source.sam_event} event {event}"
    if isinstance(source.extra, dict) and source.extra.get("pipe"):
        return f"pipe {source.extra['pipe']}"
    return f"mapping {source.id}"


def fifo_queue(source) -> bool | None:
    """Whether an SQS source is a FIFO queue; None when the template does not tell.

    A queue in the template answers with its ``FifoQueue`` (or ``.fifo`` name); a queue
    known only by its ARN answers when the ARN's name part is literal (``….fifo``).
    """
    queue = source.resource
    if queue is not None:
        fifo = queue.get("fifo")
        return as_bool(fifo.value) if fifo.known else None
    arn = source.arn
    if not arn.known:
        return None
    value = arn.value
    if isinstance(value, Sym):  # a Fn::Sub'ed ARN: its literal tail ends the queue name
        value = value.parts[-1] if value.parts else None
    return value.endswith(".fifo") if isinstance(value, str) else None


def conditions(*labels: str) -> str:
    """The ``Fn::If`` labels of the branches a finding is about, for its message."""
    picked = [label for label in labels if label]
    return f" ({'; '.join(picked)})" if picked else ""


def principal_text(value: Val) -> str | None:
    """A Lambda permission's ``Principal`` as lower-case text, for comparing with service
    principals: ``${AWS::URLSuffix}`` reads as ``amazonaws.com`` and ``${AWS::Region}`` as
    ``<region>``. None when it is unknown, not a string, or holds any other token."""
    if not value.known or not isinstance(value.value, (str, Sym)):
        return None
    raw = value.value
    if isinstance(raw, Sym):
        parts = []
        for part in raw.parts:
            if isinstance(part, Token) and part.ref == "AWS::URLSuffix":
                parts.append("amazonaws.com")
            elif isinstance(part, Token) and part.ref == "AWS::Region":
                parts.append("<region>")
            elif isinstance(part, Token):
                return None
            else:
                parts.append(part)
        raw = "".join(parts)
    return raw.strip().lower()


def _sqs_readers(model) -> dict[int, list]:
    """Queue (by identity) -> its (function, SQS source) pairs, in the model's order:
    found once per model, since ESM101 and ESM102 ask for every finding (a scan of every
    source each time made a template of 5,000 queues take seconds)."""
    found = model.__dict__.get("_sqs_readers")
    if found is None:
        found = {}
        for fn, source in model.poll_sources(("sqs",)):
            found.setdefault(id(source.resource), []).append((fn, source))
        model.__dict__["_sqs_readers"] = found
    return found


def visibility_needed(model, queue, multiplier: float = 6) -> int | None:
    """The ``VisibilityTimeout`` every SQS mapping of the model that reads ``queue`` asks
    for: the largest ``multiplier`` × its function's ``Timeout`` (3 s when not set) + its
    batching window, rounded up. Mappings whose values cannot be read are left out; None
    when none can be read. ESM101 and ESM102 fix the queue to this value, so one edit
    serves every function reading it."""
    import math

    needs = []
    for fn, source in _sqs_readers(model).get(id(queue), ()):
        timeout = 3 if fn.timeout.absent else fn.timeout.int()
        window_val = source.setting("MaximumBatchingWindowInSeconds")
        window = 0 if window_val.absent else window_val.int()
        if timeout is None or window is None:
            continue
        needs.append(math.ceil(multiplier * timeout + window))
    return max(needs) if needs else None

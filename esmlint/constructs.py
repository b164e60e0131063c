"""Findings on CDK output named by construct path, the name the user wrote.

A CDK user writes ``new sqs.Queue(this, 'Orders')`` in ``OrdersStack`` and reads
``OrdersStack/Orders``; the template names the resource ``OrdersD1A2B3C4``, a hash of that
path. When the loader found construct paths (template ``Metadata`` ``aws:cdk:path`` or the
cloud assembly's manifest), the engine passes every finding through
:func:`name_by_construct`: the finding gets the construct paths of its resource and
function (a field of its own in JSON and SARIF, and the key of its identity in baselines),
hashed logical IDs in its message and stable key are replaced by their paths, and the place
in the user's code that created the construct, when the manifest recorded it, becomes a
related location.
"""

from __future__ import annotations

import re

from .findings import Finding
from .model import Model

#: A logical ID CDK generated: the path's parts run together plus an 8-digit hex hash. Only
#: those are replaced in messages; an unhashed ID (a construct at the top of a stack) is the
#: name the user wrote, and could also be a word of the message.
_HASHED_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*[0-9A-F]{8}\b")


def name_by_construct(finding: Finding, model: Model) -> None:
    """Fill ``finding``'s construct fields and rewrite its message (in place)."""
    paths = model.construct_paths
    finding.construct = paths.get(finding.resource, "")
    if finding.function and finding.function != finding.resource:
        finding.function_construct = paths.get(finding.function, "")
    elif finding.function:
        finding.function_construct = finding.construct
    def by_path(match: re.Match[str]) -> str:
        return paths.get(match.group(0), match.group(0))

    finding.message = _HASHED_ID.sub(by_path, finding.message)
    finding.key = _HASHED_ID.sub(by_path, finding.key)  # a baseline's key: stable too
    created = model.construct_created.get(finding.resource)
    if created is not None and not finding.related:
        path, line, column = created
        construct = finding.construct or finding.resource
        finding.related = [{"path": path, "line": line, "column": column,
                            "message": f"construct {construct} is created here"}]

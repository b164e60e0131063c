"""OpenAPI definitions of API Gateway APIs: which Lambda functions their routes invoke.

A REST or HTTP API is often defined by an OpenAPI document instead of method and
integration resources: ``DefinitionBody`` of ``AWS::Serverless::Api`` /
``AWS::Serverless::HttpApi``, ``Body`` of ``AWS::ApiGateway::RestApi`` /
``AWS::ApiGatewayV2::Api``, ``body`` of ``aws_api_gateway_rest_api`` /
``aws_apigatewayv2_api``. Each operation's ``x-amazon-apigateway-integration`` (and each
Lambda authorizer in ``securitySchemes`` / ``securityDefinitions``) then names the function
API Gateway calls, synchronously, with the function's resource-based policy unless the
integration names ``credentials``. Without reading the document those callers are
invisible, so ESM401 (no invoke permission) and ESM501 (the 29 s / 30 s integration
timeout) miss them.

This module is format-neutral: a front end passes the decoded document and a
:data:`Getter` that reads one key of one of its containers as a :class:`~esmlint.values.Val`
(CloudFormation's intrinsic resolver, or Terraform's plain values), and turns each
:class:`Integration` found into a source of its own model. Whatever cannot be read (an
``Fn::If`` around a path, a ``$ref`` outside the document, a value known only at deploy
time) is reported in :attr:`Definition.unreadable`, never guessed: the front end then marks
the API's invokers as not all linked, and the rules stay silent on what they cannot see.

References:
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-integrations.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model import ASYNC, SYNC
from ..values import MISSING, Loc, Sym, Token, Val, flatten_sym, known, unflatten_sym
from .yaml import DecodeError, decode, load_json

#: Reads ``container[key]`` as a Val located at ``loc`` (or at the key); unknown "not set"
#: when the key is absent.
Getter = Callable[[Any, Any, "Loc | None"], Val]

INTEGRATION = "x-amazon-apigateway-integration"
AUTHORIZER = "x-amazon-apigateway-authorizer"
#: OpenAPI operation keys -> the HTTP method of the route.
METHODS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
           "options": "OPTIONS", "head": "HEAD", "patch": "PATCH", "trace": "TRACE",
           "x-amazon-apigateway-any-method": "ANY"}
#: Integration types that may call a Lambda function (REST: ``aws`` / ``aws_proxy``).
LAMBDA_TYPES = ("aws", "aws_proxy")
#: Lambda authorizer types (``jwt`` and ``cognito_user_pools`` call no function).
AUTHORIZER_TYPES = ("token", "request")
INVOCATION_HEADER = "integration.request.header.x-amz-invocation-type"

_LAMBDA_PATH = re.compile(
    r"lambda:path/[0-9-]+/functions/(.+)/(?:response-streaming-)?invocations")


@dataclass
class Integration:
    """One route's Lambda integration, or one Lambda authorizer, as written."""

    #: ``GET /orders``, ``ANY $default``; ``authorizer Name`` for an authorizer.
    route: str
    loc: Loc | None
    uri: Val
    authorizer: bool = False
    credentials: Val = MISSING
    timeout_ms: Val = MISSING
    #: The ``X-Amz-Invocation-Type`` header the integration sends: "" when not set, the
    #: literal (``'Event'``) when set, "?" when mapped from the request or unreadable.
    invocation: str = ""
    streamed: bool = False

    @property
    def method(self) -> str:
        return "" if self.authorizer else self.route.split(" ", 1)[0]

    @property
    def mode(self) -> str:
        """Synchronous unless the integration sends ``X-Amz-Invocation-Type: 'Event'``."""
        return ASYNC if self.invocation == "'Event'" else SYNC

    def extra(self, api_type: str) -> dict:
        """The source ``extra`` the rules read for API Gateway callers (as for
        ``AWS::ApiGateway::Method`` and ``AWS::ApiGatewayV2::Integration``)."""
        if self.authorizer:
            return {"authorizer": True, "api_type": api_type,
                    "credentials": self.credentials, "route": self.route, "openapi": True}
        return {
            "api_type": api_type,
            "mode_unknown": self.invocation not in ("", "'Event'", "'RequestResponse'"),
            "streamed": self.streamed,
            "timeout_ms": self.timeout_ms,
            "credentials": self.credentials,
            "method": known(self.method, self.loc),
            "route": self.route,
            "openapi": True,
        }


@dataclass
class Definition:
    """What an OpenAPI document says about Lambda functions."""

    integrations: list[Integration] = field(default_factory=list)
    #: Why part of the document could not be read ("" when all of it was).
    unreadable: str = ""

    def note(self, reason: str) -> None:
        if not self.unreadable:
            self.unreadable = reason or "part of the OpenAPI definition cannot be read"


def read_definition(doc: Val, get: Getter, authorizers: bool = True) -> Definition:
    """Every Lambda integration (and, with ``authorizers``, every Lambda authorizer that a
    ``security`` requirement uses) of an OpenAPI 2 or 3 document."""
    result = Definition()
    if not doc.known or not isinstance(doc.value, dict):
        result.note(doc.reason if not doc.known else "the OpenAPI definition is not a mapping")
        return result
    root = doc.value
    used: set[str] = set()
    security_read = _security(root, get(root, "security", doc.loc), get, used)
    paths = get(root, "paths", doc.loc)
    if not paths.absent and not (paths.known and isinstance(paths.value, dict)):
        result.note(paths.reason or "paths is not a mapping")
    elif paths.known:
        for key in list(paths.value):
            if not isinstance(key, str):
                continue
            item = get(paths.value, key, paths.loc)
            if not (item.known and isinstance(item.value, dict)):
                result.note(item.reason or f"path {key} is not a mapping")
                continue
            for name in list(item.value):
                method = METHODS.get(str(name).lower())
                if method is None:
                    continue
                operation = get(item.value, name, item.loc)
                if not (operation.known and isinstance(operation.value, dict)):
                    result.note(operation.reason or f"{method} {key} is not a mapping")
                    continue
                security_read &= _security(root, get(operation.value, "security",
                                                     operation.loc), get, used)
                node = get(operation.value, INTEGRATION, operation.loc)
                if node.absent:
                    continue
                node = _follow(root, node, get, doc.loc)
                if not (node.known and isinstance(node.value, dict)):
                    result.note(node.reason or f"the integration of {method} {key} is not a "
                                               f"mapping")
                    continue
                found = _integration(node, get, f"{method} {key}")
                if found is not None:
                    result.integrations.append(found)
    if authorizers:
        if security_read:
            _authorizers(root, get, doc.loc, used, result)
        else:
            result.note("a security requirement cannot be read")
    return result


def _integration(node: Val, get: Getter, route: str) -> Integration | None:
    body, loc = node.value, node.loc
    itype = get(body, "type", loc)
    if itype.known and str(itype.value).lower() not in LAMBDA_TYPES:
        return None  # http, http_proxy, mock
    if not get(body, "integrationSubtype", loc).absent:
        return None  # an HTTP API integration with another AWS service
    uri = get(body, "uri", loc)
    if uri.absent:
        return None
    transfer = get(body, "responseTransferMode", loc)
    streamed = "response-streaming-invocations" in str(uri.value) or not (
        transfer.absent or transfer.known and str(transfer.value).upper() == "BUFFERED")
    return Integration(route, loc, uri, credentials=get(body, "credentials", loc),
                       timeout_ms=get(body, "timeoutInMillis", loc),
                       invocation=_invocation(get(body, "requestParameters", loc), get),
                       streamed=streamed)


def _invocation(params: Val, get: Getter) -> str:
    if params.absent:
        return ""
    if not (params.known and isinstance(params.value, dict)):
        return "?"
    for key in params.value:
        name = str(key).lower()
        if name == INVOCATION_HEADER:
            value = get(params.value, key, params.loc)
            return value.value if value.known and isinstance(value.value, str) else "?"
        if "x-amz-invocation-type" in name:
            return "?"  # an HTTP API's parameter mapping (overwrite:header....): not read
    return ""


def _security(root: Any, value: Val, get: Getter, used: set[str]) -> bool:
    """Adds the scheme names of a ``security`` requirement list to ``used``; False when
    the list cannot be read."""
    if value.absent:
        return True
    if not (value.known and isinstance(value.value, list)):
        return False
    for index in range(len(value.value)):
        item = get(value.value, index, value.loc)
        if not (item.known and isinstance(item.value, dict)):
            return False
        used.update(str(name) for name in item.value)
    return True


def _authorizers(root: Any, get: Getter, loc: Loc | None, used: set[str],
                 result: Definition) -> None:
    for holder in ("components.securitySchemes", "securityDefinitions"):
        schemes: Val = known(root, loc)
        for part in holder.split("."):
            schemes = get(schemes.value, part, schemes.loc) if schemes.known and isinstance(
                schemes.value, dict) else schemes
        if schemes.absent:
            continue
        if not (schemes.known and isinstance(schemes.value, dict)):
            result.note(schemes.reason or f"{holder} is not a mapping")
            continue
        for name in list(schemes.value):
            if str(name) not in used:
                continue  # defined but used by no route: never invoked
            scheme = get(schemes.value, name, schemes.loc)
            if not (scheme.known and isinstance(scheme.value, dict)):
                result.note(scheme.reason or f"security scheme {name} is not a mapping")
                continue
            node = get(scheme.value, AUTHORIZER, scheme.loc)
            if node.absent:
                continue
            if not (node.known and isinstance(node.value, dict)):
                result.note(node.reason or f"authorizer {name} is not a mapping")
                continue
            atype = get(node.value, "type", node.loc)
            if atype.known and str(atype.value).lower() not in AUTHORIZER_TYPES:
                continue
            uri = get(node.value, "authorizerUri", node.loc)
            if uri.absent:
                continue
            result.integrations.append(Integration(
                f"authorizer {name}", node.loc, uri, authorizer=True,
                credentials=get(node.value, "authorizerCredentials", node.loc)))


def _follow(root: Any, node: Val, get: Getter, loc: Loc | None) -> Val:
    """An integration given as ``{"$ref": "#/components/x-amazon-apigateway-integrations/
    name"}`` (HTTP APIs), looked up in the same document; other values as they are."""
    if not (node.known and isinstance(node.value, dict) and "$ref" in node.value):
        return node
    ref = get(node.value, "$ref", node.loc)
    if not (ref.known and isinstance(ref.value, str) and ref.value.startswith("#/")):
        return Val("unknown", None, node.loc, reason="a $ref outside the OpenAPI definition")
    current = known(root, loc)
    for raw in ref.value[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not (current.known and isinstance(current.value, dict)) or part not in \
                current.value:
            return Val("unknown", None, node.loc, reason=f"$ref {ref.value} not found")
        current = get(current.value, part, current.loc)
    return Val(current.state, current.value, node.loc, current.reason)


# --------------------------------------------------------------------------- URIs


def function_in_uri(value: Val) -> Val | None:
    """The function ARN inside a Lambda integration URI
    (``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations``),
    the value itself when it may be a function ARN given directly (HTTP APIs take both),
    None when the URI is certainly not a Lambda one (HTTP, another AWS service)."""
    if not value.known or not isinstance(value.value, (str, Sym)):
        return value
    text, tokens = flatten_sym(value.value)
    match = _LAMBDA_PATH.search(text)
    if match is None:
        if ":apigateway:" in text or text.startswith(("http://", "https://")):
            return None
        return value
    middle = unflatten_sym(match.group(1), tokens)
    literal = middle.literal()
    return known(literal if literal is not None else middle, value.loc)


# --------------------------------------------------------------------------- text


class NotADocument(ValueError):
    """Text that is neither JSON nor YAML (or not a mapping)."""


def parse_document(text: str | Sym) -> Any:
    """An OpenAPI document written as text (JSON or YAML), as plain containers; parts known
    only at deploy time (Terraform interpolations) stay :class:`Sym` values inside the
    strings they were written in. Raises :class:`NotADocument`."""
    placeholders: dict[str, Token] = {}
    if isinstance(text, Sym):
        pieces = []
        for part in text.parts:
            if isinstance(part, Token):
                key = f"{_MARK}{len(placeholders)}{_MARK}"
                placeholders[key] = part
                pieces.append(key)
            else:
                pieces.append(part)
        source = "".join(pieces)
    else:
        source = text
    try:
        data = load_json(source)
    except ValueError:
        try:
            data = decode(source)
        except (DecodeError, RecursionError):
            raise NotADocument("neither JSON nor YAML") from None
    if not isinstance(data, dict):
        raise NotADocument("not a mapping")
    return _restore(data, placeholders) if placeholders else data


#: Stands for a deploy-time part while the text is parsed: a private-use character, valid
#: in JSON strings and YAML scalars alike.
_MARK = "\ue000"
_PLACEHOLDER = re.compile(_MARK + r"\d+" + _MARK)
_MAX_COPIED = 1_000_000


def _restore(data: Any, placeholders: dict[str, Token]) -> Any:
    def text(value: str) -> Any:
        if _MARK not in value:
            return value
        parts: list[Any] = []
        last = 0
        for match in _PLACEHOLDER.finditer(value):
            parts.append(value[last:match.start()])
            parts.append(placeholders.get(match.group(0), match.group(0)))
            last = match.end()
        parts.append(value[last:])
        return Sym.of(*parts)

    # Iterative, so that a deeply nested document cannot exhaust the stack; bounded, since
    # YAML aliases share containers that this copies each time they appear.
    out: Any = {}
    stack: list[tuple[Any, Any]] = [(data, out)]
    copied = 0
    while stack:
        source, target = stack.pop()
        copied += len(source)
        if copied > _MAX_COPIED:
            raise NotADocument(f"more than {_MAX_COPIED:,} values")
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if isinstance(value, (dict, list)):
                copy: Any = {} if isinstance(value, dict) else [None] * len(value)
                stack.append((value, copy))
                new = copy
            else:
                new = text(value) if isinstance(value, str) else value
            if isinstance(target, dict):
                target[text(key) if isinstance(key, str) else key] = new
            else:
                target[key] = new
    return out

"""The function may run longer than its synchronous caller waits.

## What it does
Compares the function's `Timeout` (default 3 s, SAM `Globals` applied) with how long its
synchronous callers in the template wait for an answer:

| caller | waits |
|---|---|
| API Gateway REST API integration (`AWS::ApiGateway::Method`, SAM `Api` event) | `TimeoutInMillis`, default 29 s |
| API Gateway HTTP API integration (`AWS::ApiGatewayV2::Integration`, SAM `HttpApi` event) | `TimeoutInMillis`, default and maximum 30 s |
| API Gateway WebSocket API integration | `TimeoutInMillis`, default 29 s |
| Cognito user pool trigger (`LambdaConfig`, SAM `Cognito` event) | 5 s |
| a route of an API's OpenAPI definition (`x-amazon-apigateway-integration` in `DefinitionBody` / `Body` / Terraform `body`) | its `timeoutInMillis`, else the REST or HTTP API default above |
| Lambda@Edge viewer-request / viewer-response association (`AWS::CloudFront::Distribution`, `aws_cloudfront_distribution`) | 5 s |
| Lambda@Edge origin-request / origin-response association | 30 s |

A raised REST integration timeout (Regional and private APIs, by quota increase) is
taken into account; HTTP APIs cannot wait longer than 30 s. Lambda authorizers and
Cognito's custom sender triggers are not checked. A SAM `Api` / `HttpApi` event on an API
whose OpenAPI definition the template gives (`DefinitionBody`, `DefinitionUri`) adds no
route unless the API sets `MergeDefinitions`: SAM only creates its permission, and the
definition's own integration for the function is the caller that is checked. The Lambda@Edge
limits are CloudFront's quotas on the function timeout per event type: they cannot be
raised. Equality passes. One finding per function and caller.

## Why is this bad?
The caller gives up first: API Gateway answers *504 Endpoint request timed out* and
Cognito fails the sign-up or sign-in, while the function runs on, is billed, and may
still change data after the client was told the request failed; clients that retry then
run it twice.

## Example
```yaml
Report:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 60
    Events:
      Get: {Type: Api, Properties: {Path: /report, Method: get}}
```

## Fix
Lower `Timeout` to what the caller waits (a little below, so the function can answer
with an error of its own), or move the long work out of the request path: return
*202 Accepted* and hand the work to a queue or an asynchronous invocation. For a
Regional REST API whose quota was raised, set the integration's `TimeoutInMillis`.

## References
- https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
- https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge
- https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
- https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections D.

from esmlint.rule import Severity, described, report, where
from esmlint.values import Val

ID = "ESM501"
NAME = "timeout-exceeds-caller-limit"
SEVERITY = Severity.WARNING
PRECISION = "medium"
TAGS = ("reliability", "timeouts")

#: API kind -> (label, default integration timeout in ms).
APIS = {
    "api": ("API Gateway REST API", 29000),
    "httpapi": ("API Gateway HTTP API", 30000),
    "websocket": ("API Gateway WebSocket API", 29000),
}
COGNITO_MS = 5000
#: Lambda@Edge event type -> the function timeout CloudFront allows (ms), a quota that
#: cannot be raised (CloudFront Developer Guide, "Quotas on Lambda@Edge").
EDGE_MS = {"viewer-request": 5000, "viewer-response": 5000,
           "origin-request": 30000, "origin-response": 30000}
#: Cognito triggers not bound by the 5 s answer (they deliver messages, asynchronously).
COGNITO_SENDERS = ("CustomSMSSender", "CustomEmailSender")


def caller_limit(source) -> tuple[int, str, str] | None:
    """(milliseconds the caller waits, caller, why that limit) or None when unknown."""
    if source.kind == "cognito":
        trigger = source.extra.get("trigger")
        names = [trigger] if isinstance(trigger, str) else []
        if isinstance(trigger, Val):
            if not trigger.known:
                return None
            names = trigger.value if isinstance(trigger.value, list) else [trigger.value]
        if any(not isinstance(n, str) or n in COGNITO_SENDERS for n in names):
            return None
        user_pool = source.invoker or source.id
        return COGNITO_MS, f"Cognito user pool {user_pool}", "Cognito waits 5 s for a trigger"
    if source.kind == "cloudfront":
        event = source.extra.get("event_type")
        if not (isinstance(event, Val) and event.known and isinstance(event.value, str)):
            return None
        limit = EDGE_MS.get(event.value.lower())
        if limit is None:
            return None
        which = "viewer" if event.value.lower().startswith("viewer") else "origin"
        return (limit, f"CloudFront distribution {source.invoker}",
                f"the Lambda@Edge function timeout quota for {which} events")
    if source.kind not in APIS or source.extra.get("authorizer") or source.mode != "sync" \
            or source.extra.get("streamed") or source.extra.get("mode_unknown"):
        return None  # authorizers, asynchronous and streamed integrations wait otherwise
    label, default_ms = APIS[source.kind]
    if source.extra.get("api_type") == "unknown":
        label, default_ms = "API Gateway API", 30000
    api = source.invoker or source.id
    if source.sam_event and source.invoker == source.id:
        api = "ServerlessRestApi" if source.kind == "api" else "ServerlessHttpApi"
    caller = f"{label} {api}"
    timeout = source.extra.get("timeout_ms")
    if isinstance(timeout, Val) and not timeout.absent:
        value = timeout.int()
        if value is None:
            return None
        if source.extra.get("openapi"):
            return value, caller, f"the timeoutInMillis of its OpenAPI integration is {value}"
        return value, caller, f"its integration TimeoutInMillis is {value}"
    return default_ms, caller, "the default integration timeout"


def check(model, options):
    for fn in model.functions:
        timeout = fn.timeout.int()
        if timeout is None:
            continue
        seen: dict[tuple, list] = {}
        for source in fn.sources:
            limit = caller_limit(source)
            if limit is None or timeout * 1000 <= limit[0]:
                continue
            seen.setdefault((limit[1], limit[0]), []).append((source, limit))
        for (caller, ms), items in seen.items():
            source, (_, _, why) = items[0]
            routes = f" ({len(items)} integrations)" if len(items) > 1 else ""
            if source.kind == "cloudfront":
                events = sorted({str(s.extra["event_type"].value) for s, _ in items})
                routes = (f" ({' and '.join(events)} Lambda@Edge association"
                          f"{'s' if len(items) > 1 else ''})")
            wait = f"{ms / 1000:g} s"
            these = "these events" if len(items) > 1 else "this event"
            effect = (f"CloudFront does not wait longer for {these}, so the request fails "
                      f"when the function needs the time (and CloudFront may refuse the "
                      f"association)" if source.kind == "cloudfront"
                      else "the caller gives up while the function runs on")
            yield report(
                source.loc,
                f"function {fn.id} has Timeout {described(fn.timeout, 's')} but {caller}"
                f"{routes} waits at most {wait} ({why}): {effect}. Lower the function "
                f"Timeout to at most {ms // 1000} s or move the long work out of the request.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{caller}",
            )

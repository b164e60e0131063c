"""A push source invokes the function but no Lambda permission lets its service do so.

## What it does
For every S3 notification, SNS subscription, EventBridge rule target, API Gateway
integration or Lambda authorizer (REST, HTTP and WebSocket APIs), CloudWatch Logs
subscription filter, IoT rule, Cognito user pool trigger, SES receipt rule, CodeCommit
trigger, AWS Config custom rule and ALB target group in the template that invokes a
function, looks for an `AWS::Lambda::Permission` that grants the service principal
(`s3.amazonaws.com`, `sns.amazonaws.com`, `events.amazonaws.com`,
`apigateway.amazonaws.com`...) `lambda:InvokeFunction` on that function and qualifier
(alias or version), for that source: a `SourceArn` naming another bucket, topic, rule or
API does not count; wildcards in `SourceArn` do.

API Gateway integrations include the routes of an API's OpenAPI definition
(`DefinitionBody` / `Body` of `AWS::Serverless::Api`, `AWS::Serverless::HttpApi`,
`AWS::ApiGateway::RestApi` and `AWS::ApiGatewayV2::Api`; `body` of
`aws_api_gateway_rest_api` and `aws_apigatewayv2_api`): each
`x-amazon-apigateway-integration` whose `uri` names a function, and each Lambda
authorizer (`x-amazon-apigateway-authorizer` with an `authorizerUri`) that a route's
`security` uses. SAM creates permissions only for the functions' own `Api` / `HttpApi`
events: a function that the definition names but whose events do not is reported. A
permission SAM creates for an event on the same API counts for every route of that API.
A definition esmlint cannot read (`DefinitionUri`, `BodyS3Location`, `Fn::Transform`, a
Terraform `file()` of a missing file) and a URI built from values it cannot resolve give
no finding.

It never fires for a SAM event (SAM creates the permission itself), for an API Gateway
integration that invokes with an IAM role (`Credentials` / `CredentialsArn`), or where
it cannot see: a permission whose function, principal, action or `SourceArn` cannot be
resolved is taken to match. Nor does it fire for a function the template does not
define (named by a literal ARN, a parameter, an import, a module output): its
permissions are granted where it is defined.

## Why is this bad?
Push sources call Lambda with the function's resource-based policy, not with a role.
Without the permission, S3 refuses the notification configuration and the deploy fails
(*"Unable to validate the following destination configurations"*); CloudWatch Logs refuses
the subscription filter; SNS, EventBridge, IoT and Cognito accept the wiring and then fail
every invocation; API Gateway answers *500 Invalid permissions on Lambda function*. A
permission on the unqualified function does not cover an alias, and the other way round.

## Example
```yaml
Rule:
  Type: AWS::Events::Rule
  Properties:
    ScheduleExpression: rate(5 minutes)
    Targets:
      - Id: worker
        Arn: !GetAtt Worker.Arn       # no AWS::Lambda::Permission for events.amazonaws.com
```

## Fix
Add a permission for the service, scoped to the source:
```yaml
WorkerInvokeFromRule:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !GetAtt Worker.Arn
    Action: lambda:InvokeFunction
    Principal: events.amazonaws.com
    SourceArn: !GetAtt Rule.Arn
```
When the source targets an alias or version, grant on that same qualified ARN.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html
- https://repost.aws/knowledge-center/unable-validate-destination-s3
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections C.

from __future__ import annotations

from esmlint.iam import Tri, match_arn
from esmlint.model import Model, Permission, Source
from esmlint.rule import Severity, principal_text, report, where
from esmlint.values import ACCOUNT_ID as A
from esmlint.values import PARTITION as P
from esmlint.values import REGION as R
from esmlint.values import Sym, Token, Val

ID = "ESM401"
NAME = "missing-invoke-permission"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "permissions")

#: Source kind -> the service principal that invokes the function (spec C).
PRINCIPALS = {
    "s3": "s3.amazonaws.com",
    "sns": "sns.amazonaws.com",
    "eventbridge": "events.amazonaws.com",
    "schedule": "events.amazonaws.com",
    "logs": "logs.amazonaws.com",
    "iot": "iot.amazonaws.com",
    "cognito": "cognito-idp.amazonaws.com",
    "api": "apigateway.amazonaws.com",
    "httpapi": "apigateway.amazonaws.com",
    "websocket": "apigateway.amazonaws.com",
    "alb": "elasticloadbalancing.amazonaws.com",
    "ses": "ses.amazonaws.com",
    "codecommit": "codecommit.amazonaws.com",
    "config": "config.amazonaws.com",
}

#: Source kind -> what the invoking resource is called in messages.
LABELS = {
    "s3": "S3 bucket", "sns": "SNS topic", "eventbridge": "EventBridge rule",
    "schedule": "schedule", "logs": "CloudWatch Logs subscription filter",
    "iot": "IoT rule", "cognito": "Cognito user pool", "api": "API Gateway REST API",
    "httpapi": "API Gateway HTTP API", "websocket": "API Gateway WebSocket API",
    "alb": "target group", "ses": "SES receipt rule", "codecommit": "CodeCommit repository",
    "config": "Config rule",
}


# --------------------------------------------------------------------------- matching
# ESM401, ESM404 and ESM405 share these: a permission matches a use when every part of
# it can grant that use. Each test is three-valued; rules act on NO alone.


def qualifier_of(perm: Permission) -> str:
    """The permission's qualifier as find_function spells it: "" for none, "?" unknown."""
    value = perm.qualifier
    if value.known:
        return str(value.value or "")
    return "" if value.absent else "?"


def same_qualifier(a: str, b: str) -> Tri:
    a, b = ("" if a == "$LATEST" else a), ("" if b == "$LATEST" else b)
    if a in ("?", "version") or b in ("?", "version"):
        return Tri.UNKNOWN
    return Tri.YES if a == b else Tri.NO


def principal_tri(value: Val, service: str) -> Tri:
    """Does a permission's ``Principal`` name ``service`` (or everyone)?"""
    text = principal_text(value)
    if text is None:
        return Tri.UNKNOWN
    text = text.removesuffix(".cn")
    if text == "*" or text == service:
        return Tri.YES
    name = service.split(".", 1)[0]
    if name == "logs" and text.startswith("logs.") and text.endswith(".amazonaws.com"):
        return Tri.YES  # logs.<region>.amazonaws.com
    return Tri.NO


def action_tri(value: Val, action: str = "lambda:invokefunction") -> Tri:
    if value.absent:
        return Tri.NO
    if not value.known or not isinstance(value.value, str):
        return Tri.UNKNOWN
    text = value.value.strip().lower()
    return Tri.YES if text in (action, "lambda:*", "*") else Tri.NO


def invoker_subject(model: Model, source: Source) -> tuple[set[str], Sym | str | None]:
    """The resources a SourceArn may name for this source, and the source ARN the service
    presents when invoking (None when it cannot be spelled)."""
    ids = {source.invoker, source.id}
    res = model.resources.get(source.invoker)
    arn: Sym | str | None = res.arn if res is not None else None
    if source.kind == "logs":
        group = source.extra.get("log_group")
        if isinstance(group, Val) and group.known and isinstance(group.value, Sym):
            tokens = [t for t in group.value.tokens if t.kind == "attr"]
            if len(group.value.parts) == 1 and tokens:
                ids.add(tokens[0].ref)
                target = model.resources.get(tokens[0].ref)
                arn = target.arn if target is not None else None
            else:
                arn = Sym.of("arn:", P, ":logs:", R, ":", A, ":log-group:", group.value, ":*")
        elif isinstance(group, Val) and group.known and isinstance(group.value, str):
            arn = Sym.of("arn:", P, ":logs:", R, ":", A, ":log-group:", group.value, ":*")
        else:
            arn = None
    elif arn is None and source.invoker in model.resources:
        arn = Sym.of(Token("attr", source.invoker, "Arn"))
    return ids, arn


def source_arn_tri(model: Model, value: Val, ids: set[str], subject: Sym | str | None) -> Tri:
    """Does a permission's ``SourceArn`` (StringLike) cover the invoking resource?"""
    if value.absent:
        return Tri.YES
    if not value.known or not isinstance(value.value, (str, Sym)):
        return Tri.UNKNOWN
    pattern = value.value
    if isinstance(pattern, Sym):
        named = {t.ref for t in pattern.tokens if t.kind == "attr"}
        if named & ids:
            return Tri.YES
        if named and all(_same_type(model, ref, ids) for ref in named):
            return Tri.NO  # names other buckets, topics, rules, APIs... of the template
    if subject is None:
        return Tri.UNKNOWN
    return match_arn(pattern, subject)


#: The resource SAM generates for a push event, by source kind (spec F.1).
SAM_GENERATED = {"eventbridge": "AWS::Events::Rule", "schedule": "AWS::Events::Rule",
                 "iot": "AWS::IoT::TopicRule"}


def _type(model: Model, rid: str) -> str:
    """The resource type of a template resource, or of the resource a SAM event generates."""
    res = model.resources.get(rid)
    if res is not None:
        return res.type
    if rid in model.origins:
        for _, source in model.sources():
            if source.id == rid and source.sam_event:
                return SAM_GENERATED.get(source.kind, f"generated by {source.origin}")
    return ""


def _same_type(model: Model, ref: str, ids: set[str]) -> bool:
    """Whether ``ref`` is another resource of the kind that invokes (another bucket...)."""
    kind = _type(model, ref)
    return bool(kind) and model.function(ref) is None and any(
        _type(model, rid) == kind for rid in ids)


def grants(model: Model, perm: Permission, source: Source, principal: str) -> Tri:
    """Whether ``perm`` lets ``principal`` invoke the source's function for that source."""
    tri = principal_tri(perm.principal, principal)
    if tri is Tri.NO:
        return Tri.NO
    results = [tri]
    if perm.resolved is None:
        results.append(Tri.UNKNOWN)
    elif perm.resolved is not source.function:
        return Tri.NO
    else:
        results.append(same_qualifier(qualifier_of(perm), source.qualifier))
    results.append(action_tri(perm.action))
    if not perm.url_auth_type.absent or (perm.invoked_via_url.known
                                         and perm.invoked_via_url.value in (True, "true")):
        results.append(Tri.NO)  # scoped to Function URL invocations
    ids, subject = invoker_subject(model, source)
    results.append(source_arn_tri(model, perm.source_arn, ids, subject))
    if Tri.NO in results:
        return Tri.NO
    return Tri.UNKNOWN if Tri.UNKNOWN in results else Tri.YES


def matching(model: Model, source: Source, principal: str
             ) -> tuple[list[Permission], list[Permission]]:
    """(permissions that certainly grant, permissions that may grant) for a source."""
    sure: list[Permission] = []
    maybe: list[Permission] = []
    for perm in model.permissions:
        tri = grants(model, perm, source, principal)
        if tri is Tri.YES:
            sure.append(perm)
        elif tri is Tri.UNKNOWN:
            maybe.append(perm)
    return sure, maybe


def checked(source: Source) -> str:
    """The principal to check for a source, "" when ESM401/ESM404 do not apply to it."""
    principal = PRINCIPALS.get(source.kind, "")
    if not principal or source.sam_event:
        return ""  # SAM creates the permission of its events itself
    credentials = source.extra.get("credentials")
    if isinstance(credentials, Val) and not credentials.absent:
        return ""  # API Gateway invokes with that role instead
    return principal


#: What happens without the permission, per source kind (spec C).
EFFECTS = {
    "s3": "S3 rejects the notification configuration and the deploy fails ('Unable to "
          "validate the following destination configurations')",
    "logs": "CloudWatch Logs rejects the subscription filter and the deploy fails",
    "alb": "the function cannot be registered as a target and the deploy fails",
    "api": "API Gateway answers 500 'Invalid permissions on Lambda function'",
    "httpapi": "API Gateway answers 500 'Invalid permissions on Lambda function'",
    "websocket": "API Gateway answers with an internal server error",
    "ses": "SES refuses the receipt rule",
}


def function_label(source: Source) -> str:
    fn = source.function
    if source.qualifier and source.qualifier not in ("?", "version"):
        return f"{fn.id} (qualifier {source.qualifier})"
    return fn.id


def invoker_label(source: Source) -> str:
    label = LABELS.get(source.kind, source.kind)
    route = source.extra.get("route") if source.extra.get("openapi") else None
    if isinstance(route, str):  # a route or authorizer of an API's OpenAPI definition
        if source.extra.get("authorizer"):
            return (f"Lambda {route} of {label.removeprefix('API Gateway ')} "
                    f"{source.invoker} (in its OpenAPI definition)")
        return f"{label} {source.invoker} (route {route} of its OpenAPI definition)"
    if source.extra.get("authorizer"):
        label = f"Lambda authorizer {source.id} of {label.removeprefix('API Gateway ')}"
        return f"{label} {source.invoker}" if source.invoker != source.id else label
    name = source.invoker or source.id
    if source.id != name:
        return f"{label} {name} ({source.id})"
    return f"{label} {name}"


def check(model, options):
    for fn, source in model.sources():
        if fn.external:
            continue  # the function's permissions are granted where it is defined
        principal = checked(source)
        if not principal:
            continue
        sure, maybe = matching(model, source, principal)
        if sure or maybe:
            continue
        target = function_label(source)
        others = [p.id for p in model.permissions if p.resolved is fn]
        seen = (f" (its permissions {', '.join(sorted(others))} grant other principals or "
                f"sources)" if others else "")
        scope = "the function" if not source.qualifier else "that qualified ARN"
        yield report(
            source.loc,
            f"{invoker_label(source)} invokes function {target}, but no "
            f"AWS::Lambda::Permission grants {principal} lambda:InvokeFunction on {scope} "
            f"for this source{seen}: "
            f"{EFFECTS.get(source.kind, 'every invocation is refused')}. Add a permission with "
            f"Principal {principal}, FunctionName {target} and SourceArn of "
            f"{source.invoker or source.id}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.kind}:{source.invoker or source.id}",
        )

"""A Function URL is public, or lacks the permissions that make it callable.

## What it does
For every Function URL (`AWS::Lambda::Url`, SAM `FunctionUrlConfig`):

- **error**: `AuthType: NONE` and the function's resource-based policy lacks one of the
  two statements a public URL needs: `lambda:InvokeFunctionUrl` for Principal `*`
  (with `FunctionUrlAuthType: NONE`) and `lambda:InvokeFunction` for Principal `*`
  (with `InvokedViaFunctionUrl: true`), on the URL's function and qualifier;
- **warning**: otherwise, `AuthType: NONE`: the function is a public HTTPS endpoint.

SAM writes both statements itself for `FunctionUrlConfig` with `AuthType: NONE`, so SAM
functions only get the warning. A permission esmlint cannot resolve counts as present,
and a function the template does not define is not checked.

## Why is this bad?
`AuthType: NONE` bypasses IAM: anyone on the internet can call the function, as often
as they like, at your cost; only the function's own code decides who gets in. That is
sometimes the intent (webhooks, public APIs) but often a leftover from testing.
CloudFormation does not add the resource-based policy of a public URL: without both
statements every request gets *403 Forbidden*.

## Example
```yaml
WebhookUrl:
  Type: AWS::Lambda::Url
  Properties:
    TargetFunctionArn: !GetAtt Webhook.Arn
    AuthType: NONE
```

## Fix
Use `AuthType: AWS_IAM` and sign requests (or put CloudFront with origin access control
in front). If the URL is meant to be public, add both permissions:
```yaml
UrlPublicInvoke:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !Ref Webhook
    Action: lambda:InvokeFunctionUrl
    Principal: "*"
    FunctionUrlAuthType: NONE
UrlPublicInvokeFunction:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !Ref Webhook
    Action: lambda:InvokeFunction
    Principal: "*"
    InvokedViaFunctionUrl: true
```
and set the option `allow-public: true` for that function (template or resource
`Metadata`, see Options) to accept the public endpoint.

## Options
- `allow-public` (default `false`): do not report `AuthType: NONE` by itself; a missing
  permission is still reported. Set it globally, or for one URL in the `Metadata` of its
  function or of its `AWS::Lambda::Url` (`esmlint: {ESM405: {allow-public: true}}`).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
- https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections C, D.

from esmlint.iam import Tri
from esmlint.rule import Severity, option, report, where
from esmlint.rules.esm401_missing_invoke_permission import (
    action_tri,
    qualifier_of,
    same_qualifier,
)

ID = "ESM405"
NAME = "public-function-url"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("security", "permissions", "function-url")
#: SARIF security-severity (0-10, as CVSS), high: AuthType NONE makes the function callable by anyone on the internet.
SECURITY_SEVERITY = "7.3"
OPTIONS = {"allow-public": False}


def _star(value) -> Tri:
    if not value.known or not isinstance(value.value, str):
        return Tri.UNKNOWN
    return Tri.YES if value.value.strip() == "*" else Tri.NO


def _flag(value, wanted: str) -> Tri:
    """A permission condition that must be ``wanted`` or absent."""
    if value.absent:
        return Tri.YES
    if not value.known:
        return Tri.UNKNOWN
    return Tri.YES if str(value.value).strip().lower() == wanted else Tri.NO


def statement(model, source, action: str) -> Tri:
    """Whether some permission grants ``action`` to everyone for this URL."""
    best = Tri.NO
    for perm in model.permissions:
        parts = [_star(perm.principal), action_tri(perm.action, action)]
        if perm.resolved is None:
            parts.append(Tri.UNKNOWN)
        elif perm.resolved is not source.function:
            continue
        else:
            parts.append(same_qualifier(qualifier_of(perm), source.qualifier))
        if action == "lambda:invokefunctionurl":
            parts.append(_flag(perm.url_auth_type, "none"))
        else:
            parts.append(_flag(perm.invoked_via_url, "true"))
        if Tri.NO in parts:
            continue
        if Tri.UNKNOWN in parts:
            best = Tri.UNKNOWN
        else:
            return Tri.YES
    return best


def check(model, options):
    for fn, source in model.sources(kinds=("url",)):
        if fn.external:
            continue
        auth = source.extra.get("auth_type")
        if auth is None or not auth.known or str(auth.value).upper() != "NONE":
            continue
        name = where(source)
        url = "FunctionUrlConfig" if source.origin else f"Function URL {source.id}"
        missing = []
        if not source.extra.get("sam"):
            if statement(model, source, "lambda:invokefunctionurl") is Tri.NO:
                missing.append("lambda:InvokeFunctionUrl (Principal '*', "
                               "FunctionUrlAuthType NONE)")
            if statement(model, source, "lambda:invokefunction") is Tri.NO:
                missing.append("lambda:InvokeFunction (Principal '*', "
                               "InvokedViaFunctionUrl true)")
        target = fn.id
        if source.qualifier and source.qualifier not in ("?", "version"):
            target = f"{fn.id} (qualifier {source.qualifier})"
        resource_type = "AWS::Lambda::Permission" if model.format in (
            "cloudformation", "sam") else "aws_lambda_permission"
        if missing:
            yield report(
                auth.loc or source.loc,
                f"{url} of function {target} has AuthType NONE but no permission grants "
                f"{' nor '.join(missing)} on it: every request is refused with 403 Forbidden. "
                f"Add the missing {resource_type}, or use AuthType AWS_IAM.",
                resource=name,
                function=fn.id,
                key=f"{fn.id}:{source.id}:permission",
                severity=Severity.ERROR,
            )
            continue
        own = {**fn.options, **model.metadata.get(source.id, {})}
        if option(options, own, ID, "allow-public", False) in (True, "true", "True"):
            continue
        yield report(
            auth.loc or source.loc,
            f"{url} of function {fn.id} has AuthType NONE: anyone on the internet can "
            f"invoke the function and only its code decides who gets in. Use AuthType "
            f"AWS_IAM, or set the ESM405 option allow-public for this function if the "
            f"public endpoint is intended.",
            resource=name,
            function=fn.id,
            key=f"{fn.id}:{source.id}:public",
        )

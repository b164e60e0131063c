"""A Lambda@Edge association names the function, `$LATEST` or an alias, not a version.

## What it does
For every Lambda@Edge association of a CloudFront distribution
(`LambdaFunctionAssociations` of `AWS::CloudFront::Distribution`'s default and other
cache behaviors; `lambda_function_association` blocks of `aws_cloudfront_distribution`),
checks that `LambdaFunctionARN` / `lambda_arn` is the ARN of a numbered version of the
function: an `AWS::Lambda::Version` (`!Ref`), SAM's `!Ref Function.Version` with
`AutoPublishAlias`, a function ARN followed by a version number, or in Terraform the
`qualified_arn` of a function with `publish = true`. It reports the unqualified function
ARN (`!GetAtt Function.Arn`, `aws_lambda_function.x.arn`), `$LATEST` (also Terraform's
`qualified_arn` when `publish` is false, the provider default) and aliases.

It says nothing when the ARN cannot be read (a parameter without default, an import, a
version number known only at deploy time, `publish` that cannot be evaluated).

## Why is this bad?
CloudFront replicates the function to its edge locations and runs exactly the code of one
published version. It accepts only the ARN of a numbered version: with the unqualified
ARN, `$LATEST` or an alias, CloudFront rejects the distribution's configuration and the
deploy fails.

## Example
```yaml
Cdn:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      DefaultCacheBehavior:
        LambdaFunctionAssociations:
          - EventType: viewer-request
            LambdaFunctionARN: !GetAtt Rewrite.Arn     # the function, not a version
```

## Fix
Publish a version and name it: `LambdaFunctionARN: !Ref RewriteVersion` (an
`AWS::Lambda::Version` of the function), `!Ref Rewrite.Version` for a SAM function with
`AutoPublishAlias`, or in Terraform `publish = true` on the function and
`lambda_arn = aws_lambda_function.rewrite.qualified_arn`.

## References
- https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_LambdaFunctionAssociation.html
- https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-distribution-lambdafunctionassociation.html
"""

# Not in the catalogue (RULES.md) yet: the next free ID of the synchronous-invocation group.

from esmlint.rule import Severity, report, where
from esmlint.values import Sym, Val

ID = "ESM504"
NAME = "lambda-edge-not-a-version"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "lambda-edge")


def _literal_qualifier(value: Val) -> str | None:
    """The qualifier of a literal function ARN (pseudo parameters allowed): "" for none,
    None when the text is not a readable function ARN."""
    raw = value.value
    if isinstance(raw, Sym):
        if any(token.kind != "pseudo" for token in raw.tokens):
            return None
        text = "".join(part if isinstance(part, str) else "x" for part in raw.parts)
    elif isinstance(raw, str):
        text = raw
    else:
        return None
    pieces = text.split(":")
    if len(pieces) < 7 or pieces[0] != "arn" or pieces[5] != "function":
        return None
    return ":".join(pieces[7:])


def _problem(qualifier: str) -> str:
    """What a qualifier names, "" when it is (or may be) a version."""
    if qualifier in ("version", "?") or qualifier.isdigit():
        return ""
    if qualifier == "":
        return "the function itself (no version)"
    if qualifier == "$LATEST":
        return "$LATEST"
    return f"alias {qualifier}"


def check(model, options):
    terraform = model.format.startswith("terraform")
    for fn, source in model.sources(kinds=("cloudfront",)):
        arn = source.extra.get("edge_arn")
        if not isinstance(arn, Val) or not arn.known:
            continue
        if fn.external:
            qualifier = _literal_qualifier(arn)
            if qualifier is None:
                continue
        else:
            qualifier = source.qualifier
        what = _problem(qualifier)
        if not what:
            continue
        if terraform and qualifier == "$LATEST" and not fn.external and not (
                isinstance(arn.value, str) and arn.value.endswith("$LATEST")):
            what += " (the qualified_arn of a function without publish = true)"
        event = source.extra.get("event_type")
        trigger = f" for {event.value}" if isinstance(event, Val) and event.known else ""
        if terraform:
            fix = ("set publish = true on the function and use its qualified_arn (or "
                   "the ARN of a published version)")
        elif fn.is_sam:
            fix = (f"use !Ref {fn.id}.Version (SAM publishes a version when "
                   "AutoPublishAlias is set) or the ARN of another published version")
        else:
            fix = ("use the ARN of a published version: !Ref of an AWS::Lambda::Version of "
                   "the function, or the function ARN followed by a version number")
        yield report(
            arn.loc if arn.loc is not None and arn.loc.line else source.loc,
            f"CloudFront distribution {source.invoker} associates function {fn.id}"
            f"{trigger} through a LambdaFunctionARN that names {what}: Lambda@Edge takes "
            f"only the ARN of a numbered function version, and CloudFront rejects the "
            f"association, so the deploy fails. Instead, {fix}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.invoker}:{qualifier or 'unqualified'}",
        )

"""DynamoDB mapping on a table without a stream, or on the table instead of its stream.

## What it does
Reports DynamoDB mappings whose source is:
- a table in the template that has no `StreamSpecification` (an
  `AWS::Serverless::SimpleTable` never has one), read through `!GetAtt Table.StreamArn`;
- the table itself instead of its stream: `!GetAtt Table.Arn`, `!Ref Table` (its name),
  or a literal `arn:…:dynamodb:…:table/<name>` ARN without `/stream/`.

A `StreamSpecification` that the template does not fix (chosen by a condition, from a
parameter) is not judged.

## Why is this bad?
Lambda reads DynamoDB changes from the table's stream, so the mapping needs the stream's
ARN and the table must have streams enabled. `!GetAtt Table.StreamArn` does not exist on a
table without `StreamSpecification`, and a table ARN is not an event source Lambda
accepts: either way the deploy fails.

## Example
```yaml
Table:
  Type: AWS::DynamoDB::Table
  Properties:
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    KeySchema: [{AttributeName: id, KeyType: HASH}]
    BillingMode: PAY_PER_REQUEST          # no StreamSpecification
Events:
  Changes:
    Type: DynamoDB
    Properties:
      Stream: !GetAtt Table.StreamArn
      StartingPosition: LATEST
```

## Fix
Add `StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}` (or `NEW_IMAGE`,
`OLD_IMAGE`, `KEYS_ONLY`) to the table, and point the mapping at `!GetAtt
Table.StreamArn`.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html#cfn-dynamodb-table-streamspecification
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.0, A.9.

from esmlint.rule import Severity, report, source_label, where
from esmlint.values import Sym, as_bool

ID = "ESM113"
NAME = "dynamodb-stream-not-enabled"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "event-source-mapping", "dynamodb")


def opaque(arn) -> bool:
    """Whether an ARN has parts that cannot be traced (a parameter without default...)."""
    value = arn.value if arn.known else None
    return not isinstance(value, (str, Sym)) or (
        isinstance(value, Sym) and any(token.kind == "opaque" for token in value.tokens))


def needs_stream(table) -> str:
    """The second half of the fix when the table itself has no stream yet."""
    if table is None:
        return ""
    enabled = table.get("stream_enabled")
    if enabled.known and as_bool(enabled.value) is True:
        return ""
    return f", and add StreamSpecification to {table.id}"


def check(model, options):
    for fn, source in model.poll_sources(("dynamodb", "dynamodb-table")):
        table = source.resource
        subject = f"{source_label(source)} of function {fn.id}"
        if source.kind == "dynamodb-table":
            if table is None and opaque(source.arn):
                continue  # part of the ARN is only known at deploy time
            named = f"table {table.id}" if table is not None else \
                f"the table ARN {source.arn.text()}"
            fix = f"!GetAtt {table.id}.StreamArn" if table is not None else \
                "the stream ARN (arn:...:table/<name>/stream/<label>)"
            yield report(
                source.arn.loc if source.arn.loc and source.arn.loc.line > 0 else source.loc,
                f"{subject} reads {named} instead of its stream: Lambda takes DynamoDB "
                f"changes only from a stream ARN and the deploy fails. Use {fix}"
                f"{needs_stream(table)}.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{source.id}:table-arn",
            )
            continue
        if table is None or table.kind != "dynamodb":
            continue
        enabled = table.get("stream_enabled")
        if not enabled.known or as_bool(enabled.value) is not False:
            continue
        simple = table.type == "AWS::Serverless::SimpleTable"
        fix = ("use an AWS::DynamoDB::Table with StreamSpecification: an "
               "AWS::Serverless::SimpleTable has no stream" if simple else
               f"add StreamSpecification: {{StreamViewType: NEW_AND_OLD_IMAGES}} to {table.id}")
        yield report(
            source.loc,
            f"{subject} reads the stream of DynamoDB table {table.id}, which has streams "
            f"disabled (no StreamSpecification): the stream ARN does not exist and the "
            f"deploy fails. Fix: {fix}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.id}:stream-disabled",
        )

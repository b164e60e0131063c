"""A SAM policy template gets an ARN or URL where it takes a name.

## What it does
Checks every SAM policy template in a function's `Policies` whose parameter is a
**name** that the template puts into an ARN (`QueueName` of `SQSPollerPolicy` becomes
`arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}`), and reports
a value that is an ARN or a URL instead:

- a literal starting with `arn:` or `https://`;
- `!GetAtt X.Arn` (or any attribute ending in `Arn`, such as `StreamArn`, `TopicArn`),
  `!GetAtt Queue.QueueUrl`;
- `!Ref X` where `Ref` returns an ARN or URL: an SQS queue (its URL), an SNS topic, a
  Step Functions state machine, a Secrets Manager secret, a Lambda version, alias or
  layer version, an IAM managed policy, a Kinesis stream consumer
  (`AWS::Kinesis::StreamConsumer`, whose `Ref` is the consumer ARN) (their ARNs).

`!Ref` of a Kinesis stream, DynamoDB table, S3 bucket, Lambda function or KMS key is the
name (or key ID) and passes. Which parameters take names is read from aws-sam-translator's
own `policy_templates.json`: a parameter that a template substitutes into an ARN after a
`:` or `/` takes a name; one used as the whole resource (`SecretArn`) takes an ARN and is
not checked. Values it cannot resolve (parameters without default, imports) give no
finding; both branches of an `Fn::If` are checked.

## Why is this bad?
SAM pastes the value into the ARN as it is: `!Ref Queue` gives
`arn:aws:sqs:us-east-1:123456789012:https://sqs.us-east-1.amazonaws.com/123456789012/jobs`,
which names no queue. The role gets none of the template's permissions on the resource
the template meant: the function's calls fail with AccessDenied, and an event source
mapping that relies on them fails to be created.

## Example
```yaml
Policies:
  - SQSPollerPolicy:
      QueueName: !Ref Jobs          # the queue URL
  - DynamoDBStreamReadPolicy:
      TableName: !Ref Table
      StreamName: !GetAtt Table.StreamArn   # an ARN; the template wants the stream label
```

## Fix
Pass the name: `QueueName: !GetAtt Jobs.QueueName`, `TopicName: !GetAtt Topic.TopicName`,
`StreamName: !Ref Stream`, `TableName: !Ref Table`, `BucketName: !Ref Bucket`,
`FunctionName: !Ref Function`, `KeyId: !Ref Key`; for `DynamoDBStreamReadPolicy`
`StreamName: !Select [3, !Split ["/", !GetAtt Table.StreamArn]]`.

`esmlint check --fix` writes that name in place of a `!Ref` or `!GetAtt` of a resource of
the template (safe: the policy then grants what it was meant to). A literal ARN or URL, a
value chosen by `Fn::If` or built with `!Sub`, is left alone, and the finding says why.

## References
- https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-template-list.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html#aws-resource-sqs-queue-return-values
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-8, F.3.

import functools
import re

from esmlint import fixes
from esmlint.model import ref_token
from esmlint.rule import Severity, report
from esmlint.values import Sym, branches

ID = "ESM205"
NAME = "sam-policy-template-wrong-identifier"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "iam", "sam")
FIX = "safe"

_VARIABLE = re.compile(r"\$\{([^}!]*)\}")

#: What ``Ref`` returns, for the resource types whose Ref is an ARN or a URL (spec F.3).
REF_RETURNS = {
    "AWS::SQS::Queue": ("a URL", "the queue URL"),
    "AWS::SNS::Topic": ("an ARN", "the topic ARN"),
    "AWS::StepFunctions::StateMachine": ("an ARN", "the state machine ARN"),
    "AWS::Serverless::StateMachine": ("an ARN", "the state machine ARN"),
    "AWS::SecretsManager::Secret": ("an ARN", "the secret ARN"),
    "AWS::Lambda::Version": ("an ARN", "the version ARN"),
    "AWS::Lambda::Alias": ("an ARN", "the alias ARN"),
    "AWS::Lambda::LayerVersion": ("an ARN", "the layer version ARN"),
    "AWS::Serverless::LayerVersion": ("an ARN", "the layer version ARN"),
    "AWS::IAM::ManagedPolicy": ("an ARN", "the policy ARN"),
    "AWS::Kinesis::StreamConsumer": ("an ARN", "the stream consumer ARN"),
}

#: How to get the name of a resource of each type, for the fix.
NAME_OF = {
    "AWS::SQS::Queue": "!GetAtt {0}.QueueName",
    "AWS::SNS::Topic": "!GetAtt {0}.TopicName",
    "AWS::Kinesis::Stream": "!Ref {0}",
    "AWS::DynamoDB::Table": "!Ref {0}",
    "AWS::DynamoDB::GlobalTable": "!Ref {0}",
    "AWS::Serverless::SimpleTable": "!Ref {0}",
    "AWS::S3::Bucket": "!Ref {0}",
    "AWS::Lambda::Function": "!Ref {0}",
    "AWS::Serverless::Function": "!Ref {0}",
    "AWS::KMS::Key": "!Ref {0}",
    "AWS::Events::EventBus": "!GetAtt {0}.Name",
    "AWS::StepFunctions::StateMachine": "!GetAtt {0}.Name",
    "AWS::Serverless::StateMachine": "!GetAtt {0}.Name",
    "AWS::Logs::LogGroup": "!Ref {0}",
    "AWS::KinesisFirehose::DeliveryStream": "!Ref {0}",
    "AWS::SSM::Parameter": "!Ref {0}",
    # A consumer's stream: the name is the last part of its StreamARN.
    "AWS::Kinesis::StreamConsumer": '!Select [1, !Split ["/", !GetAtt {0}.StreamARN]] '
                                    '(the name of the stream the consumer reads)',
}
#: The DynamoDB stream label, which DynamoDBStreamReadPolicy's StreamName wants.
STREAM_LABEL = '!Select [3, !Split ["/", !GetAtt {0}.StreamArn]]'


@functools.lru_cache(maxsize=1)
def name_parameters():
    """{template: {parameter: ARN pattern it is put into}} for every parameter that SAM's
    policy templates substitute into an ARN after a ``:`` or ``/`` (a name), read from
    aws-sam-translator's ``policy_templates.json``. A parameter also used as a whole
    resource (an ARN) anywhere is left out."""
    from esmlint.sam_data import policy_templates  # loaded anyway when linting SAM

    result = {}
    for name, template in policy_templates().items():
        embedded, whole = {}, set()
        _walk(template.get("Definition"), embedded, whole)
        params = {p: text for p, text in embedded.items() if p not in whole}
        if params:
            result[name] = params
    return result


def _walk(node, embedded, whole):
    if isinstance(node, list):
        for item in node:
            _walk(item, embedded, whole)
        return
    if not isinstance(node, dict):
        return
    if list(node) == ["Ref"] and isinstance(node["Ref"], str):
        whole.add(node["Ref"])
        return
    sub = node.get("Fn::Sub") if len(node) == 1 else None
    if isinstance(sub, list) and len(sub) == 2 and isinstance(sub[0], str) \
            and isinstance(sub[1], dict):
        text, variables = sub
        for match in _VARIABLE.finditer(text):
            ref = variables.get(match.group(1))
            if not (isinstance(ref, dict) and list(ref) == ["Ref"]):
                continue
            param = ref["Ref"]
            before = text[:match.start()]
            if not before and match.end() == len(text):
                whole.add(param)
            elif text.startswith("arn:") and before[-1:] in (":", "/"):
                embedded.setdefault(param, text)
        for value in variables.values():
            if not (isinstance(value, dict) and list(value) == ["Ref"]):
                _walk(value, embedded, whole)
        return
    for value in node.values():
        _walk(value, embedded, whole)


def written(model, value):
    """The value as the template spells it, for messages."""
    token = ref_token(value)
    if token is not None:
        return f"!Ref {token.ref}" if token.name == "Ref" else f"!GetAtt {token.ref}.{token.name}"
    if isinstance(value.value, Sym):
        return f"!Sub {value.value}"
    return repr(value.value) if isinstance(value.value, str) else value.text()


def resource_type(model, rid):
    fn = model.function(rid)
    if fn is not None:
        return fn.type
    res = model.resources.get(rid)
    return res.type if res is not None else ""


def identifier(model, value):
    """("an ARN" / "a URL", what it is) when a known value is an ARN or URL, else None."""
    token = ref_token(value)
    if token is not None:
        rtype = resource_type(model, token.ref)
        if token.name == "Ref":
            return REF_RETURNS.get(rtype)
        if token.name.lower().endswith("arn"):
            attr = "ARN" if token.name == "Arn" else token.name
            return "an ARN", f"the {attr} of {token.ref}"
        if token.name == "QueueUrl":
            return "a URL", f"the queue URL of {token.ref}"
        return None
    raw = value.value
    head = raw if isinstance(raw, str) else (
        raw.parts[0] if isinstance(raw, Sym) and raw.parts and isinstance(raw.parts[0], str)
        else "")
    if head.startswith("arn:"):
        return "an ARN", "an ARN"
    if head.startswith(("https://", "http://")):
        return "a URL", "a URL"
    return None


def fix_for(model, value, template, param):
    token = ref_token(value)
    if token is not None:
        rtype = resource_type(model, token.ref)
        if template == "DynamoDBStreamReadPolicy" and param == "StreamName" and \
                rtype in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            return f"{param}: {STREAM_LABEL.format(token.ref)} (the stream label)"
        pattern = NAME_OF.get(rtype)
        if pattern:
            return f"{param}: {pattern.format(token.ref)}"
    return f"the name itself as {param}"


def name_value(model, token, template, param):
    """The value that names the resource ``token`` refers to, as data for the fix (the
    long form of what :func:`fix_for` writes), or None."""
    rid = token.ref
    rtype = resource_type(model, rid)
    if template == "DynamoDBStreamReadPolicy" and param == "StreamName" and \
            rtype in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        return {"Fn::Select": [3, {"Fn::Split": ["/", {"Fn::GetAtt": [rid, "StreamArn"]}]}]}
    if rtype == "AWS::Kinesis::StreamConsumer":
        return {"Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": [rid, "StreamARN"]}]}]}
    pattern = NAME_OF.get(rtype)
    if pattern is None:
        return None
    if pattern.startswith("!Ref "):
        return {"Ref": rid}
    return {"Fn::GetAtt": [rid, pattern.rsplit(".", 1)[1]]}


def automatic(model, value, template, param, condition):
    """The fix: the name in place of the ARN or URL, or why there is none."""
    if condition:
        return f"the value is chosen by Fn::If ({condition})"
    reason = fixes.not_literal(value, param)
    if reason:
        return reason
    token = ref_token(value)
    if token is None or isinstance(value.value, Sym) and not _plain_reference(value):
        return f"{written(model, value)} names no resource of the template: write the name"
    new = name_value(model, token, template, param)
    if new is None:
        return f"esmlint does not know how to name a {resource_type(model, token.ref)}"
    old = {"Ref": token.ref} if token.name == "Ref" else {"Fn::GetAtt": [token.ref,
                                                                        token.name]}
    return fixes.safe(f"use {fix_for(model, value, template, param)}",
                      fixes.SetProperty(None, param, new, at=value.loc, old=old))


def _plain_reference(value):
    parts = value.value.parts
    return len(parts) == 1


def check(model, options):
    if not model.policy_template_uses:
        return
    takes_names = name_parameters()
    for use in model.policy_template_uses:
        params = takes_names.get(use.name)
        if not params:
            continue
        fn = model.function(use.function)
        if fn is not None and fn.sam_role_set:
            continue  # SAM drops the policies of a function with Role: ESM204's finding
        for param, pattern in params.items():
            given = use.params.get(param)
            if given is None:
                continue
            for condition, value in branches(given):
                if not value.known:
                    continue
                found = identifier(model, value)
                if found is None:
                    continue
                _, what = found
                when = f" ({condition})" if condition else ""
                loc = value.loc if value.loc is not None and value.loc.line else use.loc
                yield report(
                    loc,
                    f"SAM policy template {use.name} of function {use.function} gets "
                    f"{param}: {written(model, value)}{when}, which is {what}, not a name: "
                    f"SAM puts it into {pattern}, an ARN that matches nothing, so the role "
                    f"gets none of the template's permissions. Use "
                    f"{fix_for(model, value, use.name, param)}.",
                    resource=use.function,
                    function=use.function,
                    key=f"{use.function}:{use.name}:{param}",
                    fix=automatic(model, value, use.name, param, condition),
                )

"""The function can write to the resource that triggers it: a recursive loop.

## What it does
For every trigger of a function, asks whether the function's execution role allows it to
write to that same resource:

| trigger | write checked |
|---|---|
| S3 notification (bucket `NotificationConfiguration`, SAM `S3` event, CDK) | `s3:PutObject` on the bucket's objects |
| SNS subscription (also SAM `SNS` with `SqsSubscription`) | `sns:Publish` on the topic |
| SQS event source mapping | `sqs:SendMessage` on the queue |
| Kinesis event source mapping | `kinesis:PutRecord` / `kinesis:PutRecords` on the stream |
| DynamoDB stream event source mapping | `dynamodb:PutItem` / `UpdateItem` / `BatchWriteItem` on the table |

It stays silent where filters make a loop unlikely: an S3 notification with a prefix or
suffix filter (unless the role can write only where the filter matches), an SNS
subscription with a `FilterPolicy`, a mapping with `FilterCriteria`. It fires only when
the role certainly allows the write (a `Resource: "*"` grant counts), never when it
cannot tell.

When every statement that grants the write is a wildcard (a `Resource` that also
matches any other bucket, queue, topic, stream or table, such as `s3:PutObject` on `*`,
or an `Action` such as `sqs:*`, as in `AmazonSQSFullAccess`), the finding is **info**,
and says so: the role *may* write back, but nothing in the grant points at the trigger,
and most such functions write elsewhere. When the function's environment names another
resource of the same kind (an output bucket or queue), the message names it too. A grant
written for the trigger resource itself keeps the finding a warning.

When the role is shared with other functions that the resource does not trigger (the
Serverless Framework's one generated role for a whole service, a role reused in SAM or
Terraform), the finding is **info** too, and names them: the grant may well be theirs
(a producer that sends to the queue its consumer reads).

A loop is reported once, however many notification configurations or subscriptions
connect the same resource to the function (an S3 bucket with one configuration per
event type is one loop).

It also reports `RecursiveLoop: Allow`, which turns off Lambda's own loop detection.

## Why is this bad?
Each write triggers the function again, which writes again: the loop runs until
something fails, and every iteration is billed. Lambda stops loops through SQS, SNS and
S3 after about 16 iterations (unless `RecursiveLoop` is `Allow`), but not loops through
DynamoDB or Kinesis, which run on as long as the function writes.

## Example
```yaml
Thumbnailer:
  Type: AWS::Serverless::Function
  Properties:
    Policies:
      - S3CrudPolicy: {BucketName: !Ref PhotoBucketName}
    Events:
      Upload:
        Type: S3
        Properties:
          Bucket: !Ref Photos           # every object, thumbnails included
          Events: s3:ObjectCreated:*
```

## Fix
Write the results to another bucket, queue, topic, stream or table. Where that is not
possible, separate input and output: an S3 prefix or suffix filter the outputs do not
match, an SNS `FilterPolicy` or mapping `FilterCriteria` that the function's own messages
do not pass, and make sure the code never writes what would trigger it again. Leave
`RecursiveLoop` at `Terminate`.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html
- https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html
- https://aws.amazon.com/about-aws/whats-new/2024/10/aws-lambda-detects-stops-recursive-loops-lambda-s3/
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections E.

import re

from esmlint.iam import Tri, allowing_statements, allows, statement_grants
from esmlint.rule import Severity, report, where
from esmlint.values import ACCOUNT_ID, PARTITION, REGION, Sym, Token

ID = "ESM601"
NAME = "recursive-invocation-loop"
SEVERITY = Severity.WARNING
PRECISION = "medium"
TAGS = ("reliability", "cost", "recursion")

KEY = Token("opaque", "object key")
DETECTED = ("s3", "sns", "sqs")


def _probe(service: str, tail: str) -> tuple:
    """Resources of ``service`` that are not the trigger: a grant covering them is a
    wildcard. Spelt both literally and with the pseudo parameters, as policies are."""
    region = "" if service == "s3" else "us-east-1"
    account = "" if service == "s3" else "000000000000"
    literal = f"arn:aws:{service}:{region}:{account}:{tail}"
    if service == "s3":
        return literal, Sym.of("arn:", PARTITION, ":s3:::", tail)
    return literal, Sym.of("arn:", PARTITION, f":{service}:", REGION, ":", ACCOUNT_ID,
                           f":{tail}")


PROBES = {"s3": _probe("s3", "esmlint-probe-bucket/esmlint-probe-key"),
          "sns": _probe("sns", "esmlint-probe"), "sqs": _probe("sqs", "esmlint-probe"),
          "kinesis": _probe("kinesis", "stream/esmlint-probe"),
          "dynamodb": _probe("dynamodb", "table/esmlint-probe")}


def _broad(stmt, action, resource) -> bool:
    """Whether a statement grants ``action`` on ``resource`` only as part of a wildcard:
    it grants the same on a resource nobody named, or any action of the service."""
    service = action.partition(":")[0]
    if statement_grants(stmt, f"{service}:EsmlintProbeAction", resource) is Tri.YES:
        return True
    return any(statement_grants(stmt, action, probe) is Tri.YES
               for probe in PROBES.get(service, ()))


def _yes(role, actions, resource):
    """(action, reason, wildcard only) for the first action the role certainly allows on
    ``resource``; None when it allows none of them for sure."""
    for action in actions:
        answer = allows(role, action, resource)
        if answer.value is Tri.YES:
            granted = answer.reason.partition(" is allowed by ")[2] or answer.reason
            grants = allowing_statements(role, action, resource)
            broad = bool(grants) and all(_broad(stmt, action, resource) for _, stmt in grants)
            return action, f"{action} is allowed by {granted}", broad
    return None


_SUB_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9]+)?\}")


def _refs(node, found: set, depth: int = 0) -> None:
    """Resource IDs an environment value refers to (Ref, GetAtt, Sub, deploy tokens)."""
    if depth > 8:
        return
    if isinstance(node, Sym):
        found.update(token.ref for token in node.tokens if token.kind == "attr")
    elif isinstance(node, str):
        found.update(_SUB_REF.findall(node))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                first = value[0] if isinstance(value, list) and value else value
                if isinstance(first, str):
                    found.add(first.split(".")[0])
            else:
                _refs(value, found, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _refs(item, found, depth + 1)


def outputs_elsewhere(model, fn, kind: str, trigger_id: str) -> list[str]:
    """Other resources of ``kind`` the function's environment names: where it writes."""
    env = fn.get("Environment")
    if not env.known:
        return []
    found: set = set()
    _refs(env.value, found)
    return sorted(rid for rid in found if rid != trigger_id and rid in model.resources
                  and model.resources[rid].kind == kind)


def _text(value):
    if value is None or not value.known or not isinstance(value.value, str):
        return None
    return value.value


def s3_write(role, bucket, source):
    """(action, reason) when the role certainly writes objects this notification sees."""
    prefix, suffix = source.extra.get("prefix"), source.extra.get("suffix")
    if prefix is None or suffix is None:
        return None
    if prefix.absent and suffix.absent:
        return _yes(role, ("s3:PutObject",), Sym.of(bucket.arn, "/", KEY))
    p, s = _text(prefix) if not prefix.absent else "", _text(suffix) if not suffix.absent else ""
    if p is None or s is None:
        return None
    # Filtered: a loop only when every key the role may write matches the filter.
    found = _yes(role, ("s3:PutObject",), Sym.of(bucket.arn, "/", p, KEY, s))
    if found is None:
        return None
    outside = []
    if p:
        outside.append(Sym.of(bucket.arn, "/esmlint-outside-prefix/", KEY, s))
    if s:
        outside.append(Sym.of(bucket.arn, "/", p, KEY, ".esmlint-other-suffix"))
    for key in outside:
        if allows(role, "s3:PutObject", key).value is not Tri.NO:
            return None
    return found


def loops(model, fn, source):
    """(resource label, action, reason) when the role can write to the source."""
    role = fn.role
    kind = source.kind
    if kind == "s3" and source.mode == "async":
        bucket = model.resources.get(source.invoker)
        if bucket is None or bucket.kind != "s3" or bucket.arn is None:
            return None
        found = s3_write(role, bucket, source)
        return (f"S3 bucket {bucket.id}", *found, bucket) if found else None
    if source.extra.get("filtered") or not source.setting("FilterCriteria").absent:
        return None
    if kind == "sns" or source.extra.get("sqs_subscription"):
        topic = model.resources.get(source.invoker)
        if topic is not None and topic.kind == "sns" and topic.arn is not None:
            found = _yes(role, ("sns:Publish",), topic.arn)
            if found:
                return (f"SNS topic {topic.id}", *found, topic)
    if source.mode != "poll" or source.resource is None or source.resource.arn is None:
        return None
    res = source.resource
    if kind == "sqs" and res.kind == "sqs":
        found = _yes(role, ("sqs:SendMessage",), res.arn)
        label = "SQS queue"
    elif kind == "kinesis" and res.kind == "kinesis":
        found = _yes(role, ("kinesis:PutRecord", "kinesis:PutRecords"), res.arn)
        label = "Kinesis stream"
    elif kind == "dynamodb" and res.kind == "dynamodb":
        found = _yes(role, ("dynamodb:PutItem", "dynamodb:UpdateItem",
                            "dynamodb:BatchWriteItem"), res.arn)
        label = "DynamoDB table"
    else:
        return None
    if res.origin:
        label = f"{label} {res.id} (created by SAM)"
    else:
        label = f"{label} {res.id}"
    return (label, *found, res) if found else None


def _sharers(model, fn, res) -> list:
    """The other functions with the same execution role that ``res`` does not trigger.

    A role shared by several functions (the Serverless Framework's one generated role for
    a whole service, a SAM or Terraform role reused) holds the grants of all of them: a
    producer's ``sqs:SendMessage`` on the queue its consumer reads is no sign that the
    consumer writes there.
    """
    others = []
    for other in model.functions:
        if other is fn or other.role is None or other.role.id != fn.role.id:
            continue
        if any(_triggered_by(source, res) for source in other.sources):
            continue
        others.append(other)
    return others


def _triggered_by(source, res) -> bool:
    """Whether ``source`` reads ``res`` (a mapping) or is invoked by it (a push source)."""
    if source.invoker == res.id:
        return True
    return source.resource is not None and source.resource.id == res.id


def _names(functions) -> str:
    names = [f"function {f.id}" for f in functions[:3]]
    more = len(functions) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


def check(model, options):
    for fn in model.functions:
        loop = fn.recursive_loop
        allow = loop.known and str(loop.value).lower() == "allow" and not loop.is_default
        found_any = False
        seen = set()
        if fn.role is not None:
            for source in fn.sources:
                found = loops(model, fn, source)
                if not found:
                    continue
                found_any = True
                label, action, reason, broad, res = found
                key = f"{fn.id}:{source.kind}:{label.split()[-1]}"
                if key in seen:
                    continue  # one loop, however many configurations connect it
                seen.add(key)
                detected = source.kind in DETECTED or source.extra.get("sqs_subscription")
                if allow:
                    stop = "and RecursiveLoop: Allow keeps Lambda from stopping the loop"
                elif detected:
                    stop = "Lambda stops such a loop only after about 16 invocations"
                else:
                    stop = "Lambda does not detect loops through this service"
                sharers = [] if broad else _sharers(model, fn, res)
                if sharers:
                    message = (
                        f"function {fn.id} is triggered by {label} and its role "
                        f"{fn.role.id} may write to it ({reason}), but the role is shared "
                        f"with {_names(sharers)}, which {res.id} does not trigger, and the "
                        f"grant may be for {'it' if len(sharers) == 1 else 'them'}: if "
                        f"{fn.id}'s code writes to {res.id}, that triggers it again, a "
                        f"recursive loop ({stop}). Give {fn.id} a role of its own without "
                        f"the write, or filter the trigger so its own writes do not match.")
                elif broad:
                    elsewhere = outputs_elsewhere(model, fn, res.kind, res.id)
                    hint = (f"; its environment names {', '.join(elsewhere)}, where it "
                            f"probably writes instead" if elsewhere else "")
                    message = (
                        f"function {fn.id} is triggered by {label} and its role "
                        f"{fn.role.id} may write to it, but only through a wildcard grant "
                        f"({reason}, which is not specific to {res.id}){hint}: if the code "
                        f"writes to {res.id}, that triggers it again, a recursive loop ({stop}). "
                        f"Scope the grant to the resources the function writes to.")
                else:
                    message = (
                        f"function {fn.id} is triggered by {label} and its role "
                        f"{fn.role.id} may write to it ({reason}): anything it writes there "
                        f"triggers it again, a recursive loop ({stop}). Write to another "
                        f"resource, or filter the trigger so the function's own writes do "
                        f"not match.")
                yield report(
                    source.loc,
                    message,
                    resource=where(source),
                    function=fn.id,
                    key=key,
                    severity=Severity.INFO if broad or sharers else None,
                )
        if allow and not found_any:
            yield report(
                loop.loc or fn.loc,
                f"function {fn.id} sets RecursiveLoop: Allow: Lambda will not stop a "
                f"recursive loop through SQS, SNS or S3, which then runs, billed, until "
                f"something breaks it. Leave RecursiveLoop at Terminate unless the loop is "
                f"intended and bounded in code.",
                resource=fn.id,
                function=fn.id,
                key=f"{fn.id}:RecursiveLoop",
            )

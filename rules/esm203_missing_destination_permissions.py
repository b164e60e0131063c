"""The execution role cannot send to a destination or dead-letter queue.

## What it does
For every place a function hands events on to, asks whether the function's execution
role allows the action Lambda uses to deliver there, on that target's ARN:

| target | set by | action checked |
|---|---|---|
| SQS queue | mapping `DestinationConfig.OnFailure`, async destination, dead-letter queue | `sqs:SendMessage` |
| SNS topic | mapping `DestinationConfig.OnFailure`, async destination, dead-letter queue | `sns:Publish` |
| Lambda function | async destination | `lambda:InvokeFunction` |
| EventBridge event bus | async destination | `events:PutEvents` |
| S3 bucket | mapping `DestinationConfig.OnFailure`, async OnFailure destination | `s3:PutObject` on `<bucket ARN>/*` |

Async destinations are `AWS::Lambda::EventInvokeConfig` and SAM `EventInvokeConfig`; the
dead-letter queue is `DeadLetterConfig` / SAM `DeadLetterQueue`. What the target is comes
from the resource its ARN names, or from the ARN's service. The policies SAM adds to the
role it generates (`DeadLetterQueuePolicy`, the `EventInvokeConfig` and event
`DestinationConfig` policies when `Type` is given) count; SAM adds none when `Type` is
omitted on a mapping's destination, nor to a role given in `Role` (see ESM204).

A queue, topic or bucket policy (or a Lambda permission) of the template that allows the
role itself (or `*`) counts as well: within an account, either side may grant.

It stays silent where it cannot see: a role defined outside the template, a policy or
managed policy it cannot read, a target ARN computed at deploy time, a Kafka destination,
a function version or alias as target, a resource policy whose queue, topic or bucket it
cannot tell.

## Why is this bad?
Lambda delivers to destinations and dead-letter queues with the execution role. When the
role may not send, delivery fails: the record or event is dropped, and only the
`DestinationDeliveryFailures` or `DeadLetterErrors` metric tells. The failure handling
the template sets up does nothing when it is needed.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Role: !GetAtt WorkerRole.Arn       # no sqs:SendMessage on Failures
    DeadLetterQueue:
      Type: SQS
      TargetArn: !GetAtt Failures.Arn
```

## Fix
Allow the action on the target in the execution role, for example with the SAM policy
templates `SQSSendMessagePolicy`, `SNSPublishMessagePolicy`, `LambdaInvokePolicy`,
`EventBridgePutEventsPolicy` or `S3WritePolicy`, or an inline statement.

## Options
- `s3-list-bucket` (default `false`): for S3 targets also require `s3:ListBucket` on the
  bucket, as the policy SAM generates grants it (AWS does not document it as required).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
- https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors
- https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.1, B.4, B.5, B.6, F.5.

from esmlint.iam import Tri, missing_actions
from esmlint.model import Resource
from esmlint.resource_policy import grants, names_role
from esmlint.rule import Severity, option, report
from esmlint.targets import destinations as all_destinations
from esmlint.targets import target
from esmlint.values import as_bool

ID = "ESM203"
NAME = "missing-destination-permissions"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "iam", "async")
OPTIONS = {"s3-list-bucket": False}

#: Policy templates that grant each action, named in the fix.
HINT = {"sqs": "SQSSendMessagePolicy", "sns": "SNSPublishMessagePolicy",
        "lambda": "LambdaInvokePolicy", "eventbus": "EventBridgePutEventsPolicy",
        "s3": "S3WritePolicy"}


def requirements(found, list_bucket=False):
    """(action, resource) pairs the role must allow to deliver to target ``found``."""
    needs = [found.needs()]
    if found.kind == "s3" and list_bucket:
        needs.append(("s3:ListBucket", found.arn))
    return needs


def lacking(role, needs):
    """The pairs definitely not allowed; None when any answer cannot be told."""
    result = []
    for action, resource in needs:
        no, unsure = missing_actions(role, [action], resource)
        if unsure:
            return None
        if no:
            result.append((action, resource))
    return result


def target_may_allow(model, found, role, needs):
    """Whether the target's own policy (queue, topic or bucket policy, or a Lambda
    permission) may let the role deliver: then the role's policies are not the whole story."""
    if f"resource-policy:{found.kind}" in model.unlinked:
        return True  # a policy whose queue / topic / bucket could not be told
    if found.kind == "lambda":
        return any(names_role(p.principal, role) is not Tri.NO for p in model.permissions)
    holders = [found.resource] if isinstance(found.resource, Resource) else [
        res for res in model.resources.values() if res.kind == found.kind]
    for res in holders:
        attached = res.get("resource_policies")
        if not attached.known:
            continue
        for policy in attached.value:
            for action, resource in needs:
                direct, _ = grants(policy, role, action, resource)
                if direct is not Tri.NO:
                    return True
    return False


def unmet(model, fn, role, list_bucket=False):
    """Every destination of ``fn`` that ``role`` definitely cannot deliver to, as
    (destination, target, missing (action, resource) pairs)."""
    for dest in all_destinations(fn):
        found = target(model, dest.value)
        if found is None or found.kind not in dest.accepts:
            continue
        needs = requirements(found, list_bucket)
        missing = lacking(role, needs)
        if missing and not target_may_allow(model, found, role, needs):
            yield dest, found, missing


def check(model, options):
    for fn in model.functions:
        role = fn.role
        if role is None:
            continue  # defined outside the template, or chosen at deploy time
        list_bucket = as_bool(option(options, fn.options, ID, "s3-list-bucket", False))
        for dest, found, missing in unmet(model, fn, role, bool(list_bucket)):
            actions = ", ".join(
                f"{action} on {found.name}" if resource == found.arn
                else f"{action} on {found.name}/*"
                for action, resource in missing)
            when = f" ({dest.condition})" if dest.condition else ""
            generated = " (generated by SAM)" if role.sam_generated else ""
            hint = f", for example with the SAM policy template {HINT[found.kind]}" \
                if fn.is_sam else ""
            note = ""
            if fn.sam_role_set and dest.sam:
                note = " SAM adds no policy to a role given in Role (ESM204)."
            elif role.sam_generated and dest.sam and not dest.sam_type:
                note = " SAM adds this permission only when the destination sets Type."
            lost = "records of successful invocations are lost" if "OnSuccess" in dest.what \
                else "failed events are dropped instead of delivered"
            yield report(
                dest.loc,
                f"execution role {role.id}{generated} of function {fn.id} does not allow "
                f"{actions}{when}, needed to deliver to the {dest.what} ({found.label}): "
                f"{lost}. Grant it in the role{hint}.{note}",
                resource=dest.resource,
                function=fn.id,
                key=f"{dest.key}:{role.id}",
            )

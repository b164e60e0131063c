"""A SAM function sets `Role`, so SAM drops its `Policies` and the policies it would add.

## What it does
Reports an `AWS::Serverless::Function` that sets `Role` and also:

- sets `Policies` (managed policy names or ARNs, policy templates, inline statements), or
- relies on the policies SAM adds to the role it generates for delivering events on:
  `DeadLetterQueuePolicy`, the `EventInvokeConfig` destination policies, or an event's
  `DestinationConfig` policy. "Relies on" means: the role given in `Role` is in the
  template and definitely lacks a permission that SAM would have granted.

The policies SAM adds for a poll event (`SQS`, `Kinesis`, `DynamoDB`, `MSK`, `MQ`,
`DocumentDB`, `SelfManagedKafka`, an `SNS` event with `SqsSubscription`) are not listed
here: ESM201 reports each missing poll permission and already says that SAM adds no
policy to a role given in `Role`, so one defect gives one error, not two.

One finding per function, at `Policies` (or at `Role`), listing all that is dropped and
what of it the role lacks. When the role given in `Role` is in the template and already
grants everything `Policies` would, and nothing else is relied on, the finding is a
warning: harmless today, but misleading to whoever edits the role next.
ESM203 reports each missing delivery permission where it is needed; this rule names
the cause. `Globals` cannot set `Role` or `Policies`. A `Role: !If [Cond, <role>,
!Ref AWS::NoValue]` makes SAM generate the role in the other branch, so it is not
reported.

## Why is this bad?
When `Role` is set, SAM generates no execution role: *"If you set the Role property,
this property is ignored"* (SAM documentation of `Policies`). Everything SAM would have
put into that role is silently dropped: the template looks as if the function may poll
its queue, write to its table or send to its dead-letter queue, and it may not. Event
source mappings then fail to create, and destinations fail to deliver.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Role: !GetAtt WorkerRole.Arn
    Policies:                        # ignored
      - DynamoDBCrudPolicy: {TableName: !Ref Table}
    DeadLetterQueue:                 # no SQSSendMessagePolicy added
      Type: SQS
      TargetArn: !GetAtt Failed.Arn
```

## Fix
Either remove `Role` (SAM then generates a role with `Policies` and the event, dead-letter
and destination policies), or remove `Policies` and grant everything in the role given in
`Role` yourself. `Role:` without a value counts as not set, as SAM reads it.

## References
- https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-role
- https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections F.2, F.5, B.6.

from esmlint.iam import Tri, allows, managed_policy
from esmlint.rule import Severity, report
from esmlint.rules.esm203_missing_destination_permissions import unmet
from esmlint.values import branches

ID = "ESM204"
NAME = "sam-policies-ignored"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "iam", "sam")


def policies_given(fn):
    """The Policies value when it holds something SAM would have used, else None."""
    value = fn.get("Policies")
    if value.absent:
        return None
    for _, branch in branches(value):
        if branch.known and branch.value not in ([], {}, ""):
            return value
    return None


def _statement_pairs(statement):
    """(action, resource) pairs an Allow statement grants, or None when not enumerable."""
    if statement.unresolved or statement.actions is None or statement.resources is None:
        return None
    pairs = []
    for action in statement.actions:
        if not action.known or not isinstance(action.value, str):
            return None
        for resource in statement.resources:
            if not resource.known:
                return None
            pairs.append((action.value, resource.value))
    return pairs


def uncovered(role, given):
    """What the dropped Policies would grant and ``role`` does not.

    Returns (Tri.YES, []) when the role grants all of it, (Tri.NO, missing) when some of
    it is definitely not granted, (Tri.UNKNOWN, missing-so-far) otherwise.
    """
    if role is None or given is None:
        return Tri.UNKNOWN, []
    policies = list(given.policies)
    result = Tri.YES
    held = {str(val.value) for val in role.managed_policies if val.known}
    for arn in given.managed_policies:
        if arn.known and str(arn.value) in held:
            continue
        document = managed_policy(arn.value) if arn.known else None
        if document is None:
            result = Tri.UNKNOWN
            continue
        policies.append(document)
    lacking = []
    for policy in policies:
        if policy.unresolved:
            result = Tri.UNKNOWN
            continue
        for statement in policy.statements:
            if statement.effect != "Allow":
                continue
            pairs = _statement_pairs(statement)
            if pairs is None:
                result = Tri.UNKNOWN
                continue
            for action, resource in pairs:
                answer = allows(role, action, resource).value
                if answer is Tri.NO:
                    if action not in lacking:
                        lacking.append(action)
                elif answer is Tri.UNKNOWN and result is Tri.YES:
                    result = Tri.UNKNOWN
    if lacking:
        return Tri.NO, lacking
    return result, []


def role_sometimes_generated(fn):
    """``Role: !If [Cond, X, !Ref AWS::NoValue]``: SAM generates the role in one branch."""
    return any(branch.absent for _, branch in branches(fn.role_ref)) and len(
        branches(fn.role_ref)) > 1


def granted_by_sam(dropped, action, resource):
    alternatives = action.split(" or ")
    return any(allows(dropped, alt, resource).value is Tri.YES for alt in alternatives)


def relied_on(model, fn):
    """What the role given in Role lacks and SAM would have granted for dead-letter queues
    and destinations, for the message. Poll permissions are ESM201's alone."""
    role, dropped = fn.role, fn.sam_dropped_role
    if role is None or dropped is None:
        return []
    found = []
    for dest, target, pairs in unmet(model, fn, role):
        if not dest.sam:
            continue
        actions = [action for action, resource in pairs
                   if granted_by_sam(dropped, action, resource)]
        if actions:
            found.append(f"{', '.join(actions)} for the {dest.what} ({target.label})")
    return found


def check(model, options):
    for fn in model.functions:
        if not fn.is_sam or not fn.sam_role_set or role_sometimes_generated(fn):
            continue
        policies = policies_given(fn)
        relied = relied_on(model, fn)
        if policies is None and not relied:
            continue
        role_name = f"role {fn.role.id}" if fn.role is not None else "the role given in Role"
        dropped, severity, advice = [], None, ""
        if policies is not None:
            covered, lacking = uncovered(fn.role, fn.sam_dropped_policies)
            if covered is Tri.YES and not relied:
                dropped.append(f"ignores its Policies ({role_name} already grants all they "
                               f"would)")
                severity = Severity.WARNING
                advice = " Remove Policies: they only mislead readers."
            elif lacking:
                shown = ", ".join(lacking[:5]) + (
                    f" and {len(lacking) - 5} more actions" if len(lacking) > 5 else "")
                dropped.append(f"ignores its Policies, which would grant what {role_name} "
                               f"lacks ({shown})")
            else:
                dropped.append("ignores its Policies")
        if relied:
            dropped.append(f"adds none of the permissions it grants for dead-letter queues "
                           f"and destinations, which {role_name} lacks: "
                           f"{'; '.join(relied)}")
        if not advice:
            advice = (f" Grant these permissions in {role_name} instead, or remove Role and "
                      f"let SAM generate the role.")
        loc = policies.loc if policies is not None and policies.loc else fn.role_ref.loc
        yield report(
            loc or fn.loc,
            f"function {fn.id} sets Role, so SAM generates no execution role and silently "
            f"{' and '.join(dropped)}.{advice}",
            severity=severity,
            resource=fn.id,
            function=fn.id,
            key=fn.id,
        )

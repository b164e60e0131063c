"""The execution role cannot poll the mapping's source.

## What it does
For every event source mapping, asks whether the function's execution role allows the
actions Lambda needs to read the source, on that source's ARN. It reads inline policies,
`AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` resources attached to the role, AWS managed
policies (their actions are kept as data), SAM policy templates and the policies SAM adds
by itself. A grant on another queue or stream does not count.

| source | actions checked |
|---|---|
| SQS | `sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:GetQueueAttributes` on the queue |
| Kinesis | `kinesis:GetRecords`, `kinesis:GetShardIterator`, `kinesis:DescribeStream`, `kinesis:ListStreams` on the stream |
| DynamoDB Streams | `dynamodb:GetRecords`, `dynamodb:GetShardIterator`, `dynamodb:DescribeStream`, `dynamodb:ListStreams` on the stream |
| Amazon MSK | `kafka:DescribeClusterV2` (or `kafka:DescribeCluster`), `kafka:GetBootstrapBrokers` on the cluster, and the EC2 network-interface actions |
| self-managed Kafka | `secretsmanager:GetSecretValue` on its authentication secrets; the EC2 network-interface actions when it is reached in a VPC |
| Amazon MQ | `mq:DescribeBroker` on the broker, `secretsmanager:GetSecretValue` on its secret; the EC2 network-interface actions for a broker in the template that is not publicly accessible |
| DocumentDB | `rds:DescribeDBClusters` on the cluster, `rds:DescribeDBClusterParameters`, `rds:DescribeDBSubnetGroups`, `secretsmanager:GetSecretValue` on its secret, and the EC2 network-interface actions |

The EC2 network-interface actions are `ec2:CreateNetworkInterface`,
`ec2:DescribeNetworkInterfaces`, `ec2:DeleteNetworkInterface`, `ec2:DescribeVpcs`,
`ec2:DescribeSubnets`, `ec2:DescribeSecurityGroups`. For Kinesis and DynamoDB the rule
checks the four actions Lambda validates when it creates the mapping; the message lists
the others AWS documents for the full set.

EventBridge pipes with a Lambda enrichment or target poll their SQS, Kinesis, DynamoDB,
Amazon MQ or Amazon MSK source the same way, with the pipe's role (`RoleArn`) in place
of the execution role: the rule checks that role for the same actions (EventBridge
documents the same list for pipes).

It stays silent where it cannot see, or where an SQS queue policy may grant the role
what its own policies lack (within one account, either is enough): a role defined outside the template, a policy it
cannot resolve, a managed policy it does not know, a source ARN computed at deploy time.
It never fires for a SAM event whose role SAM generates: SAM adds the permissions itself.
A SAM function with `Role` gets nothing from SAM (see ESM204), so its events are checked.

## Why is this bad?
For SQS, Kinesis and DynamoDB, Lambda checks the role when it creates the mapping: *"The
provided execution role does not have permissions to call ReceiveMessage on SQS"*, and
the deploy fails. For Kafka, MQ and DocumentDB the mapping is created but never reads a
record; the error only shows in the mapping's state.

## Example
```yaml
Worker:
  Type: AWS::Lambda::Function
  Properties:
    Role: !GetAtt WorkerRole.Arn     # only AWSLambdaBasicExecutionRole
Mapping:
  Type: AWS::Lambda::EventSourceMapping
  Properties:
    FunctionName: !Ref Worker
    EventSourceArn: !GetAtt Queue.Arn
```

## Fix
Grant the listed actions on the source's ARN, or attach the AWS managed policy for the
source (`AWSLambdaSQSQueueExecutionRole`, `AWSLambdaKinesisExecutionRole`,
`AWSLambdaDynamoDBExecutionRole`, `AWSLambdaMSKExecutionRole`).

`esmlint check --fix`, for a SAM function whose role SAM generates (it has no `Role`),
adds the policy template for the source to its `Policies` (safe: it grants reading that
one queue, stream or table): `SQSPollerPolicy` with `QueueName: !GetAtt Queue.QueueName`,
`KinesisStreamReadPolicy` with `StreamName: !Ref Stream`, `DynamoDBStreamReadPolicy` with
`TableName: !Ref Table` and the stream label. The source must be in the template; a
`Policies` that is not a list is left alone.

For a role of the template (`AWS::IAM::Role`, `aws_iam_role`), `--fix --unsafe-fixes`
attaches the AWS managed policy for the source: in `ManagedPolicyArns`
(`!Sub arn:${AWS::Partition}:iam::aws:policy/service-role/...`), or in Terraform in the
role's `managed_policy_arns` list when it has one, else as a new
`aws_iam_role_policy_attachment` after the role (in the partition of a
`data "aws_partition"` of the file, else `aws`). It is **unsafe**: the managed policy
grants the actions on every resource (`*`), to every function that uses the role. It is
offered only when the managed policy grants everything the finding lists (not for
secrets, Amazon MQ or DocumentDB).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
- https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
- https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.1, F.1, F.2.

import dataclasses

from esmlint import fixes
from esmlint.iam import Tri, missing_actions
from esmlint.model import polling_role
from esmlint.resource_policy import grants
from esmlint.rule import Severity, report, source_label, where
from esmlint.values import PARTITION, Sym, Token, known

ID = "ESM201"
NAME = "missing-poll-permissions"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "iam")
FIX = "safe or unsafe"

ENI = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
       "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
       "ec2:DescribeSecurityGroups")
STREAM_READ = ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams")
#: Actions AWS documents beyond the ones checked, named in the message as the full fix.
DOCUMENTED_EXTRA = {"kinesis": ("kinesis:DescribeStreamSummary", "kinesis:ListShards",
                                "kinesis:SubscribeToShard")}
MANAGED = {"sqs": "AWSLambdaSQSQueueExecutionRole", "kinesis": "AWSLambdaKinesisExecutionRole",
           "dynamodb": "AWSLambdaDynamoDBExecutionRole", "msk": "AWSLambdaMSKExecutionRole"}
LABELS = {"sqs": "SQS queue", "kinesis": "Kinesis stream", "dynamodb": "DynamoDB stream",
          "msk": "MSK cluster", "kafka": "Kafka cluster", "mq": "Amazon MQ broker",
          "documentdb": "DocumentDB cluster"}
#: A resource nobody names: only a policy on "*" (or a wildcard pattern) grants it.
ANY = Sym.of(Token("opaque", "any resource"))


def source_arn(source):
    """The ARN the mapping reads, as the model spells it, or None when it is unknown."""
    if source.arn.known and isinstance(source.arn.value, (str, Sym)):
        return source.arn.value
    return None


def secrets(source):
    """The secret ARNs of the mapping, or None when any of them cannot be read."""
    value = source.setting("access.secrets")
    if value.absent:
        return []
    if not value.known:
        return None
    result = []
    for item in value.value:
        if not item.known or not isinstance(item.value, (str, Sym)):
            return None
        result.append(item.value)
    return result


def requirements(source):
    """(actions, resource) groups the role must allow; None when they cannot be known."""
    kind, arn = source.kind, source_arn(source)
    if kind == "sqs":
        if arn is None:
            return None
        return [(("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), arn)]
    if kind in ("kinesis", "dynamodb"):
        if arn is None:
            return None
        return [(tuple(f"{kind}:{action}" for action in STREAM_READ), arn)]
    needs = []
    secret_arns = secrets(source)
    if secret_arns is None:
        return None
    for secret in secret_arns:
        needs.append((("secretsmanager:GetSecretValue",), secret))
    if kind == "msk":
        if arn is None:
            return None
        needs.append((("kafka:GetBootstrapBrokers",), arn))
        needs.append((("kafka:DescribeClusterV2|kafka:DescribeCluster",), arn))
        needs.append((ENI, ANY))
    elif kind == "kafka":
        vpc = source.setting("access.vpc")
        if not vpc.absent and not vpc.known:
            return None
        if vpc.known and vpc.value:
            needs.append((ENI, ANY))
    elif kind == "mq":
        if arn is None:
            return None
        needs.append((("mq:DescribeBroker",), arn))
        broker = source.resource
        if broker is not None:
            public = broker.get("public")
            if public.absent or (public.known and public.value in (False, "false")):
                needs.append((ENI, ANY))
    elif kind == "documentdb":
        if arn is None:
            return None
        needs.append((("rds:DescribeDBClusters",), arn))
        needs.append((("rds:DescribeDBClusterParameters", "rds:DescribeDBSubnetGroups"), ANY))
        needs.append((ENI, ANY))
    else:
        return None
    return needs


def missing(role, groups):
    """{resource: [actions]} definitely not allowed, or None when any answer is unknown."""
    lacking: dict = {}
    for actions, resource in groups:
        plain = [action for action in actions if "|" not in action]
        no, unsure = missing_actions(role, plain, resource) if plain else ([], [])
        if unsure:
            return None
        denied = set(no)
        for action in actions:
            if "|" not in action:
                if action in denied:
                    lacking.setdefault(resource, []).append(action)
                continue
            alternatives = action.split("|")
            results = [missing_actions(role, [alt], resource) for alt in alternatives]
            if any(not no and not unsure for no, unsure in results):
                continue  # one alternative is allowed
            if any(unsure for _, unsure in results):
                return None
            lacking.setdefault(resource, []).append(" or ".join(alternatives))
    return lacking


def queue_policy_may_grant(model, source, role, lacking) -> bool:
    """Whether an SQS queue policy may grant the role what its own policies lack.

    Within one account a queue policy that names the role is enough by itself.
    """
    if source.kind != "sqs":
        return False
    if "resource-policy:sqs" in model.unlinked:
        return True
    queue = source.resource
    if queue is None:
        return False
    attached = queue.get("resource_policies")
    if attached.is_unknown and not attached.absent:
        return True
    if not attached.known:
        return False
    for policy in attached.value:
        for resource, actions in lacking.items():
            for action in actions:
                direct, _ = grants(policy, role, action, resource)
                if direct is not Tri.NO:
                    return True
    return False


def check(model, options):
    for fn, source in model.pollers():
        pipe = source.extra.get("pipe")
        role = polling_role(source)
        if role is None:
            continue  # defined outside the template, or chosen at deploy time
        if role.sam_generated and source.sam_event:
            continue  # SAM adds these permissions to the role it generates
        groups = requirements(source)
        if not groups:
            continue
        lacking = missing(role, groups)
        if not lacking or queue_policy_may_grant(model, source, role, lacking):
            continue
        what = LABELS.get(source.kind, source.kind)
        target = source.resource.id if source.resource is not None else (
            source.arn.text() if source.arn.known else "of the mapping")
        parts = []
        for resource, actions in lacking.items():
            scope = "any resource" if resource is ANY else (
                f"the {what} {target}" if resource == source_arn(source) else str(resource))
            parts.append(f"{', '.join(actions)} on {scope}")
        managed = MANAGED.get(source.kind) if not pipe else None
        extra = DOCUMENTED_EXTRA.get(source.kind)
        hint = f", or attach the AWS managed policy {managed}" if managed else ""
        if extra:
            hint += f" (AWS also documents {', '.join(extra)})"
        if fn.sam_role_set and source.sam_event:
            hint += "; SAM adds no policy to a role given in Role"
        generated = " (generated by SAM)" if role.sam_generated else ""
        if pipe:
            invokes = ", ".join(source.extra.get("functions") or [fn.id])
            yield report(
                source.loc,
                f"role {role.id} of pipe {pipe} (which invokes {invokes}) does not allow "
                f"{'; '.join(parts)}: the pipe cannot poll the {what} {target}, and "
                f"EventBridge disables a pipe that keeps failing on permissions. Grant "
                f"these actions to the pipe's role{hint}.",
                resource=pipe,
                function=fn.id,
                key=f"{pipe}:{role.id}",
            )
            continue
        yield report(
            source.loc,
            f"execution role {role.id}{generated} of function {fn.id} does not allow "
            f"{'; '.join(parts)}, needed by {source_label(source)} to read the {what} "
            f"{target}: Lambda cannot poll it. Grant these actions{hint}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.id}:{role.id}",
            fix=fix_for(fn, source, role, groups),
        )


#: The SAM policy template that lets a function read each source, and its parameters.
TEMPLATES = {"sqs": "SQSPollerPolicy", "kinesis": "KinesisStreamReadPolicy",
             "dynamodb": "DynamoDBStreamReadPolicy"}


def fix_for(fn, source, role, groups):
    """A policy template on a SAM function with a generated role (safe); the managed
    policy on a role of the template (unsafe); or why there is neither."""
    if role.sam_generated:
        return _policy_template(fn, source)
    managed = MANAGED.get(source.kind)
    if managed is None:
        return f"AWS has no managed execution-role policy for {LABELS[source.kind]} sources"
    if role.origin:
        return f"the role {role.id} is generated from {role.origin}"
    if role.loc is None or role.loc.line <= 0:
        return f"the role {role.id} is not written in the file"
    arn = Sym.of("arn:", PARTITION, f":iam::aws:policy/service-role/{managed}")
    attached = dataclasses.replace(role, managed_policies=[*role.managed_policies, known(arn)])
    if missing(attached, groups):
        return f"{managed} does not grant all the actions listed"
    return fixes.unsafe(f"attach the AWS managed policy {managed} to {role.id}",
                        fixes.AttachManagedPolicy(role.loc, role.id,
                                                  f"service-role/{managed}"))


def _policy_template(fn, source):
    template = TEMPLATES.get(source.kind)
    resource = source.resource
    if template is None:
        return (f"SAM has no policy template that reads {LABELS[source.kind]} sources: add "
                "the actions to Policies")
    if not fn.is_sam or fn.sam_role_set:
        return f"function {fn.id} is not a SAM function whose role SAM generates"
    if resource is None or resource.kind != source.kind or resource.origin:
        return f"the {LABELS[source.kind]} is not a resource of the template"
    rid = resource.id
    if source.kind == "sqs":
        params = {"QueueName": {"Fn::GetAtt": [rid, "QueueName"]}}
    elif source.kind == "kinesis":
        params = {"StreamName": {"Ref": rid}}
    else:
        params = {"TableName": {"Ref": rid},
                  "StreamName": {"Fn::Select": [3, {"Fn::Split": [
                      "/", {"Fn::GetAtt": [rid, "StreamArn"]}]}]}}
    return fixes.safe(f"add the policy template {template} for {rid} to the Policies of "
                      f"{fn.id}", fixes.AppendItem(fn.loc, "Policies", {template: params}))

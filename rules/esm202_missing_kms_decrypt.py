"""The execution role cannot decrypt the mapping's encrypted queue or stream.

## What it does
For every SQS and Kinesis event source mapping whose queue or stream is encrypted with a
customer managed key defined in the template (`AWS::SQS::Queue.KmsMasterKeyId` or
`AWS::Kinesis::Stream.StreamEncryption.KeyId` naming an `AWS::KMS::Key`, directly or
through an `AWS::KMS::Alias` of the template), asks whether the function's execution role
may call `kms:Decrypt` on that key. KMS allows it when:

- the key policy has an `Allow` statement for `kms:Decrypt` whose principal is the role
  (or `*`), or
- the key policy lets IAM policies decide (a statement for the account root,
  `arn:aws:iam::<account>:root`, as in the default key policy KMS attaches when
  `KeyPolicy` is omitted) **and** a policy of the role allows `kms:Decrypt` on the key
  (for example the SAM policy template `KMSDecryptPolicy`).

The rule reports when neither holds. AWS managed keys (`alias/aws/sqs`,
`alias/aws/kinesis`) and SQS-managed encryption need no grant and are never reported;
keys outside the template, key policies or role policies it cannot read, a principal
it cannot resolve, a role defined elsewhere: no finding.

## Why is this bad?
Lambda reads the records with the execution role, and reading an encrypted message or
record needs `kms:Decrypt` on its key. Without it every poll fails with a KMS access
error: the mapping never delivers a message.

## Example
```yaml
Key:
  Type: AWS::KMS::Key
  Properties:
    KeyPolicy:
      Statement:
        - Effect: Allow
          Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
          Action: kms:*
          Resource: "*"
Queue:
  Type: AWS::SQS::Queue
  Properties:
    KmsMasterKeyId: !Ref Key
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Jobs: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}   # role has no kms:Decrypt
```

## Fix
Allow `kms:Decrypt` on the key in the execution role (SAM: `KMSDecryptPolicy` with
`KeyId: !Ref Key`), or name the role as a principal of a `kms:Decrypt` statement in the
key policy.

## Options
- `check-kinesis` (default `true`): also check Kinesis streams. AWS documents the
  requirement for SQS; for Kinesis it follows from how KMS works (reads of an encrypted
  stream fail with `KMSAccessDeniedException`).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
- https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
- https://docs.aws.amazon.com/streams/latest/dev/permissions-user-cmk.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.1.

from esmlint.iam import Tri, allows
from esmlint.model import Policy, Resource, ref_token
from esmlint.resource_policy import grants
from esmlint.rule import Severity, option, report, source_label, where
from esmlint.values import Sym, as_bool

ID = "ESM202"
NAME = "missing-kms-decrypt"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "iam", "kms")
OPTIONS = {"check-kinesis": True}

ACTION = "kms:Decrypt"
LABELS = {"sqs": "SQS queue", "kinesis": "Kinesis stream"}


def key_of(model, value, depth=0):
    """The ``AWS::KMS::Key`` of the template a key ID / ARN / alias value names, or None."""
    if depth > 3 or not value.known:
        return None
    token = ref_token(value)
    if token is not None:
        res = model.resources.get(token.ref)
        if res is None:
            return None
        if res.kind == "kms" and token.name in ("Ref", "Arn", "KeyId", "arn", "key_id", "id"):
            return res
        if res.kind == "kms-alias" and token.name == "Ref":  # Ref of an alias: its name
            return key_of(model, res.get("target_key"), depth + 1)
        return None
    text = value.value
    if not isinstance(text, (str, Sym)):
        return None
    for res in model.resources.values():
        if res.kind == "kms" and res.arn is not None and res.arn == text:
            return res
        if res.kind == "kms-alias":
            name = res.get("name")
            if name.known and name.value == text:
                return key_of(model, res.get("target_key"), depth + 1)
    return None


def key_policy_grants(key, role):
    """(the key policy grants the role directly, it leaves access to IAM policies)."""
    value = key.get("key_policy")
    policy = value.value if value.known and isinstance(value.value, Policy) else None
    return grants(policy, role, ACTION, key.arn)


def check(model, options):
    for fn, source in model.poll_sources(("sqs", "kinesis")):
        role, stream = fn.role, source.resource
        if role is None or not isinstance(stream, Resource):
            continue
        if source.kind == "kinesis" and not as_bool(
                option(options, fn.options, ID, "check-kinesis", True)):
            continue
        key = key_of(model, stream.get("kms_key"))
        if key is None or key.arn is None:
            continue  # not encrypted, an AWS managed key, or a key outside the template
        direct, delegated = key_policy_grants(key, role)
        if direct is not Tri.NO:
            continue
        iam = allows(role, ACTION, key.arn)
        if delegated is not Tri.NO and iam.value is not Tri.NO:
            continue
        what = LABELS[source.kind]
        items = "messages" if source.kind == "sqs" else "records"
        default_policy = key.get("key_policy").is_default
        if delegated is Tri.NO:
            why = (f"the key policy of {key.id} does not name the role and gives IAM policies "
                   f"no say (no statement for the account root), so no role policy can help")
            fix = (f"add a statement allowing {ACTION} to the role (or to the account root, "
                   f"arn:aws:iam::<account>:root) in the key policy of {key.id}")
        else:
            lets = "KMS's default key policy (no KeyPolicy is set)" if default_policy else \
                f"the key policy of {key.id}"
            why = (f"{lets} leaves access to IAM policies, and no policy of the role allows "
                   f"{ACTION} on {key.id}")
            if fn.is_sam and role.sam_generated:
                fix = f"add the policy template KMSDecryptPolicy (KeyId: !Ref {key.id}) to " \
                      f"the Policies of {fn.id}"
            elif model.format in ("sam", "cloudformation"):
                fix = f"allow {ACTION} on !GetAtt {key.id}.Arn in a policy of role {role.id}"
            else:
                fix = f"allow {ACTION} on the ARN of {key.id} in a policy of role {role.id}"
        generated = " (generated by SAM)" if role.sam_generated else ""
        yield report(
            source.loc,
            f"the {what} {stream.id} read by {source_label(source)} of function {fn.id} is "
            f"encrypted with KMS key {key.id}, but execution role {role.id}{generated} may "
            f"not call {ACTION} on it: {why}. Lambda cannot read the {items}. To fix, {fix}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.id}:{key.id}",
        )

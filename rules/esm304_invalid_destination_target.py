"""A destination or dead-letter target is of a kind that place does not accept.

## What it does
Checks every asynchronous destination (`EventInvokeConfig` `OnSuccess` / `OnFailure`),
dead-letter queue (`DeadLetterConfig` / SAM `DeadLetterQueue`) and event source mapping
`OnFailure` destination whose target it can identify (a resource of the template, or an
ARN whose service is written out):

- a dead-letter queue must be a standard SQS queue or SNS topic;
- an asynchronous destination must be a standard SQS queue or SNS topic, a function, an
  event bus, or (on failure only) an S3 bucket;
- a mapping's `OnFailure` destination must be an SQS queue, SNS topic or S3 bucket;
- a destination written as `!Ref` of a queue (its URL) or of a function, bus or bucket
  (its name) is not an ARN;
- a destination written as a literal that is not an ARN (`my-sqs-arn`, `arn`) is
  rejected too (cfn-lint reports it as a pattern error); a Kafka topic
  (`kafka://topic`) is a valid mapping destination, and a parameter or variable default
  is left alone (usually a placeholder replaced at deploy time);
- SAM: `DeadLetterQueue.Type` must be `SQS` or `SNS`; `EventInvokeConfig` destination
  `Type` must be one of `SQS`, `SNS`, `Lambda`, `EventBridge`, `S3Bucket` (SAM rejects
  `S3` and a missing `Type`); an event's `DestinationConfig.OnFailure.Type` must be
  `SQS`, `SNS`, `S3` or `Kafka`; and the `Type` must match what the ARN is.

## Why is this bad?
CloudFormation and the SAM translator reject wrong types and non-ARNs, and the deploy
fails. FIFO queues and topics are accepted but Lambda cannot deliver to them: failed
events are dropped and only the `DestinationDeliveryFailures` / `DeadLetterErrors`
metrics tell. A SAM `Type` that does not match the target makes SAM grant the wrong
permission, so delivery fails at run time.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    DeadLetterQueue:
      Type: SQS
      TargetArn: !GetAtt Jobs.Arn        # Jobs is a FIFO queue
    EventInvokeConfig:
      DestinationConfig:
        OnFailure:
          Type: S3                        # SAM wants S3Bucket
          Destination: !GetAtt Failures.Arn
```

## Fix
Point failure handling at a standard queue or topic (or, for destinations, a function,
an event bus or an S3 bucket on failure), written as its ARN (`!GetAtt Queue.Arn`). Use
the SAM `Type` that matches the target.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
- https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventinvokeconfiguration.html
- https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-deadletterqueue.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections B.4, B.5, B.6.

from esmlint.model import Function, ref_token
from esmlint.rule import Severity, report
from esmlint.targets import ESM_ON_FAILURE, LABEL, destinations, target
from esmlint.values import Sym, as_bool, provenance

ID = "ESM304"
NAME = "invalid-destination-target"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "async")

#: SAM Type -> the target kind it is for, per place (spec B.6, F.5).
SAM_DLQ_TYPES = {"SQS": "sqs", "SNS": "sns"}
SAM_ASYNC_TYPES = {"SQS": "sqs", "SNS": "sns", "Lambda": "lambda", "EventBridge": "eventbus",
                   "S3Bucket": "s3"}
SAM_ESM_TYPES = {"SQS": "sqs", "SNS": "sns", "S3": "s3", "Kafka": "kafka"}

#: (resource kind, attribute) of a Ref that gives something other than an ARN.
NOT_ARN = {("sqs", "Ref"): "the queue URL", ("eventbus", "Ref"): "the event bus name",
           ("s3", "Ref"): "the bucket name"}


def not_an_arn(model, value) -> str:
    """What a Ref gives instead of an ARN, or "" when the value may be an ARN."""
    token = ref_token(value)
    if token is None:
        return ""
    if model.function(token.ref) is not None:
        return "the function name" if token.name == "Ref" else ""
    res = model.resources.get(token.ref)
    if res is None:
        return ""
    return NOT_ARN.get((res.kind, token.name), "")


def literal_not_arn(value) -> str | None:
    """The text of a destination written as a literal that is not an ARN, else None.

    Only a value written in the template counts: a parameter or variable default is
    usually a placeholder replaced at deploy time (its own pattern is the parameter's
    business). A Kafka topic (``kafka://...``) is a valid mapping destination.
    """
    raw = value.value
    text = raw.literal() if isinstance(raw, Sym) else raw
    if not isinstance(text, str) or not text.strip():
        return None
    if text.startswith(("arn:", "kafka://")):
        return None
    if provenance(value).startswith("the default of"):
        return None
    return text


def is_fifo(found) -> bool:
    """Whether a target is certainly a FIFO queue or topic."""
    if found.kind not in ("sqs", "sns"):
        return False
    res = found.resource
    if res is not None and not isinstance(res, Function):
        fifo = res.get("fifo")
        return fifo.known and as_bool(fifo.value) is True
    arn = found.arn
    tail = arn.parts[-1] if isinstance(arn, Sym) and arn.parts else arn
    return isinstance(tail, str) and tail.endswith(".fifo")


def sam_types(model):
    """(place, Type value, accepted types, target value, resource, key) of SAM Types."""
    for fn in model.functions:
        if not fn.is_sam:
            continue
        if not fn.dead_letter.absent or not fn.dead_letter_type.absent:
            yield ("DeadLetterQueue", fn.dead_letter_type, SAM_DLQ_TYPES, fn.dead_letter,
                   fn, fn.id, f"{fn.id}:DeadLetterQueue")
        for config in fn.invoke_configs:
            if not config.origin:
                continue
            for when, dtype, value in (("OnSuccess", config.on_success_type, config.on_success),
                                       ("OnFailure", config.on_failure_type, config.on_failure)):
                if dtype.absent and value.absent:
                    continue
                yield (f"EventInvokeConfig {when}", dtype, SAM_ASYNC_TYPES, value, fn,
                       config.origin, f"{fn.id}:{config.id}:{when}")
        for source in fn.sources:
            dtype = source.setting("DestinationConfig.OnFailure.Type")
            if not source.sam_event or dtype.absent:
                continue
            event = source.extra.get("event", source.id)
            yield (f"{source.sam_event} event {event} OnFailure", dtype, SAM_ESM_TYPES,
                   source.setting("DestinationConfig.OnFailure.Destination"), fn, fn.id,
                   f"{fn.id}:{source.id}:OnFailure")


def check(model, options):
    cfn = model.format in ("cloudformation", "sam")
    for fn in model.functions:
        for dest in destinations(fn):
            base = f"function {fn.id}: the {dest.what}"
            wrong = not_an_arn(model, dest.value)
            if wrong:
                token = ref_token(dest.value)
                yield report(
                    dest.loc,
                    f"{base} is !Ref {token.ref}, which gives {wrong}, not an ARN: the "
                    f"deploy fails. Use the ARN (!GetAtt <resource>.Arn).",
                    resource=dest.resource, function=fn.id, key=f"{dest.key}:arn")
                continue
            text = literal_not_arn(dest.value)
            if text is not None:
                example = "!GetAtt <queue>.Arn" if cfn else "aws_sqs_queue.<name>.arn"
                yield report(
                    dest.loc,
                    f"{base} is {text!r}, which is not an ARN: the Lambda API rejects it "
                    f"and the deploy fails. Use the target's ARN, for example {example}.",
                    resource=dest.resource, function=fn.id, key=f"{dest.key}:literal")
                continue
            found = target(model, dest.value)
            if found is None:
                continue
            onsuccess = "OnSuccess" in dest.what
            if found.kind not in dest.accepts or (onsuccess and found.kind == "s3"):
                allowed = ", ".join(LABEL[k] for k in dest.accepts
                                    if not (onsuccess and k == "s3"))
                extra = " (S3 buckets only take on-failure records)" if (
                    onsuccess and found.kind == "s3") else ""
                yield report(
                    dest.loc,
                    f"{base} is {found.label}{extra}, which it does not accept: only "
                    f"{allowed}. Point it at one of those.",
                    resource=dest.resource, function=fn.id, key=f"{dest.key}:kind")
                continue
            if is_fifo(found) and dest.accepts != ESM_ON_FAILURE:  # mappings may use FIFO
                yield report(
                    dest.loc,
                    f"{base} is the FIFO {found.label}: Lambda cannot deliver to FIFO queues "
                    f"or topics, so failed events are dropped (DestinationDeliveryFailures / "
                    f"DeadLetterErrors). Use a standard queue or topic.",
                    resource=dest.resource, function=fn.id, key=f"{dest.key}:fifo")
    for place, dtype, accepted, value, fn, resource, key in sam_types(model):
        loc = dtype.loc or value.loc or fn.loc
        names = ", ".join(accepted)
        if dtype.absent:
            yield report(
                loc,
                f"function {fn.id}: SAM {place} has no Type, which SAM requires: the SAM "
                f"transform fails. Add Type ({names}).",
                resource=resource, function=fn.id, key=f"{key}:type")
            continue
        if not dtype.known or not isinstance(dtype.value, str):
            continue
        if dtype.value not in accepted:
            hint = " (S3 buckets are S3Bucket here)" if dtype.value == "S3" and \
                "S3Bucket" in accepted else ""
            yield report(
                loc,
                f"function {fn.id}: SAM {place} has Type {dtype.value}{hint}, which the SAM "
                f"transform rejects: it takes {names}.",
                resource=resource, function=fn.id, key=f"{key}:type")
            continue
        if not_an_arn(model, value):
            continue
        found = target(model, value)
        if found is None or found.kind == accepted[dtype.value]:
            continue
        yield report(
            loc,
            f"function {fn.id}: SAM {place} has Type {dtype.value} but its target is "
            f"{found.label}: SAM grants the permission for the wrong kind of target and "
            f"delivery fails. Set Type to match the target.",
            resource=resource, function=fn.id, key=f"{key}:mismatch")

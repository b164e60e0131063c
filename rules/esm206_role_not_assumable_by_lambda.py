"""The execution role's trust policy does not let Lambda assume it.

## What it does
For every role in the template that a function uses as its execution role, reads the
role's trust policy (`AssumeRolePolicyDocument`, written as YAML, as a JSON string or as
a `Fn::Sub`'ed JSON string; for a SAM function, its own `AssumeRolePolicyDocument`) and
asks whether some `Allow` statement grants `sts:AssumeRole` to the service principal
`lambda.amazonaws.com` (a string or a list under `Service`; `*` and wildcards in `Action`
count). Roles no function of the template uses are not checked.

It stays silent where it cannot see: a trust policy it cannot read, a principal or
action it cannot resolve (a parameter without default, `${AWS::URLSuffix}`), a statement
with `NotPrincipal`, or a principal of `*`.

## Why is this bad?
Lambda runs the function, and polls its event sources, with credentials it gets by
assuming the execution role. If the trust policy does not name `lambda.amazonaws.com`,
creating the function fails: *"The role defined for the function cannot be assumed by
Lambda"*, and so does the stack.

## Example
```yaml
Role:
  Type: AWS::IAM::Role
  Properties:
    AssumeRolePolicyDocument:
      Statement:
        - Effect: Allow
          Principal: {Service: ec2.amazonaws.com}   # not Lambda
          Action: sts:AssumeRole
Fn:
  Type: AWS::Lambda::Function
  Properties:
    Role: !GetAtt Role.Arn
```

## Fix
Add `lambda.amazonaws.com` to the `Service` principals of an `Allow` statement for
`sts:AssumeRole` in the role's trust policy (Lambda@Edge functions need
`edgelambda.amazonaws.com` as well).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.1.

from esmlint.iam import Tri, any_of, match_action, match_arn
from esmlint.rule import Severity, report
from esmlint.values import Sym

ID = "ESM206"
NAME = "role-not-assumable-by-lambda"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "iam")

PRINCIPAL = "lambda.amazonaws.com"
ACTION = "sts:AssumeRole"


def names_lambda(principal):
    """Does one trust policy principal stand for the Lambda service?"""
    if not principal.known:
        return Tri.UNKNOWN
    value = principal.value
    if isinstance(value, Sym):
        text = value.literal()
        if text is None:
            # lambda.${AWS::URLSuffix} may be it; states.${AWS::Region}.amazonaws.com and
            # arn:aws:iam::${AWS::AccountId}:root cannot be, whatever the tokens are.
            could = match_arn(PRINCIPAL, value)
            return Tri.NO if could is Tri.NO else Tri.UNKNOWN
        value = text
    if not isinstance(value, str):
        return Tri.UNKNOWN
    if value == PRINCIPAL:
        return Tri.YES
    lowered = value.strip().lower()
    if value == "*" or lowered == PRINCIPAL or (
            lowered.startswith("lambda.") and ".amazonaws.com" in lowered):
        return Tri.UNKNOWN  # anyone, or a spelling of the principal we do not judge
    return Tri.NO


def allows_action(statement):
    """Does the statement's Action (or NotAction) cover sts:AssumeRole?"""
    if statement.actions is not None:
        return any_of(_action(val) for val in statement.actions)
    if statement.not_actions is not None:
        excluded = any_of(_action(val) for val in statement.not_actions)
        return {Tri.YES: Tri.NO, Tri.NO: Tri.YES}.get(excluded, Tri.UNKNOWN)
    return Tri.UNKNOWN


def _action(val):
    if not val.known or not isinstance(val.value, (str, Sym)):
        return Tri.UNKNOWN
    return match_action(val.value, ACTION)


def trusts_lambda(trust):
    """YES / NO / UNKNOWN: does the trust policy let lambda.amazonaws.com assume the role?"""
    if trust is None or trust.unresolved:
        return Tri.UNKNOWN
    answers = []
    for statement in trust.statements:
        if statement.unresolved:
            answers.append(Tri.UNKNOWN)
            continue
        if statement.effect != "Allow":
            continue  # a Deny can only take away: at worst a missed finding
        if not statement.principals:
            answers.append(Tri.UNKNOWN)  # NotPrincipal, or no principal we could read
            continue
        who = any_of(names_lambda(p) for p in statement.principals)
        action = allows_action(statement)
        answers.append(Tri.NO if Tri.NO in (who, action) else
                       Tri.YES if who is Tri.YES and action is Tri.YES else Tri.UNKNOWN)
    return any_of(answers)


def why_not(trust):
    """What the trust policy allows instead, for the message."""
    principals: list[str] = []
    actions: list[str] = []
    for statement in trust.statements:
        if statement.effect != "Allow":
            continue
        named = [p for p in statement.principals or () if names_lambda(p) is Tri.YES]
        if named:
            actions.extend(v.text() for v in statement.actions or ())
            actions.extend(f"NotAction {v.text()}" for v in statement.not_actions or ())
        for principal in statement.principals or ():
            if principal.text() not in principals:
                principals.append(principal.text())
    if actions:
        return f"allows {PRINCIPAL} only {', '.join(actions)}, not {ACTION}"
    if not principals:
        return f"has no Allow statement for {PRINCIPAL}"
    return f"trusts {', '.join(principals)}, not the service principal {PRINCIPAL}"


def check(model, options):
    users: dict = {}
    for fn in model.functions:
        if fn.role is not None:
            users.setdefault(id(fn.role), (fn.role, []))[1].append(fn.id)
    for role, functions in users.values():
        trust = role.trust
        if trusts_lambda(trust) is not Tri.NO:
            continue
        names = ", ".join(sorted(functions))
        plural = "functions" if len(functions) > 1 else "function"
        loc = trust.loc if trust.loc is not None and trust.loc.line else role.loc
        where = f"the AssumeRolePolicyDocument of {role.origin}" if role.sam_generated \
            else f"the trust policy of {role.id}"
        yield report(
            loc,
            f"execution role {role.id} of {plural} {names} cannot be assumed by Lambda: "
            f"{where} {why_not(trust)}. Creating the function fails (\"The role "
            f"defined for the function cannot be assumed by Lambda\"). Add {PRINCIPAL} "
            f"under Principal.Service of an Allow statement for {ACTION}.",
            resource=role.origin or role.id,
            function=sorted(functions)[0],
            key=role.id,
        )

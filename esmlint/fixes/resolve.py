"""Turn the changes a rule asked for into text edits, with the writer of each file's format.

The runner calls :func:`resolve` for a file (or a Terraform module) it has just linted,
with the texts it read: each finding's :class:`~esmlint.fixes.Fix` gets its
:class:`~esmlint.fixes.Edit` list, or is dropped and the finding says why
(``finding.fix_note``). A fix is only ever made in a file that was linted (named, or
found in a directory walk) and parsed; generated files (CDK output, Terraform plans) get
none, since they would be overwritten: the fix belongs in the code that makes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..findings import Finding
from . import AppendItem, AttachManagedPolicy, Edit, Fix, SetProperty
from .yaml import NoFix

#: Serverless Framework event keys for the event source mapping settings fixes add.
SERVERLESS_EVENT_KEYS = {
    "BatchSize": "batchSize",
    "MaximumRetryAttempts": "maximumRetryAttempts",
    "BisectBatchOnFunctionError": "bisectBatchOnFunctionError",
    "MaximumBatchingWindowInSeconds": "maximumBatchingWindow",
}
#: ... except on ``stream`` events, where the batching window has its own key.
SERVERLESS_STREAM_KEYS = {**SERVERLESS_EVENT_KEYS,
                          "MaximumBatchingWindowInSeconds": "batchWindow"}


class Resolver:
    """Edits for the findings of one linted unit: a file, or a Terraform module's files.

    ``texts`` maps each file that may be edited to its decoded text; ``generated`` says
    why the unit takes no fix at all ("" when it may); ``unfixable(rule_id)`` says why a
    rule's fixes are turned off for a path, or "".
    """

    def __init__(self, texts: Mapping[str, str], model_format: str, generated: str = "",
                 unfixable: Any = None) -> None:
        self.texts = texts
        self.format = model_format
        self.generated = generated
        self.unfixable = unfixable
        self._writers: dict[str, Any] = {}

    def resolve(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            fix = finding.fix
            if not isinstance(fix, Fix):
                continue
            if fix.edits:
                continue
            turned_off = self.unfixable(finding.rule, finding.path) if self.unfixable else ""
            reason = self.generated or turned_off
            if not reason:
                try:
                    edits = self.edits(fix.changes)
                except NoFix as exc:
                    reason = str(exc)
                except Exception as exc:  # noqa: BLE001 - a writer's bug costs the fix only
                    reason = (f"internal error while making the fix: {type(exc).__name__}: "
                              f"{exc} — please report this bug")
                else:
                    fix.edits = tuple(self.positioned(edit) for edit in dict.fromkeys(edits))
                    continue
            finding.fix = None
            finding.fix_note = reason

    def positioned(self, edit: Edit) -> Edit:
        """The edit with the lines and columns of its offsets."""
        return Edit(edit.path, edit.start, edit.end, edit.content,
                    position(self.texts, edit.path, edit.start),
                    position(self.texts, edit.path, edit.end))

    # -- writers -----------------------------------------------------------------------
    def writer(self, path: str) -> tuple[str, Any]:
        found = self._writers.get(path)
        if found is not None:
            return found
        text = self.texts.get(path)
        if text is None:
            raise NoFix(f"{path} is not among the files linted, so it is not changed")
        lower = path.lower()
        if lower.endswith(".tf"):
            from .hcl import HclWriter

            found = ("hcl", HclWriter(text))
        else:
            from .yaml import Tree, Writer

            json_syntax = lower.endswith(".json") or (
                not lower.endswith((".yaml", ".yml")) and text.lstrip("\ufeff \t\r\n")
                .startswith("{") and _is_json(text))
            kind = "tf.json" if lower.endswith(".tf.json") else (
                "json" if json_syntax else "yaml")
            found = (kind, Writer(Tree(text, json_syntax)))
        self._writers[path] = found
        return found

    def edits(self, changes: Iterable[Any]) -> list[Edit]:
        """The edits of a fix's changes; properties added to one owner become one edit."""
        edits: list[Edit] = []
        added: dict[Any, list[SetProperty]] = {}
        for change in changes:
            if isinstance(change, SetProperty) and change.at is None:
                if change.owner is None:
                    raise NoFix(f"nothing to add {change.name} to")
                added.setdefault(change.owner, []).append(change)
            elif isinstance(change, SetProperty):
                edits.append(self._replace(change))
            elif isinstance(change, AppendItem):
                edits.append(self._append(change))
            elif isinstance(change, AttachManagedPolicy):
                edits.append(self._attach(change))
            else:  # pragma: no cover - the rules' helpers make only these
                raise NoFix(f"unknown change {type(change).__name__}")
        for owner, group in added.items():
            edits.extend(self._add(owner, group))
        return edits

    def _replace(self, change: SetProperty) -> Edit:
        path = change.at.path
        kind, writer = self.writer(path)
        start, end, content = writer.replace(change.at.line, change.at.column, change.old,
                                             change.new)
        return Edit(path, start, end, content)

    def _add(self, owner: Any, changes: list[SetProperty]) -> list[Edit]:
        kind, writer = self.writer(owner.path)
        if kind == "hcl":
            items = [(terraform_name(change.name), change.new) for change in changes]
            start, end, content = writer.add_arguments(owner.line, owner.column, items)
            return [Edit(owner.path, start, end, content)]
        node = writer.owner(owner.line, owner.column)
        tree: dict = {}
        for change in changes:
            keys = self._keys(kind, writer, owner, node, change.name)
            level = tree
            for key in keys[:-1]:
                level = level.setdefault(key, {})
            level[keys[-1]] = change.new
        return [Edit(owner.path, start, end, content)
                for start, end, content in writer.insert(node, tree)]

    def _keys(self, kind: str, writer: Any, owner: Any, node: Any, name: str
              ) -> tuple[str, ...]:
        """Where a property sits below what is declared at ``owner``, in the file's names."""
        if kind == "tf.json":
            where = writer.tree.path(node)
            if len(where) != 3 or where[0] != "resource":
                raise NoFix(f"{'.'.join(where) or 'the block'} is not a resource: its "
                            "arguments are not the resource's")
            return (terraform_name(name),)
        if "Type" in node.keys():  # a CloudFormation resource or a SAM event
            return ("Properties", *name.split("."))
        if self.format == "serverless":
            key, _ = writer.tree.entry(owner.line, owner.column)
            table = SERVERLESS_STREAM_KEYS if key.text == "stream" else SERVERLESS_EVENT_KEYS
            if name not in table:
                raise NoFix(f"esmlint does not know the serverless.yml key for {name}")
            return (table[name],)
        raise NoFix("what the fix changes is not written as a resource with a Type")

    def _append(self, change: AppendItem) -> Edit:
        owner = change.owner
        kind, writer = self.writer(owner.path)
        if kind == "hcl":
            raise NoFix(f"adding to {change.name} is not automated in HCL")
        node = writer.owner(owner.line, owner.column)
        keys = self._keys(kind, writer, owner, node, change.name)
        start, end, content = writer.append(node, keys, change.item)
        return Edit(owner.path, start, end, content)

    def _attach(self, change: AttachManagedPolicy) -> Edit:
        owner = change.owner
        kind, writer = self.writer(owner.path)
        if kind == "hcl":
            return self._attach_hcl(change, writer)
        if kind == "tf.json":
            return self._attach_tf_json(change, writer)
        arn = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/" + change.policy}
        node = writer.owner(owner.line, owner.column)
        start, end, content = writer.append(node, ("Properties", "ManagedPolicyArns"), arn)
        return Edit(owner.path, start, end, content)

    def _attach_hcl(self, change: AttachManagedPolicy, writer: Any) -> Edit:
        import re

        owner, text = change.owner, writer.hcl.text
        address = _role_address(change.role)
        partition = re.search(r'data\s+"aws_partition"\s+"([\w-]+)"', text)
        prefix = f"arn:${{data.aws_partition.{partition.group(1)}.partition}}" if partition \
            else "arn:aws"
        arn = f"{prefix}:iam::aws:policy/{change.policy}"
        listed = writer.append_to_list(owner.line, owner.column, "managed_policy_arns", arn)
        if listed is not None:
            start, end, content = listed
            if partition:  # hcl_value escaped the interpolation: it is meant here
                content = content.replace("$${", "${")
            return Edit(owner.path, start, end, content)
        if "aws_iam_role_policy_attachments_exclusive" in text:
            raise NoFix("the role's policy attachments are managed exclusively "
                        "(aws_iam_role_policy_attachments_exclusive)")
        name = attachment_name(address, change.policy, text)
        block = "\n".join([
            f'resource "aws_iam_role_policy_attachment" "{name}" {{',
            f"  role       = {address}.name",
            f'  policy_arn = "{arn}"',
            "}",
        ])
        start, end, content = writer.add_block_after(owner.line, owner.column, block)
        return Edit(owner.path, start, end, content)

    def _attach_tf_json(self, change: AttachManagedPolicy, writer: Any) -> Edit:
        address = _role_address(change.role)
        root = writer.tree.root
        if root is None or root.kind != "map":
            raise NoFix("the file is not a JSON object")
        name = attachment_name(address, change.policy, writer.tree.text)
        body = {"role": f"${{{address}.name}}",
                "policy_arn": f"arn:aws:iam::aws:policy/{change.policy}"}
        # One mapping grows: the deepest of resource / aws_iam_role_policy_attachment the
        # file already has (the name is new, so nothing below it exists).
        (start, end, content), = writer.insert(
            root, {"resource": {"aws_iam_role_policy_attachment": {name: body}}})
        return Edit(change.owner.path, start, end, content)


def _role_address(role: str) -> str:
    if not role.startswith("aws_iam_role.") or "[" in role or role.count(".") != 1:
        raise NoFix(f"the role {role} is not a plain aws_iam_role of this module")
    return role


def attachment_name(address: str, policy: str, text: str) -> str:
    """A name for a new ``aws_iam_role_policy_attachment`` that the file does not use."""
    import re

    short = policy.rsplit("/", 1)[-1]
    short = re.sub(r"^AWSLambda|Role$", "", short) or short  # SQSQueueExecution
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", short).lower()
    base = re.sub(r"[^\w-]", "_", address.split(".", 1)[1] + "_" + words)
    name, number = base, 1
    while f'"{name}"' in text:
        number += 1
        name = f"{base}_{number}"
    return name


def terraform_name(name: str) -> str:
    """A CloudFormation property name as the AWS provider spells the argument."""
    from ..terms import TERRAFORM

    translated = TERRAFORM.get(name)
    if translated is None or "." in translated or " " in translated:
        raise NoFix(f"esmlint does not know the Terraform argument for {name}")
    return translated


def _is_json(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def position(texts: Mapping[str, str], path: str, offset: int) -> tuple[int, int]:
    """(line, column), both 1-based, of a character offset of one of ``texts``."""
    text = texts.get(path, "")
    before = text[:offset]
    line = before.count("\n") + 1 if "\n" in text else before.count("\r") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, offset - start + 1

"""Functions an invoker names but the file does not define, shared by every front end.

A mapping, subscription, rule target or invoke config often names a function that lives
elsewhere: a literal ``FunctionName: my-function``, a parameter, an import, a Terraform
data source or the output of a module esmlint does not read. Dropping such an invoker
would lose every finding about its own settings (retries, batch size, filters), so the
front ends keep it on an external function (:func:`esmlint.model.outside_function`),
named as written. Invokers that write the same name in the same scope share one
function, which lets duplicate-mapping and duplicate-invoke-config checks see them.
"""

from __future__ import annotations

import re

from ..model import Function, Model, outside_function
from ..values import Loc, Sym

#: A name that may stand for different functions per instance (``each.value.fn``...):
#: never shared between invokers.
_PER_INSTANCE = re.compile(r"(?<![\w.])(each|count|self)\.")
_ACCOUNT = re.compile(r"^\d{12}$")


def split_qualifier(text: str) -> tuple[str, str] | None:
    """(function as written without its qualifier, qualifier) of a literal function name,
    partial ARN or ARN; None for the ARN of something other than a function."""
    if text.startswith("arn:"):
        pieces = text.split(":")
        if len(pieces) < 7 or pieces[5] != "function" or not pieces[6]:
            return None
        if len(pieces) > 7:
            return ":".join(pieces[:7]), ":".join(pieces[7:])
        return text, ""
    pieces = text.split(":")
    if len(pieces) >= 3 and _ACCOUNT.match(pieces[0]) and pieces[1] == "function":
        return ":".join(pieces[:3]), ":".join(pieces[3:])  # 123456789012:function:name
    if len(pieces) == 2 and pieces[0] and pieces[1]:
        return pieces[0], pieces[1]
    return (text, "") if text else None


def sym_qualifier(sym: Sym) -> tuple[str, str]:
    """(written, qualifier) of a function name with deploy-time parts: the qualifier is a
    literal ``:name`` after the function part of an ARN."""
    text = written_sym(sym)
    index = text.find("function:")
    if index < 0:
        return text, ""
    start = index + len("function:")
    head, sep, after = text[start:].rpartition(":")
    if sep and head and after and "}" not in after:  # a rendered token ends with "}"
        return text[:start + len(head)], after
    return text, ""


def written_sym(sym: Sym) -> str:
    """A name with deploy-time parts as users write it: ``${AWS::Region}``, ``${Name}``."""
    return "".join(part if isinstance(part, str) else
                   "${" + part.ref + "}" if part.kind == "opaque" else part.render()
                   for part in sym.parts)


def lambda_arn_text(text: str) -> bool:
    """Whether a literal (or flattened) ARN is a Lambda function's."""
    pieces = text.split(":")
    return text.startswith("arn:") and len(pieces) >= 7 and pieces[2] == "lambda" and \
        pieces[5] == "function"


def bare_expression(text: str | None) -> str | None:
    """A Terraform argument's text as users name the value: ``module.fn.lambda_function_arn``
    for ``"${module.fn.lambda_function_arn}"``, the string for a quoted literal."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    match = _ONE_INTERPOLATION.match(text)
    if match is not None:
        return match.group(1).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and "${" not in text:
        return text[1:-1]
    return text or None


_ONE_INTERPOLATION = re.compile(r'^"?\$\{([^{}"]*)\}"?$')


class ExternalFunctions:
    """The external functions of one model, one per name as written (and scope)."""

    def __init__(self, model: Model, ftype: str) -> None:
        self.model = model
        self.ftype = ftype
        self.found: dict[str, Function] = {}

    def get(self, written: str, loc: Loc, reason: str, *, scope: str = "",
            shared: bool = True, owner: str = "", arn: Sym | None = None) -> Function:
        """The external function for ``written``; with ``shared`` False (or a name that
        differs per instance) one of its own, for the invoker ``owner``."""
        shared = shared and not _PER_INSTANCE.search(written)
        key = f"{scope}\0{written}" if shared else f"{scope}\0{written}\0{owner}"
        fn = self.found.get(key)
        if fn is None:
            shown = f"{written} (in {scope.rstrip('.')})" if scope else written
            fn = outside_function(shown, self.ftype, loc, reason, arn)
            self.found[key] = fn
            self.model.functions.append(fn)
        return fn

"""The compiled template of a ``serverless.yml`` into the model, through the CloudFormation
builder; then what only the Framework knows: which resources it generated for which
function, which settings are its defaults, and the invokers it wires at deploy time
through its own custom resources (``existing: true``)."""

from __future__ import annotations

from typing import Any

from ...model import ASYNC, SYNC, Model, Permission, Source
from ...values import ACCOUNT_ID as A
from ...values import PARTITION as P
from ...values import Loc, Sym, Token, Val, default, known, unknown
from ..cloudformation.builder import Builder
from ..cloudformation.intrinsics import Resolver
from .compile import Compiled
from .variables import Unresolved


class ServerlessResolver(Resolver):
    """The CloudFormation resolver, reading :class:`Unresolved` variables as Unknown."""

    def _resolve(self, node: Any, loc: Loc | None, depth: int) -> Val:
        if type(node) is Unresolved:
            return unknown(node.reason, loc)
        return super()._resolve(node, loc, depth)


class ServerlessBuilder(Builder):
    """:class:`Builder` over the Framework's compiled template (format ``serverless``)."""

    def __init__(self, path: str, compiled: Compiled) -> None:
        super().__init__(path, compiled.template, "serverless")
        self.resolver = ServerlessResolver(path, compiled.template)
        self.resolver.resources = dict(self.raw)
        self.compiled = compiled

    def build(self) -> Model:
        model = super().build()
        self.mark_generated(model)
        self.compiled = None  # type: ignore[assignment]  # no cycle through the template
        return model

    def link(self) -> None:
        super().link()
        for fid, rid, kind, mark, extra in self.compiled.existing:
            fn = self.model.function(fid)
            if fn is None:
                continue
            loc = Loc(self.path, *mark)
            if kind == "s3":
                self.existing_bucket(fn, rid, loc, extra)
            else:
                self.existing_pool(fn, rid, loc, extra)

    def existing_bucket(self, fn: Any, rid: str, loc: Loc, extra: dict) -> None:
        """``s3: {bucket, existing: true}``: the Framework's Custom::S3 handler adds the
        notification and ``lambda:AddPermission`` (principal s3, SourceArn the bucket,
        SourceAccount the account) when the stack deploys."""
        bucket = self.resolver.resolve(extra["bucket"], Loc(self.path, *extra["bucket_mark"]))
        events = self.resolver.resolve(extra["events"], Loc(self.path, *extra["events_mark"]))
        details: dict = {"events": events, "filter": extra["filter"], "existing": True}
        details.update(self.s3_filter(extra["filter"], loc))
        invoker = self.model_ref(bucket) or rid
        fn.sources.append(Source(rid, ASYNC, "s3", loc, fn, invoker=invoker, origin=fn.id,
                                 extra=details))
        name: Any = bucket.value if bucket.known and isinstance(bucket.value, (str, Sym)) \
            else None
        source_arn = known(Sym.of("arn:", P, ":s3:::", name), loc) if name is not None \
            else unknown(bucket.reason or "bucket not resolved", loc)
        self.model.permissions.append(Permission(
            rid + "Permission", loc, known(Sym.of(Token("attr", fn.id, "Arn")), loc),
            action=known("lambda:InvokeFunction", loc), principal=known("s3.amazonaws.com", loc),
            source_arn=source_arn, source_account=known(Sym.of(A), loc),
            qualifier=known("", loc), origin=fn.id, resolved=fn))
        self.model.origins[rid] = fn.id
        self.model.origins[rid + "Permission"] = fn.id

    def existing_pool(self, fn: Any, rid: str, loc: Loc, extra: dict) -> None:
        """``cognitoUserPool: {existing: true}``: the Custom::CognitoUserPool handler sets
        the trigger and adds the permission (principal cognito-idp) at deploy time."""
        pool = extra["pool"] if isinstance(extra["pool"], str) else rid
        fn.sources.append(Source(rid, SYNC, "cognito", loc, fn, invoker=pool, origin=fn.id,
                                 extra={"trigger": extra["trigger"], "existing": True}))
        self.model.permissions.append(Permission(
            rid + "Permission", loc, known(Sym.of(Token("attr", fn.id, "Arn")), loc),
            action=known("lambda:InvokeFunction", loc),
            principal=known("cognito-idp.amazonaws.com", loc),
            source_arn=unknown("the pool's ARN is known at deploy time", loc),
            qualifier=known("", loc), origin=fn.id, resolved=fn))
        self.model.origins[rid] = fn.id
        self.model.origins[rid + "Permission"] = fn.id

    def mark_generated(self, model: Model) -> None:
        """Generated parts name their function (``origin``), as SAM's do: findings about
        them and suppressions on the function's line reach the function."""
        compiled = self.compiled
        for rid, fid in compiled.origins.items():
            model.origins.setdefault(rid, fid)
        for fn in model.functions:
            _, written = compiled.functions.get(fn.id, ("", True))
            if not written and fn.timeout.known:
                fn.timeout = default(fn.timeout.value, fn.loc)  # the Framework's 6 s
            for source in fn.sources:
                fid = compiled.origins.get(source.id)
                if fid is None and source.id in compiled.generated:
                    fid = fn.id  # a topic, bucket or pool the Framework creates
                if fid:
                    source.origin = fid
                for name in compiled.defaults.get(source.id, ()):
                    value = source.settings.get(name)
                    if value is not None and value.known:
                        source.settings[name] = default(value.value, value.loc)
        for perm in model.permissions:
            if perm.id in compiled.origins:
                perm.origin = compiled.origins[perm.id]
        for config in model.invoke_configs:
            if config.id in compiled.origins:
                config.origin = compiled.origins[config.id]


def build_model(path: str, compiled: Compiled) -> Model:
    """The model of one compiled ``serverless.yml``."""
    return ServerlessBuilder(path, compiled).build()

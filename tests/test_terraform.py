"""Terraform front ends: expressions, module evaluation, plan references, integration.

The fixtures (``fixtures/ESMxxx/*.tf``, ``fixtures/tf``) show each rule on Terraform; these
tests pin the front ends' own promises: what is evaluated, what stays unknown (and so
gives no finding), how modules, ``count`` / ``for_each``, ``dynamic`` blocks and plan
references are read.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from esmlint.loaders import load_text
from esmlint.loaders.terraform.configuration import connected_files, load_module
from esmlint.loaders.terraform.expressions import (
    Evaluator,
    JsonDoc,
    Unknown,
    parse_expression,
    parse_template,
)
from esmlint.runner import lint_paths
from esmlint.values import Sym, Token

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

FUNCTION = """
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/worker"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "worker.zip"
  timeout       = %s
}
"""


def evaluate(text: str, variables: dict | None = None):
    variables = variables or {}

    def resolve(name, steps):
        if name == "var":
            key = steps[0][1]
            return variables.get(key, Unknown(f"var.{key}")), 1
        return Sym.of(Token("attr", f"{name}.{steps[0][1]}", steps[1][1])), 2

    return Evaluator(resolve).eval(parse_expression(text))


def model_of(tmp_path: Path, text: str, name: str = "main.tf"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    load = load_module(str(tmp_path), {str(path): path.read_text(encoding="utf-8")})
    assert not load.errors, load.errors
    return load.model


def rules_of(path: Path) -> set[str]:
    return {f.rule for f in lint_paths([str(path)]).findings}


# --------------------------------------------------------------------------- expressions


class TestExpressions:
    def test_arithmetic_conditionals_and_functions(self) -> None:
        assert evaluate("var.t * 6 + 10", {"t": 20}) == 130
        assert evaluate('var.t > 5 ? "long" : "short"', {"t": 20}) == "long"
        assert evaluate("max(var.a, 3)", {"a": 7}) == 7
        assert evaluate('lookup({a = 1}, "b", 9)') == 9
        assert evaluate('try(var.m.missing, "fallback")', {"m": {}}) == "fallback"
        assert evaluate('format("%s-%d", "q", 3)') == "q-3"
        assert evaluate("[for k, v in {a = 1, b = 2} : v * 10 if v > 1]") == [20]
        assert evaluate('"${var.p}-jobs"', {"p": "prod"}) == "prod-jobs"

    def test_references_stay_symbolic(self) -> None:
        value = evaluate('"${aws_sqs_queue.q.arn}/*"')
        assert value == Sym.of(Token("attr", "aws_sqs_queue.q", "arn"), "/*")

    def test_jsonencode_keeps_structure_with_references(self) -> None:
        plain = evaluate('jsonencode({maxReceiveCount = 5, a = ["x"]})')
        assert json.loads(plain) == {"maxReceiveCount": 5, "a": ["x"]}
        doc = evaluate("jsonencode({deadLetterTargetArn = aws_sqs_queue.dlq.arn})")
        assert isinstance(doc, JsonDoc)
        assert doc.value["deadLetterTargetArn"] == Sym.of(Token("attr", "aws_sqs_queue.dlq",
                                                                "arn"))

    def test_unknown_is_contagious_never_guessed(self) -> None:
        assert isinstance(evaluate("var.missing * 6"), Unknown)
        assert isinstance(evaluate('var.missing ? 10 : 20'), Unknown)
        assert evaluate('var.missing ? 10 : 10') == 10
        assert isinstance(evaluate('templatefile("x.tpl", {})'), Unknown)
        assert isinstance(evaluate("aws_sqs_queue.q.arn == \"x\""), Unknown)

    def test_heredocs_and_templates(self) -> None:
        assert evaluate('<<-EOT\n    {"a": ${var.n}}\n    EOT', {"n": 1}) == '{"a": 1}\n'
        assert evaluate('"a%{ if true }b%{ endif }"').__class__ is Unknown
        node = parse_template("${aws_sqs_queue.q.arn}")
        resolved = Evaluator(lambda n, s: (Sym.of(Token("attr", f"{n}.{s[0][1]}", s[1][1])),
                                           2)).eval(node)
        assert resolved == Sym.of(Token("attr", "aws_sqs_queue.q", "arn"))
        escaped = Evaluator(lambda n, s: (None, 0)).eval(parse_template("plain $${not} text"))
        assert escaped == "plain ${not} text"


# --------------------------------------------------------------------------- configuration


class TestConfiguration:
    def test_variables_locals_and_tfvars(self, tmp_path: Path) -> None:
        (tmp_path / "terraform.tfvars").write_text("timeout = 45\n", encoding="utf-8")
        model = model_of(tmp_path, """
            variable "timeout" { default = 10 }
            locals { doubled = var.timeout * 2 }
        """ + FUNCTION % "local.doubled")
        assert model.functions[0].timeout.value == 90

    def test_count_zero_removes_and_unknown_count_is_conditional(self, tmp_path: Path
                                                                  ) -> None:
        model = model_of(tmp_path, """
            variable "create" { default = false }
            variable "maybe" {}
            resource "aws_sqs_queue" "gone" { count = var.create ? 1 : 0 }
            resource "aws_sqs_queue" "maybe" { count = var.maybe ? 1 : 0 }
            resource "aws_lambda_event_source_mapping" "m" {
              count            = var.maybe ? 1 : 0
              event_source_arn = aws_sqs_queue.maybe[0].arn
              function_name    = aws_lambda_function.worker.arn
            }
        """ + FUNCTION % "60")
        assert "aws_sqs_queue.gone" not in model.resources
        assert "aws_sqs_queue.maybe" in model.resources
        source = model.functions[0].sources[0]
        assert source.resource is model.resources["aws_sqs_queue.maybe"]
        assert source.extra.get("conditional")

    def test_dynamic_blocks(self, tmp_path: Path) -> None:
        model = model_of(tmp_path, """
            variable "targets" {}
            resource "aws_kinesis_stream" "s" {
              name        = "s"
              shard_count = 1
            }
            resource "aws_sqs_queue" "failed" {}
            resource "aws_lambda_event_source_mapping" "unknown" {
              event_source_arn  = aws_kinesis_stream.s.arn
              function_name     = aws_lambda_function.worker.arn
              starting_position = "LATEST"
              maximum_retry_attempts = 1
              dynamic "destination_config" {
                for_each = var.targets
                content {
                  on_failure { destination_arn = destination_config.value }
                }
              }
            }
            resource "aws_lambda_event_source_mapping" "expanded" {
              event_source_arn  = aws_kinesis_stream.s.arn
              function_name     = aws_lambda_function.worker.arn
              starting_position = "LATEST"
              dynamic "destination_config" {
                for_each = [aws_sqs_queue.failed.arn]
                iterator = target
                content {
                  on_failure { destination_arn = target.value }
                }
              }
            }
            resource "aws_lambda_event_source_mapping" "empty" {
              event_source_arn  = aws_kinesis_stream.s.arn
              function_name     = aws_lambda_function.worker.arn
              starting_position = "LATEST"
              dynamic "destination_config" {
                for_each = []
                content {
                  on_failure { destination_arn = "x" }
                }
              }
            }
        """ + FUNCTION % "60")
        sources = {s.id: s for s in model.functions[0].sources}
        unknown = sources["aws_lambda_event_source_mapping.unknown"]
        assert not unknown.setting("DestinationConfig.OnFailure").known
        assert not unknown.setting("DestinationConfig.OnFailure").absent
        expanded = sources["aws_lambda_event_source_mapping.expanded"].setting(
            "DestinationConfig.OnFailure.Destination")
        assert expanded.known and expanded.value == model.resources["aws_sqs_queue.failed"].arn
        assert sources["aws_lambda_event_source_mapping.empty"].setting(
            "DestinationConfig.OnFailure").absent

    def test_settings_keep_cloudformation_names(self, tmp_path: Path) -> None:
        model = model_of(tmp_path, """
            resource "aws_sqs_queue" "q" {}
            resource "aws_lambda_event_source_mapping" "m" {
              event_source_arn                   = aws_sqs_queue.q.arn
              function_name                      = aws_lambda_function.worker.function_name
              batch_size                         = 20
              maximum_batching_window_in_seconds = 5
              function_response_types            = ["ReportBatchItemFailures"]
              scaling_config { maximum_concurrency = 4 }
              filter_criteria {
                filter { pattern = jsonencode({ body = { kind = ["a"] } }) }
              }
            }
        """ + FUNCTION % "60")
        source = model.functions[0].sources[0]
        assert source.kind == "sqs"
        assert source.setting("BatchSize").value == 20
        assert source.setting("MaximumBatchingWindowInSeconds").value == 5
        assert source.setting("FunctionResponseTypes").value == ["ReportBatchItemFailures"]
        assert source.setting("ScalingConfig.MaximumConcurrency").value == 4
        filters = source.setting("FilterCriteria.Filters").value
        assert json.loads(filters[0]["Pattern"]) == {"body": {"kind": ["a"]}}
        assert model.functions[0].sources[0].loc.line == 3

    def test_policies_resolve_to_the_resource_arn(self, tmp_path: Path) -> None:
        model = model_of(tmp_path, """
            resource "aws_sqs_queue" "q" { name = "jobs" }
            data "aws_iam_policy_document" "d" {
              statement {
                actions   = ["sqs:*"]
                resources = ["${aws_sqs_queue.q.arn}"]
              }
            }
            resource "aws_iam_role" "r" {
              assume_role_policy = "{}"
            }
            resource "aws_iam_role_policy" "p" {
              role   = aws_iam_role.r.id
              policy = data.aws_iam_policy_document.d.json
            }
        """)
        from esmlint.iam import Tri, allows

        role = model.roles["aws_iam_role.r"]
        queue = model.resources["aws_sqs_queue.q"]
        assert allows(role, "sqs:ReceiveMessage", queue.arn).value is Tri.YES
        assert allows(role, "sns:Publish", queue.arn).value is Tri.NO

    def test_opaque_module_makes_rules_quiet(self, tmp_path: Path) -> None:
        model = model_of(tmp_path, """
            resource "aws_iam_role" "r" { assume_role_policy = "{}" }
            module "perms" {
              source = "git::https://example.com/perms.git"
              role   = aws_iam_role.r.name
              fn     = aws_lambda_function.worker.arn
            }
        """ + FUNCTION % "60")
        assert model.roles["aws_iam_role.r"].open_ended
        assert "invoke-config" in model.unlinked

    def test_lambda_module_inputs(self, tmp_path: Path) -> None:
        path = tmp_path / "main.tf"
        path.write_text(textwrap.dedent("""
            resource "aws_sqs_queue" "jobs" {}
            module "fn" {
              source        = "terraform-aws-modules/lambda/aws"
              version       = "~> 7.0"
              function_name = "worker"
              timeout       = 60
              event_source_mapping = {
                jobs = { event_source_arn = aws_sqs_queue.jobs.arn, batch_size = 5 }
              }
              allowed_triggers = {
                events = { principal = "events.amazonaws.com" }
              }
              create_async_event_config = true
              maximum_retry_attempts    = 1
            }
        """), encoding="utf-8")
        findings = lint_paths([str(path)]).findings
        rules = {(f.rule, f.resource) for f in findings}
        assert ("ESM101", 'module.fn.aws_lambda_event_source_mapping.this["jobs"]') in rules
        assert ("ESM302", "module.fn.aws_lambda_function_event_invoke_config.this") in rules
        assert ("ESM402", 'module.fn.aws_lambda_permission.unqualified_alias_triggers'
                          '["events"]') in rules
        # The role the module creates has only its logs policy (no attach_* switch set).
        assert ("ESM201", 'module.fn.aws_lambda_event_source_mapping.this["jobs"]') in rules

    def test_syntax_error_is_esm001_and_the_rest_is_linted(self, tmp_path: Path) -> None:
        # Issue 22: a broken block whose type and labels can be read stays in the module
        # with its arguments unknown; the blocks that parse are still linted.
        (tmp_path / "good.tf").write_text(FUNCTION % "9999", encoding="utf-8")
        (tmp_path / "bad.tf").write_text('resource "x" "y" {\n  a = \n}\n', encoding="utf-8")
        findings = lint_paths([str(tmp_path)]).findings
        assert [(Path(f.path).name, f.rule, f.line) for f in findings] == [
            ("bad.tf", "ESM001", 2), ("good.tf", "ESM603", 8)]

    def test_unnamed_syntax_error_is_esm001_and_nothing_else(self, tmp_path: Path) -> None:
        # A broken place that cannot be named may define anything: the module is not
        # linted, as a module read in part would look like it lacks what it defines.
        (tmp_path / "good.tf").write_text(FUNCTION % "9999", encoding="utf-8")
        (tmp_path / "bad.tf").write_text('{\n  a = {\n}\n', encoding="utf-8")
        findings = lint_paths([str(tmp_path)]).findings
        assert [(Path(f.path).name, f.rule) for f in findings] == [("bad.tf", "ESM001")]

    def test_node_python_hcl2_rejects_is_located_and_explained(self, tmp_path: Path) -> None:
        # Parsed by lark, then refused by python-hcl2's transformer (a VisitError): found
        # by scripts/fuzz.py, once reported at line 0 as 'Error trying to process rule'.
        path = tmp_path / "main.tf"
        path.write_text('locals {\n  a = 0\n  self = "%{if true}{endif}"\n}\n', encoding="utf-8")
        findings = lint_paths([str(path)]).findings
        assert [(f.rule, f.line, f.column) for f in findings] == [("ESM001", 3, 10)]
        assert "Unterminated template if directive" in findings[0].message

    def test_tf_json_dynamic_and_comments(self, tmp_path: Path) -> None:
        path = tmp_path / "main.tf.json"
        path.write_text(json.dumps({
            "//": "a comment",
            "variable": {"t": {"default": 60}},
            "resource": {
                "aws_sqs_queue": {"q": {"visibility_timeout_seconds": "${var.t / 2}"}},
                "aws_lambda_function": {"worker": {
                    "function_name": "worker", "role": "arn:aws:iam::1:role/r",
                    "timeout": "${var.t}"}},
                "aws_lambda_event_source_mapping": {"m": {
                    "event_source_arn": "${aws_sqs_queue.q.arn}",
                    "function_name": "${aws_lambda_function.worker.arn}"}},
            },
        }, indent=1), encoding="utf-8")
        findings = [f for f in lint_paths([str(path)]).findings if f.rule == "ESM101"]
        assert len(findings) == 1 and findings[0].line > 1


# --------------------------------------------------------------------------- files and modules


class TestModulesOnDisk:
    def test_directory_is_one_module(self, tmp_path: Path) -> None:
        (tmp_path / "variables.tf").write_text('variable "t" { default = 60 }\n',
                                               encoding="utf-8")
        (tmp_path / "main.tf").write_text(
            'resource "aws_sqs_queue" "q" {}\n' + FUNCTION % "var.t" +
            'resource "aws_lambda_event_source_mapping" "m" {\n'
            '  event_source_arn = aws_sqs_queue.q.arn\n'
            '  function_name    = aws_lambda_function.worker.arn\n}\n', encoding="utf-8")
        assert "ESM101" in rules_of(tmp_path)
        # Named alone, main.tf is read with the file it refers to.
        assert "ESM101" in rules_of(tmp_path / "main.tf")

    def test_connected_files(self) -> None:
        from esmlint.loaders.terraform.configuration import parse_file

        main = parse_file("main.tf", 'resource "aws_iam_role" "r" {}\n'
                                     'resource "aws_lambda_function" "f" { role = var.x }\n')
        iam = parse_file("iam.tf", 'resource "aws_iam_role_policy" "p" {\n'
                                   '  role = aws_iam_role.r.id\n}\n')
        variables = parse_file("variables.tf", 'variable "x" {}\n')
        unrelated = parse_file("other.tf", 'resource "aws_sqs_queue" "q" {}\n')
        rival = parse_file("rival.tf", 'resource "aws_iam_role" "r" {}\n'
                                       'resource "aws_iam_role_policy" "p2" {\n'
                                       '  role = aws_iam_role.r.id\n}\n')
        chosen = connected_files({"main.tf": main}, {"iam.tf": iam, "variables.tf": variables,
                                                     "other.tf": unrelated,
                                                     "rival.tf": rival})
        assert chosen == ["iam.tf", "variables.tf"]

    def test_fixture_folders_keep_files_apart(self) -> None:
        # Every fixture in fixtures/ESM101 defines aws_lambda_function.worker: none is
        # read with another (tests/test_fixtures.py relies on it).
        findings = lint_paths([str(FIXTURES / "ESM101" / "fail_tf_explicit.tf")]).findings
        assert {Path(f.path).name for f in findings} == {"fail_tf_explicit.tf"}

    def test_load_text_routes_terraform(self) -> None:
        path = FIXTURES / "ESM101" / "fail_tf_explicit.tf"
        loaded = load_text(str(path), path.read_text(encoding="utf-8"))
        assert loaded.is_template and loaded.format == "terraform"
        plan = FIXTURES / "tf" / "module_queue" / "plan.json"
        loaded = load_text(str(plan), plan.read_text(encoding="utf-8"))
        assert loaded.format == "terraform-plan"


class TestDownloadedModules:
    """Registry (or git) modules, read where ``terraform init`` put them."""

    ROOT = textwrap.dedent("""\
        module "queue" {
          source  = "example-org/queue/aws"
          version = "4.2.0"
          name    = "orders"
        }

        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = "arn:aws:iam::123456789012:role/external"
          timeout       = 60
        }

        resource "aws_lambda_event_source_mapping" "orders" {
          event_source_arn = module.queue.queue_arn
          function_name    = aws_lambda_function.worker.arn
        }
        """)
    QUEUE_MODULE = textwrap.dedent("""\
        variable "name" {}
        variable "visibility_timeout_seconds" { default = null }

        module "policy" {
          source = "./modules/policy"
          queue  = aws_sqs_queue.this.arn
        }

        resource "aws_sqs_queue" "this" {
          name                       = var.name
          visibility_timeout_seconds = var.visibility_timeout_seconds
        }

        output "queue_arn" { value = aws_sqs_queue.this.arn }
        """)
    # A module inside the downloaded one: its positions move to the call site too.
    POLICY_MODULE = textwrap.dedent("""\
        variable "queue" {}

        resource "aws_lambda_function" "helper" {
          function_name = "helper"
          role          = "arn:aws:iam::123456789012:role/external"
          timeout       = 901
        }
        """)

    def project(self, tmp_path: Path, manifest: str | None) -> Path:
        (tmp_path / "main.tf").write_text(self.ROOT, encoding="utf-8")
        queue = tmp_path / ".terraform" / "modules" / "queue"
        (queue / "modules" / "policy").mkdir(parents=True)
        (queue / "main.tf").write_text(self.QUEUE_MODULE, encoding="utf-8")
        (queue / "modules" / "policy" / "main.tf").write_text(self.POLICY_MODULE,
                                                             encoding="utf-8")
        if manifest is not None:
            (queue.parent / "modules.json").write_text(manifest, encoding="utf-8")
        return tmp_path

    def manifest(self) -> str:
        return json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "queue", "Source": "registry.terraform.io/example-org/queue/aws",
             "Version": "4.2.0", "Dir": ".terraform/modules/queue"},
            {"Key": "queue.policy", "Source": "./modules/policy",
             "Dir": ".terraform/modules/queue/modules/policy"},
        ]})

    def test_module_is_read_and_findings_sit_at_its_call(self, tmp_path: Path) -> None:
        root = self.project(tmp_path, self.manifest())
        findings = lint_paths([str(root)]).findings
        got = {(f.rule, f.line, f.resource) for f in findings}
        # The queue inside the module keeps the default visibility timeout of 30 s.
        assert ("ESM101", 13, "aws_lambda_event_source_mapping.orders") in got
        assert ("ESM111", 1, "module.queue.aws_sqs_queue.this") in got
        assert ("ESM603", 1, "module.queue.module.policy.aws_lambda_function.helper") in got
        assert "(the default)" in next(f.message for f in findings if f.rule == "ESM101")
        # Everything is reported in the file the user owns, never under .terraform.
        assert {Path(f.path).name for f in findings} == {"main.tf"}

    def test_a_comment_at_the_module_call_suppresses(self, tmp_path: Path) -> None:
        root = self.project(tmp_path, self.manifest())
        main = root / "main.tf"
        main.write_text("# esmlint: ignore[ESM111] the queue module's DLQ is added later\n"
                        + main.read_text(encoding="utf-8"), encoding="utf-8")
        rules = {f.rule for f in lint_paths([str(root)]).findings}
        assert "ESM101" in rules and not {"ESM111", "ESM002"} & rules

    def test_without_terraform_init_the_module_stays_opaque(self, tmp_path: Path) -> None:
        root = self.project(tmp_path, None)
        assert not {"ESM101", "ESM111"} & {f.rule for f in lint_paths([str(root)]).findings}

    @pytest.mark.parametrize("manifest", ["not json", "[]", '{"Modules": [{"Key": 1}]}',
                                          '{"Modules": [{"Key": "queue", "Dir": "nowhere"}]}'])
    def test_unreadable_manifest_leaves_the_module_opaque(self, tmp_path: Path,
                                                          manifest: str) -> None:
        root = self.project(tmp_path, manifest)
        findings = lint_paths([str(root)]).findings
        assert not {"ESM001", "ESM101", "ESM111"} & {f.rule for f in findings}


# --------------------------------------------------------------------------- plans


class TestPlan:
    def plan_model(self, folder: str):
        path = FIXTURES / folder / "plan.json"
        return load_text(str(path), path.read_text(encoding="utf-8")).model

    def test_links_through_module_outputs_and_inputs(self) -> None:
        model = self.plan_model("tf/module_queue")
        sources = {s.id: s for _, s in model.sources()}
        work = sources["aws_lambda_event_source_mapping.work"]
        assert work.resource is model.resources["module.work.aws_sqs_queue.this"]
        consumer = sources["module.consumer.aws_lambda_event_source_mapping.this"]
        assert consumer.resource is model.resources["aws_sqs_queue.root"]
        assert consumer.function.timeout.value == 90

    def test_arguments_not_in_the_configuration_are_not_set(self) -> None:
        model = self.plan_model("ESM203/tfplan_fail")
        source = next(s for _, s in model.sources())
        assert source.setting("MaximumRecordAgeInSeconds").absent  # computed in the plan
        assert source.setting("MaximumRetryAttempts").value == 3
        fn = model.functions[0]
        assert fn.timeout.is_default and fn.timeout.value == 3

    def test_deferred_policy_document_is_rebuilt_from_references(self) -> None:
        model = self.plan_model("tf/parity/role_cannot_poll/hcl")
        role = model.roles["aws_iam_role.worker"]
        statements = [s for p in role.policies for s in p.statements]
        queue = model.resources["aws_sqs_queue.jobs"]
        assert any(r.value == queue.arn for s in statements for r in s.resources or [])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not there")
def test_corpus_terraform_modules_load() -> None:
    directories = sorted({p.parent for p in CORPUS.rglob("*.tf")})
    assert directories
    for directory in directories:
        texts = {str(p): p.read_text(encoding="utf-8", errors="replace")
                 for p in sorted(directory.glob("*.tf"))}
        load = load_module(str(directory), texts)
        assert not load.errors, (directory, load.errors)
        assert load.model is not None
    result = lint_paths([str(d) for d in directories])
    assert not [f for f in result.findings if f.rule == "ESM001" or f.name == "internal-error"]


# --------------------------------------------------------------------------- issue 22

QUEUE_AND_MAPPING = """
resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 30
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
}
"""


class TestTolerance:
    """A .tf file with broken blocks: ESM001 at each, and the rest still linted."""

    def write(self, tmp_path: Path, extra: str) -> Path:
        path = tmp_path / "main.tf"
        path.write_text(FUNCTION % "60" + QUEUE_AND_MAPPING + extra, encoding="utf-8")
        return path

    def rules(self, path: Path) -> list[tuple[str, int]]:
        return [(f.rule, f.line) for f in lint_paths([str(path)]).findings
                if f.rule in ("ESM001", "ESM101", "ESM603")]

    @pytest.mark.parametrize(("broken", "line"), [
        ('resource "aws_sqs_queue" "more" {\n  visibility_timeout_seconds =\n}\n', 21),
        ('resource "aws_sqs_queue" "more" {\n  visibility_timeout_seconds = 10\n', 22),
        ('resource "aws_sqs_queue" "more" {\n  tags = { a = "b" \n}\n', 23),
        ('resource "aws_sqs_queue" "more" {\n  name = "more\n}\n', 21),
        ('resource "aws_sqs_queue" "more" {\n  delay_seconds = 1 +\n}\n', 22),
        ('resource "aws_sqs_queue" "more" {\n  policy = jsonencode({ a = [1, }) \n}\n', 21),
    ], ids=["no value", "unclosed block", "unclosed object", "unclosed string",
            "operator at the end", "bad list"])
    def test_the_broken_place_and_the_rest(self, tmp_path: Path, broken: str,
                                           line: int) -> None:
        # The broken block starts at line 20, after the function (2-9), the queue and the
        # mapping (15: ESM101, the function's 60 s against the queue's 30 s).
        found = self.rules(self.write(tmp_path, "\n" + broken))
        assert found == [("ESM101", 15), ("ESM001", line)], found

    def test_blocks_after_an_unclosed_one_are_still_blocks(self, tmp_path: Path) -> None:
        path = tmp_path / "main.tf"
        path.write_text('resource "aws_lambda_function" "draft" {\n  timeout = 5000\n\n'
                        + FUNCTION.lstrip("\n") % "60" + QUEUE_AND_MAPPING, encoding="utf-8")
        found = [(f.rule, f.line, f.resource) for f in lint_paths([str(path)]).findings
                 if f.rule in ("ESM001", "ESM101", "ESM603")]
        # The draft's arguments are unknown (its timeout 5000 is not judged, nor taken).
        assert found == [("ESM001", 4, ""), ("ESM101", 17,
                                             "aws_lambda_event_source_mapping.jobs")], found
        message = lint_paths([str(path)]).findings[0].message
        assert 'block resource "aws_lambda_function" "draft" (line 1) is not closed' in message

    def test_a_broken_block_is_unknown_not_absent(self, tmp_path: Path) -> None:
        load = load_module(str(tmp_path), {str(tmp_path / "main.tf"): textwrap.dedent("""\
            resource "aws_lambda_function" "worker" {
              function_name = "worker"
              timeout       =
            }
            """)})
        [(_, error)] = load.errors
        assert (error.line, error.column) == (3, 18)
        [fn] = load.model.functions
        assert fn.id == "aws_lambda_function.worker"
        assert fn.timeout.is_unknown and not fn.timeout.absent  # no default of 3 s
        assert "does not parse" in fn.timeout.reason

    def test_the_language_server_path_keeps_the_other_findings(self) -> None:
        from esmlint.runner import lint_buffer

        text = FUNCTION % "60" + QUEUE_AND_MAPPING + '\nresource "aws_sqs_queue" "x" {\n  n =\n'
        findings, counted, _ = lint_buffer("main.tf", text, explicit=False)
        assert counted == 1
        assert {"ESM001", "ESM101"} <= {f.rule for f in findings}

    def test_suppressions_in_a_broken_file_are_not_called_unused(self, tmp_path: Path
                                                                 ) -> None:
        path = self.write(tmp_path, '\nresource "aws_sqs_queue" "more" { # esmlint: '
                                    'ignore[ESM111]\n  visibility_timeout_seconds =\n}\n')
        assert "ESM002" not in {f.rule for f in lint_paths([str(path)]).findings}


class TestModuleCycles:
    """Modules that call their own folder, directly or through others (issue 22)."""

    def module(self, folder: Path, calls: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "main.tf").write_text(calls + FUNCTION % "60" + QUEUE_AND_MAPPING,
                                        encoding="utf-8")

    def test_four_self_calls_end_and_report_each_call_once(self, tmp_path: Path) -> None:
        calls = "".join(f'module "self{i}" {{\n  source = "./"\n}}\n' for i in range(4))
        self.module(tmp_path, calls)
        findings = lint_paths([str(tmp_path)]).findings
        assert [(f.rule, f.line) for f in findings if f.rule == "ESM001"] == [
            ("ESM001", 1), ("ESM001", 4), ("ESM001", 7), ("ESM001", 10)]
        assert [f.resource for f in findings if f.rule == "ESM101"] == [
            "aws_lambda_event_source_mapping.jobs"]  # once, not once per instance

    def test_a_cycle_through_another_module_is_reported_once(self, tmp_path: Path) -> None:
        self.module(tmp_path, 'module "a" {\n  source = "./a"\n}\n')
        (tmp_path / "a").mkdir()
        (tmp_path / "a" / "main.tf").write_text('module "b" {\n  source = "../b"\n}\n',
                                                encoding="utf-8")
        (tmp_path / "b").mkdir()
        (tmp_path / "b" / "main.tf").write_text('module "root" {\n  source = "../"\n}\n',
                                                encoding="utf-8")
        findings = lint_paths([str(tmp_path)]).findings
        [error] = [f for f in findings if f.rule == "ESM001"]
        assert Path(error.path) == tmp_path / "a" / "main.tf" and error.line == 1
        assert "calls itself" in error.message and "lead back" in error.message
        assert [f.resource for f in findings if f.rule == "ESM101"] == [
            "aws_lambda_event_source_mapping.jobs"]

    def test_a_module_called_twice_is_not_a_cycle(self, tmp_path: Path) -> None:
        self.module(tmp_path, 'module "a" {\n  source = "./shared"\n}\n'
                              'module "b" {\n  source = "./shared"\n}\n')
        self.module(tmp_path / "shared", "")
        findings = lint_paths([str(tmp_path / "main.tf")]).findings
        assert not [f for f in findings if f.rule == "ESM001"]
        assert sorted(f.resource for f in findings if f.rule == "ESM101") == [
            "aws_lambda_event_source_mapping.jobs",
            "module.a.aws_lambda_event_source_mapping.jobs",
            "module.b.aws_lambda_event_source_mapping.jobs"]

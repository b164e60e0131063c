"""CDK apps: found from their root or any folder above, their cloud assembly read through
its manifest (stacks, nested stacks, stages), findings named by construct path.

``fixtures/cdk/`` holds hand-written apps in the shapes ``cdk synth`` writes: ``app/``
(a stack with path metadata, a nested stack and a stage without it, creation traces in the
stage's manifest), ``custom-output/`` (``cdk.json`` names ``build/cloud``),
``not-synthesized/`` (``cdk.json`` and no assembly) and ``cdktf-app/`` (CDK for Terraform).
Each test works on a copy, so it may rename and edit files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from esmlint import discover
from esmlint.loaders.cdk import assembly

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk"


@pytest.fixture
def apps(tmp_path, monkeypatch) -> Path:
    """A copy of fixtures/cdk, as the current folder."""
    root = tmp_path / "apps"
    shutil.copytree(FIXTURES, root)
    monkeypatch.chdir(root)
    return root


#: JSON files of an app's own that a walk passes to the loader, which skips them silently.
APP_FILES = {"cdk.json", "cdktf.json", "package.json"}


def found(*paths: str) -> list[str]:
    """The candidates a walk finds, less the app's own configuration files."""
    return [c.path for c in discover.discover(list(paths), terraform=True).files
            if Path(c.path).name not in APP_FILES]


def findings(run) -> list[dict]:
    return json.loads(run.stdout)["findings"]


STACK = "app/cdk.out/OrdersStack.template.json"
NESTED = ("app/cdk.out/OrdersStackAuditNestedStackAuditNestedStackResource5E6F7A8B"
          ".nested.template.json")
STAGE = "app/cdk.out/assembly-Prod/ProdBillingStack6B7C8D9E.template.json"


# --- discovery ---------------------------------------------------------------------------


def test_the_app_root_finds_every_stack_nested_stack_and_stage(apps):
    assert found("app") == sorted([STACK, NESTED, STAGE])


def test_a_folder_above_the_apps_finds_them_all(apps):
    assert found(".") == sorted([
        STACK, NESTED, STAGE,
        "cdktf-app/cdktf.out/stacks/orders/cdk.tf.json",
        "custom-output/build/cloud/ShopStack.template.json",
    ])


def test_the_output_folder_cdk_json_names(apps):
    assert found("custom-output") == ["custom-output/build/cloud/ShopStack.template.json"]


def test_manifest_files_assets_and_tree_are_not_candidates(apps):
    names = {Path(c.path).name for c in discover.discover(["app"], terraform=True).files}
    assert names == {"cdk.json", "package.json", "OrdersStack.template.json",
                     Path(NESTED).name, Path(STAGE).name}


def test_an_assembly_named_directly_is_read_through_its_manifest(apps):
    assert found("app/cdk.out") == sorted([STACK, NESTED, STAGE])


def test_without_cdk_json_a_walk_skips_stale_cdk_out(apps):
    (apps / "app" / "cdk.json").unlink()
    assert found("app") == []


def test_an_app_without_assembly_says_so_once(apps, run_cli):
    run = run_cli("check", "not-synthesized")
    assert run.exit_code == 0
    assert run.stdout == "No CloudFormation, SAM, Terraform or serverless.yml templates found.\n"
    assert run.stderr.count("cdk synth") == 1
    assert "not-synthesized/cdk.out" in run.stderr


def test_cdk_for_terraform_stacks_are_read_as_terraform_json(apps, run_cli):
    run = run_cli("check", "cdktf-app", "--format", "json", "--select", "ESM101")
    [finding] = findings(run)
    assert finding["path"] == "cdktf-app/cdktf.out/stacks/orders/cdk.tf.json"
    assert finding["resource"] == "aws_lambda_event_source_mapping.orders"
    assert "visibility_timeout_seconds" in finding["message"]


def test_a_broken_manifest_is_read_as_plain_templates(apps):
    (apps / "app" / "cdk.out" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert found("app") == []  # no artifacts: nothing claims to be the app's output
    assert found("app/cdk.out/OrdersStack.template.json") == [STACK]
    assert assembly.constructs(STACK).paths == {}


def test_a_manifest_cannot_point_outside_its_assembly(apps):
    manifest = apps / "custom-output" / "build" / "cloud" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["artifacts"]["ShopStack"]["properties"]["templateFile"] = "../../../app/cdk.json"
    data["artifacts"]["Loop"] = {"type": "cdk:cloud-assembly",
                                 "properties": {"directoryName": "."}}
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert found("custom-output") == []


# --- construct paths ---------------------------------------------------------------------


def test_findings_name_the_construct_path_in_text(apps, run_cli):
    run = run_cli("check", "app", "--select", "ESM101")
    lines = run.stdout.splitlines()
    assert lines[0] == (
        f"{STACK}:68:3: error ESM101 function OrdersStack/Worker has Timeout 60 s but its SQS "
        "source queue OrdersStack/OrdersQueue has VisibilityTimeout 30 s (the default): "
        "Lambda rejects the event source mapping and the deploy fails. Set VisibilityTimeout "
        "on OrdersStack/OrdersQueue to at least 60 (AWS recommends 360) or lower the "
        "function Timeout. [OrdersStack/Worker/SqsEventSource:OrdersStackOrdersQueue]")
    assert "C0FFEE12" not in run.stdout  # no hashed logical ID left in any message


def test_json_has_the_construct_as_a_field_of_its_own(apps, run_cli):
    run = run_cli("check", "app", "--format", "json", "--select", "ESM101")
    by_path = {f["path"]: f for f in findings(run)}
    stack, nested, stage = by_path[STACK], by_path[NESTED], by_path[STAGE]
    assert stack["resource"] == "WorkerSqsEventSourceOrdersStackOrdersQueue9ABCDEF0"
    assert stack["construct"] == "OrdersStack/Worker/SqsEventSource:OrdersStackOrdersQueue"
    # The nested stack and the stage carry no path metadata: the manifest names them.
    assert nested["construct"] == "OrdersStack/Audit/Auditor/SqsEventSource:AuditQueue"
    assert "function OrdersStack/Audit/Auditor has Timeout 45 s" in nested["message"]
    assert stage["construct"] == (
        "Prod/BillingStack/Biller/SqsEventSource:ProdBillingStackInvoicesQueue")


def test_the_user_code_that_created_the_construct_is_a_related_location(apps, run_cli):
    run = run_cli("check", "app", "--format", "json", "--select", "ESM101,ESM111")
    by_key = {(f["path"], f["rule"]): f for f in findings(run)}
    # The first frame outside node_modules: lib/billing-stack.ts, relative to the app root.
    assert by_key[(STAGE, "ESM101")]["related"] == [{
        "path": "app/lib/billing-stack.ts", "line": 9, "column": 19,
        "message": "construct Prod/BillingStack/Biller/SqsEventSource:"
                   "ProdBillingStackInvoicesQueue is created here"}]
    assert by_key[(STAGE, "ESM111")]["related"][0]["line"] == 7
    assert "related" not in by_key[(STACK, "ESM101")]  # no trace recorded for that stack


def test_sarif_names_the_construct_as_a_logical_location(apps, run_cli):
    run = run_cli("check", STAGE, "--format", "sarif", "--select", "ESM101")
    [result] = json.loads(run.stdout)["runs"][0]["results"]
    logical = result["locations"][0]["logicalLocations"]
    assert logical[0] == {
        "name": "SqsEventSource:ProdBillingStackInvoicesQueue",
        "fullyQualifiedName": "Prod/BillingStack/Biller/SqsEventSource:"
                              "ProdBillingStackInvoicesQueue",
        "kind": "module"}
    assert logical[1]["name"] == "BillerSqsEventSourceProdBillingStackInvoicesQueue3F4A5B6C"
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "app/lib/billing-stack.ts"
    assert related["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 19}


def test_templates_that_are_not_cdk_output_are_named_as_before(run_cli, write):
    path = write("template.yaml", """
        Resources:
          QueueA1B2C3D4:
            Type: AWS::SQS::Queue
          Fn:
            Type: AWS::Lambda::Function
            Properties: {Role: arn:aws:iam::123456789012:role/r, Timeout: 60}
          Map:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              EventSourceArn: !GetAtt QueueA1B2C3D4.Arn
              FunctionName: !Ref Fn
        """)
    run = run_cli("check", path, "--format", "json", "--select", "ESM101")
    [finding] = findings(run)
    assert "construct" not in finding and "related" not in finding
    assert "QueueA1B2C3D4" in finding["message"]


# --- suppressions, configuration, baselines ----------------------------------------------


def test_ignore_resources_accepts_construct_paths(apps, run_cli):
    (apps / "app" / ".esmlint.yaml").write_text(
        'ignore-resources:\n  "OrdersStack/Worker*": [ESM101]\n', encoding="utf-8")
    run = run_cli("check", "app", "--format", "json", "--select", "ESM101")
    assert sorted(f["path"] for f in findings(run)) == sorted([NESTED, STAGE])


def test_a_baseline_survives_a_change_of_hash_suffixes(apps, run_cli):
    first = run_cli("check", "app", "--write-baseline", "baseline.json", "--format", "json")
    assert first.exit_code == 0
    # CDK re-hashes: every logical ID of the stack gets a new suffix.
    for path in (apps / STACK, apps / "app" / "cdk.out" / "manifest.json"):
        text = path.read_text(encoding="utf-8")
        for old, new in (("A1B2C3D4", "0A0B0C0D"), ("C0FFEE12", "DEADBEEF"),
                         ("E5F6A7B8", "1A1B1C1D"), ("9ABCDEF0", "2A2B2C2D")):
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    again = run_cli("check", "app", "--baseline", "baseline.json", "--format", "json")
    assert findings(again) == []
    assert again.exit_code == 0


def test_a_changed_construct_path_is_a_new_finding(apps, run_cli):
    run_cli("check", "app", "--write-baseline", "baseline.json")
    path = apps / STACK
    path.write_text(path.read_text(encoding="utf-8").replace(
        "OrdersStack/Worker/SqsEventSource", "OrdersStack/Processor/SqsEventSource"),
        encoding="utf-8")
    run = run_cli("check", "app", "--baseline", "baseline.json", "--format", "json")
    assert [(f["rule"], f["construct"]) for f in findings(run)] == [
        ("ESM101", "OrdersStack/Processor/SqsEventSource:OrdersStackOrdersQueue")]


# --- the reader --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("/OrdersStack/Worker/Resource", "OrdersStack/Worker"),
    ("OrdersStack/Worker/ServiceRole/Resource", "OrdersStack/Worker/ServiceRole"),
    ("OrdersStack/CDKMetadata/Default", "OrdersStack/CDKMetadata/Default"),
    ("Prod/BillingStack/Biller", "Prod/BillingStack/Biller"),
])
def test_display_path(raw, shown):
    assert assembly.display_path(raw) == shown


def test_language_server_diagnostics_carry_the_construct_and_the_related_place(apps):
    pytest.importorskip("pygls")
    from esmlint import server
    from esmlint.runner import lint_buffer

    text = (apps / STAGE).read_text(encoding="utf-8")
    found_, _, _ = lint_buffer(STAGE, text, select=("ESM101",))
    [item] = [server.diagnostic(f, text.splitlines(keepends=True)) for f in found_]
    assert item.message.endswith("[Prod/BillingStack/Biller/SqsEventSource:"
                                 "ProdBillingStackInvoicesQueue]")
    assert item.data["construct"].startswith("Prod/BillingStack/Biller")
    [related] = item.related_information
    assert related.location.uri.endswith("/app/lib/billing-stack.ts")
    assert related.location.range.start.line == 8

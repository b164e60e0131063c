"""Side-by-side timing of esmlint and cfn-lint, reported as ratios.

Run from the repository root with esmlint (and, for the ratios to cfn-lint, cfn-lint)
installed:

    python benchmarks/run.py [--corpus ../shared/corpus] [--repeat 3] [--quick]

Measures, in one run on one machine (so the ratios hold whatever the machine):

1. Batch: every SAM, CloudFormation and CDK file of the corpus in one esmlint process (one
   worker per CPU, then ``--jobs 1``), in one cfn-lint process, and the parse floor: one
   process that starts the interpreter and parses the same files, YAML with PyYAML's C
   loader and JSON with ``json``.
2. The whole corpus directory, Terraform ``.tf`` files included, with ``--jobs 1``, against
   the same one-process floor (``.tf`` files parsed by tree-sitter, as esmlint does).
3. Cold single template (the pre-commit and editor case): one template, a fresh process
   each time, for esmlint and cfn-lint, and plain interpreter start-up.
4. Imports: what `python -X importtime -m esmlint check` imports (no cfn-lint,
   samtranslator code or jsonschema on the check path).
5. Scaling: synthetic templates with 10 to 10,000 functions, each with a queue, a role and
   a mapping; time per size and peak memory.
6. Terraform against SAM: generated modules of 100, 1,000 and 5,000 functions, each a
   function, a queue and the mapping between them, written once as ``.tf`` and once as a
   SAM template; time per function in each format, and peak memory.

Without the corpus (a fresh clone has no ``../shared/corpus``) the batch measures are
skipped, said so, and the rest is measured. Speed targets belong here, not in timed unit
tests. Results print as Markdown tables, the last one each target with whether it was met;
the exit status is 1 when one was missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: wall times only
    resource = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
HEAVY = ("cfnlint", "samtranslator", "jsonschema", "botocore", "boto3")
#: Every child process runs the installed esmlint, as users do: without this, ``python -m``
#: from the repository root imports the source tree instead. Bytecode is written and
#: read as for users: with PYTHONDONTWRITEBYTECODE set, an editable install compiles
#: every module again in every run, and starts twice as slowly.
ENV = {key: value for key, value in os.environ.items()
       if key != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONSAFEPATH": "1"}


def template_files(corpus: Path) -> list[str]:
    """The SAM, CloudFormation and CDK files listed in the corpus manifest ([] when there
    is no corpus there)."""
    files = []
    try:
        with open(corpus / "MANIFEST.tsv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("format") in ("sam", "cfn", "cdk") and row.get("path_in_corpus"):
                    files.append(str(corpus / row["path_in_corpus"]))
    except OSError:
        return []
    return sorted(files)


def corpus_files(corpus: Path) -> list[str]:
    """Every file esmlint reads when it lints the corpus directory (its own discovery)."""
    from esmlint import discover

    found = discover.discover([str(corpus)], terraform=True)
    return sorted(candidate.path for candidate in found.files)


#: The processor time (user + system) of the last :func:`timed` command's best run.
LAST_CPU: list[float] = [0.0]


def timed(cmd: list[str], repeat: int, env: dict | None = None) -> float:
    """Best wall time of ``repeat`` runs (best, not mean: noise only ever adds time); the
    best processor time of the runs is left in :data:`LAST_CPU`."""
    times, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or ENV,
                       check=False)
        times.append(time.perf_counter() - start)
        if before is not None:
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    LAST_CPU[0] = min(cpus) if cpus else min(times)
    return min(times)


def timed_cpu(cmd: list[str], repeat: int) -> tuple[float, float]:
    """(best wall time, best processor time) of ``repeat`` runs."""
    wall = timed(cmd, repeat)
    return wall, LAST_CPU[0]


#: The parse floor: one process, each file parsed by the fastest compiled parser of its
#: syntax, keeping nothing (JSON by ``json``, YAML by PyYAML's C loader with intrinsic
#: tags accepted, ``.tf`` by tree-sitter). The file list is read from a file: the whole
#: corpus is too many arguments for some systems.
FLOOR = """\
import json, sys, yaml
class Loader(yaml.CSafeLoader):
    pass
Loader.add_multi_constructor('!', lambda loader, suffix, node: None)
hcl = None
for path in open(sys.argv[1], encoding='utf-8').read().splitlines():
    try:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        continue
    name = path.lower()
    try:
        if name.endswith('.json'):
            json.loads(text)
        elif name.endswith('.tf'):
            if hcl is None:
                import tree_sitter_hcl
                from tree_sitter import Language, Parser
                hcl = Parser(Language(tree_sitter_hcl.language()))
            hcl.parse(text.encode('utf-8', 'surrogatepass'))
        else:
            yaml.load(text, Loader=Loader)
    except (ValueError, yaml.YAMLError):
        pass
"""


def floor(files: list[str], repeat: int) -> tuple[float, float]:
    """(wall, processor) time of the one-process parse floor over ``files``."""
    listing = Path(tempfile.mkdtemp()) / "files.txt"
    listing.write_text("\n".join(files), encoding="utf-8")
    return timed_cpu([sys.executable, "-c", FLOOR, str(listing)], repeat)


def batch(files: list[str], repeat: int, with_cfn_lint: bool) -> dict:
    command = [sys.executable, "-m", "esmlint", "check", "--fail-on", "never"]
    esmlint = timed([*command, *files], repeat)  # default: one worker per CPU
    serial, serial_cpu = timed_cpu([*command, "--jobs", "1", *files], repeat)
    floor_wall, floor_cpu = floor(files, repeat)
    result = {"files": len(files), "esmlint": esmlint, "serial": serial, "floor": floor_wall,
              "serial_cpu": serial_cpu, "floor_cpu": floor_cpu}
    if with_cfn_lint:
        # cfn-lint is slow on the whole corpus: one run is enough for a ratio.
        result["cfn-lint"] = timed([*cfn_lint_command(), "--", *files], 1)
    return result


def whole_corpus(corpus: Path, repeat: int) -> dict:
    """The corpus directory as users lint it (``.tf`` modules included), one job, against
    the one-process floor over the same files."""
    files = corpus_files(corpus)
    command = [sys.executable, "-m", "esmlint", "check", "--fail-on", "never", "--jobs", "1",
               str(corpus)]
    serial, serial_cpu = timed_cpu(command, repeat)
    floor_wall, floor_cpu = floor(files, repeat)
    return {"files": len(files), "tf": sum(f.lower().endswith(".tf") for f in files),
            "serial": serial, "floor": floor_wall, "serial_cpu": serial_cpu,
            "floor_cpu": floor_cpu}


def cold(template: str, repeat: int, with_cfn_lint: bool) -> dict:
    result = {
        "python": timed([sys.executable, "-c", "pass"], repeat),
        "esmlint": timed([sys.executable, "-m", "esmlint", "check", "--fail-on", "never",
                          template], repeat),
    }
    if with_cfn_lint:
        result["cfn-lint"] = timed([*cfn_lint_command(), "--", template], repeat)
    return result


def heavy_imports(template: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "esmlint", "check", "--fail-on", "never",
         template],
        capture_output=True, text=True, check=False, env=ENV,
    )
    found = set()
    for line in proc.stderr.splitlines():
        if "|" not in line:
            continue
        module = line.rsplit("|", 1)[-1].strip()
        if module.split(".")[0] in HEAVY:
            found.add(module.split(".")[0])
    return sorted(found)


def synthetic(functions: int) -> str:
    """A SAM-free CloudFormation template: per function a queue, a role and a mapping."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(functions):
        lines += [
            f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
            f"      VisibilityTimeout: {20 + i % 50}",
            f"  Role{i}:", "    Type: AWS::IAM::Role", "    Properties:",
            "      AssumeRolePolicyDocument:", "        Statement:",
            "          - Effect: Allow", "            Principal: {Service: lambda.amazonaws.com}",
            "            Action: sts:AssumeRole",
            "      Policies:", "        - PolicyName: poll", "          PolicyDocument:",
            "            Statement:", "              - Effect: Allow",
            "                Action: [sqs:ReceiveMessage, sqs:DeleteMessage, "
            "sqs:GetQueueAttributes]",
            f"                Resource: !GetAtt Queue{i}.Arn",
            f"  Fn{i}:", "    Type: AWS::Lambda::Function", "    Properties:",
            "      Runtime: python3.12", "      Handler: index.handler",
            f"      Role: !GetAtt Role{i}.Arn", f"      Timeout: {10 + i % 40}",
            "      Code: {ZipFile: 'def handler(e, c): pass'}",
            f"  Map{i}:", "    Type: AWS::Lambda::EventSourceMapping", "    Properties:",
            f"      FunctionName: !Ref Fn{i}", f"      EventSourceArn: !GetAtt Queue{i}.Arn",
        ]
    return "\n".join(lines) + "\n"


def scaling(sizes: list[int], repeat: int) -> list[dict]:
    rows = []
    folder = Path(tempfile.mkdtemp())
    for size in sizes:
        path = folder / f"synthetic-{size}.yaml"
        path.write_text(synthetic(size), encoding="utf-8")
        seconds = timed([sys.executable, "-m", "esmlint", "check", "--fail-on", "never",
                         str(path)], repeat)
        peak = peak_memory(["check", "--fail-on", "never", str(path)])
        rows.append({"functions": size, "seconds": seconds, "peak_mib": peak,
                     "bytes": path.stat().st_size})
    return rows


def peak_memory(args: list[str]) -> float | None:
    """Peak resident memory, in MiB, of one esmlint run in its own process (Linux/macOS).

    The run reports its own maximum: the children's figure from getrusage is the maximum
    over every child so far, cfn-lint included, and says nothing about this one.
    """
    probe = (
        "import resource, runpy, sys\n"
        "sys.argv = ['esmlint', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('esmlint', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "peak = peak if sys.platform == 'darwin' else peak * 1024\n"
        "try:  # Linux: this program's own peak (ru_maxrss can keep the parent's)\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            peak = int(line.split()[1]) * 1024\n"
        "except OSError:\n"
        "    pass\n"
        "print(peak, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False, env=ENV)
    try:
        return round(int(proc.stderr.strip().splitlines()[-1]) / 2**20, 1)
    except (ValueError, IndexError):
        return None


def cfn_lint_command() -> list[str]:
    """cfn-lint's console script beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("cfn-lint")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("cfn-lint")
    return [found] if found else []


def relint(lines: int = 500, repeat: int = 20) -> dict:
    """What the language server does on a change: lint one buffer in a warm process."""
    from esmlint.runner import lint_buffer  # what the server runs on every change

    def lint_source(path: str, text: str) -> None:
        lint_buffer(path, text, explicit=False)

    functions = max(1, lines // 32)
    text = synthetic(functions)
    path = str(Path(tempfile.mkdtemp()) / "template.yaml")
    lint_source(path, text)  # warm: rules imported, caches filled
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        lint_source(path, text)
        times.append(time.perf_counter() - start)
    return {"lines": text.count("\n"), "best": min(times), "median": statistics.median(times)}


def synthetic_sam(functions: int) -> str:
    """A SAM template: per function a queue and a function with an SQS event on it."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31",
             "Resources:"]
    for i in range(functions):
        lines += [
            f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
            f"      VisibilityTimeout: {20 + i % 50}",
            f"  Fn{i}:", "    Type: AWS::Serverless::Function", "    Properties:",
            "      Runtime: python3.12", "      Handler: index.handler", "      CodeUri: src/",
            f"      Timeout: {10 + i % 40}", "      Events:", "        Jobs:",
            "          Type: SQS", "          Properties:",
            f"            Queue: !GetAtt Queue{i}.Arn",
        ]
    return "\n".join(lines) + "\n"


def synthetic_tf(functions: int) -> str:
    """The same as :func:`synthetic_sam` as a Terraform module: per function a queue, a
    function and the event source mapping between them."""
    blocks = []
    for i in range(functions):
        blocks.append(
            f'resource "aws_sqs_queue" "queue{i}" {{\n'
            f"  visibility_timeout_seconds = {20 + i % 50}\n}}\n\n"
            f'resource "aws_lambda_function" "fn{i}" {{\n'
            f'  function_name = "fn{i}"\n'
            f'  role          = "arn:aws:iam::123456789012:role/fn{i}"\n'
            '  runtime       = "python3.12"\n'
            '  handler       = "index.handler"\n'
            '  filename      = "fn.zip"\n'
            f"  timeout       = {10 + i % 40}\n}}\n\n"
            f'resource "aws_lambda_event_source_mapping" "fn{i}" {{\n'
            f"  event_source_arn = aws_sqs_queue.queue{i}.arn\n"
            f"  function_name    = aws_lambda_function.fn{i}.arn\n}}\n\n")
    return "".join(blocks)


def terraform_vs_sam(sizes: list[int], repeat: int) -> list[dict]:
    """Each size in both formats, side by side: time, time per function, peak memory."""
    rows = []
    folder = Path(tempfile.mkdtemp())
    for size in sizes:
        sam = folder / f"sam-{size}.yaml"
        sam.write_text(synthetic_sam(size), encoding="utf-8")
        module = folder / f"tf-{size}"
        module.mkdir()
        (module / "main.tf").write_text(synthetic_tf(size), encoding="utf-8")
        row: dict = {"functions": size}
        for key, path in (("sam", sam), ("tf", module)):
            args = ["check", "--fail-on", "never", str(path)]
            row[key], row[f"{key}_cpu"] = timed_cpu([sys.executable, "-m", "esmlint", *args],
                                                    repeat)
            row[f"{key}_peak_mib"] = peak_memory(args)
        rows.append(row)
    return rows


def synthetic_plan(resources: int) -> dict:
    """A Terraform plan (format 1.2 shape) with queues, roles, functions and mappings."""
    planned, config = [], []
    for i in range(resources // 4):
        for rtype, name, values, exprs in (
            ("aws_sqs_queue", f"q{i}", {"visibility_timeout_seconds": 20 + i % 50},
             {"visibility_timeout_seconds": {"constant_value": 20 + i % 50}}),
            ("aws_iam_role", f"r{i}", {"assume_role_policy": json.dumps({
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}]})}, {}),
            ("aws_lambda_function", f"f{i}", {"timeout": 10 + i % 40, "function_name": f"f{i}"},
             {"role": {"references": [f"aws_iam_role.r{i}.arn", f"aws_iam_role.r{i}"]}}),
            ("aws_lambda_event_source_mapping", f"m{i}", {"enabled": True},
             {"function_name": {"references": [f"aws_lambda_function.f{i}.arn",
                                               f"aws_lambda_function.f{i}"]},
              "event_source_arn": {"references": [f"aws_sqs_queue.q{i}.arn",
                                                  f"aws_sqs_queue.q{i}"]}}),
        ):
            address = f"{rtype}.{name}"
            planned.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                            "values": values, "sensitive_values": {}})
            config.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                           "expressions": exprs})
    return {"format_version": "1.2", "terraform_version": "1.11.4",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": [], "configuration": {"root_module": {"resources": config}}}


def plan_scaling(resources: int, repeat: int) -> dict:
    path = Path(tempfile.mkdtemp()) / "plan.json"
    path.write_text(json.dumps(synthetic_plan(resources)), encoding="utf-8")
    seconds = timed([sys.executable, "-m", "esmlint", "check", "--fail-on", "never",
                     str(path)], repeat)
    return {"resources": resources, "seconds": seconds, "bytes": path.stat().st_size}


def versions(with_cfn_lint: bool) -> str:
    """What was measured: the esmlint child processes import, and cfn-lint."""
    probe = "import esmlint; print(esmlint.__version__)"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=False, env=ENV).stdout.strip() or "not installed"
    text = f"esmlint {found}"
    if with_cfn_lint:
        cfn = subprocess.run([*cfn_lint_command(), "--version"], capture_output=True,
                             text=True, check=False).stdout.strip()
        text += f", {cfn}"
    return text


def have_cfn_lint() -> bool:
    return bool(cfn_lint_command())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller scaling sizes")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()

    files = template_files(args.corpus)
    with_cfn_lint = have_cfn_lint()
    single = str(ROOT / "examples" / "template.yaml")
    results: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count(),
                     "versions": versions(with_cfn_lint)}

    if files:
        results["batch"] = batch(files, args.repeat, with_cfn_lint)
        results["corpus"] = whole_corpus(args.corpus, args.repeat)
    else:
        print(f"benchmark: no corpus at {args.corpus} (no MANIFEST.tsv listing its "
              "templates): the batch and whole-corpus measures are skipped; pass "
              "--corpus DIR to run them", file=sys.stderr)
    results["cold"] = cold(single, args.repeat, with_cfn_lint)
    results["heavy_imports"] = heavy_imports(single)
    sizes = [10, 100, 1000] if args.quick else [10, 100, 1000, 10000]
    results["scaling"] = scaling(sizes, 1 if args.quick else min(args.repeat, 2))
    results["terraform"] = terraform_vs_sam([100, 1000] if args.quick else [100, 1000, 5000],
                                            1 if args.quick else min(args.repeat, 2))
    results["plan"] = plan_scaling(1000 if args.quick else 5000, 1 if args.quick else 2)
    results["relint"] = relint()

    print(report(results, args.repeat))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    missed = [name for name, _, met in targets(results) if met is False]
    return 1 if missed else 0


#: Issue 9's and issue 22's targets: (what, measured text, met: True / False / None when
#: not measured).
def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    b, c, rows = results.get("batch"), results["cold"], results["scaling"]
    rows_by_size = {row["functions"]: row["seconds"] for row in rows}
    cfn = b.get("cfn-lint") if b else None
    cfn_cold = c.get("cfn-lint")
    growth = [rows[i + 1]["seconds"] / rows[i]["seconds"] for i in range(len(rows) - 1)]
    largest = rows_by_size.get(10000)
    p, r = results["plan"], results["relint"]
    skipped = "not measured (no corpus)"
    found = [
        ("batch: at least 50x faster than cfn-lint",
         f"{cfn / b['esmlint']:.0f}x" if cfn else
         ("cfn-lint not installed" if b else skipped),
         cfn / b["esmlint"] >= 50 if cfn else None),
        ("batch: within 2x of the floor",
         f"{b['esmlint'] / b['floor']:.2f}x" if b else skipped,
         b["esmlint"] <= 2 * b["floor"] if b else None),
        ("batch, --jobs 1: within 1.5x of the floor",
         _ratio_text(b, "serial", "floor") if b else skipped,
         _ratio(b, "serial", "floor") <= 1.5 if b else None),
    ]
    whole = results.get("corpus")
    found.append(("whole corpus (.tf included), --jobs 1: within 2x of the floor",
                  _ratio_text(whole, "serial", "floor") if whole else skipped,
                  _ratio(whole, "serial", "floor") <= 2 if whole else None))
    found += [
        ("cold: at most 1/10 of cfn-lint",
         f"{c['esmlint'] / cfn_cold:.2f}" if cfn_cold else "cfn-lint not installed",
         c["esmlint"] <= cfn_cold / 10 if cfn_cold else None),
        ("no cfn-lint, samtranslator or jsonschema on the check path",
         ", ".join(results["heavy_imports"]) or "none", not results["heavy_imports"]),
        ("scaling: 10x the functions, at most 12x the time",
         ", ".join(f"{g:.1f}x" for g in growth), all(g <= 12 for g in growth)),
        ("10,000 functions in at most 5 s",
         f"{largest:.2f} s" if largest is not None else "not run (--quick)",
         largest <= 5 if largest is not None else None),
    ]
    terraform = results.get("terraform")
    if terraform:
        ratios = [_ratio(row, "tf", "sam") for row in terraform]
        found.append((".tf within 1.5x of SAM per function ("
                      + " / ".join(f"{row['functions']:,}" for row in terraform) + ")",
                      ", ".join(f"{ratio:.2f}x" for ratio in ratios)
                      + (" (processor time)" if "tf_cpu" in terraform[0] else ""),
                      all(ratio <= 1.5 for ratio in ratios)))
        big = next((row for row in terraform if row["functions"] == 5000), None)
        peak = big.get("tf_peak_mib") if big else None
        found.append(("5,000 functions in .tf: at most 3 s and 250 MiB",
                      f"{big['tf']:.2f} s, {peak} MiB" if big else "not run (--quick)",
                      (big["tf"] <= 3 and (peak is None or peak <= 250)) if big else None))
    found += [
        (f"Terraform plan, {p['resources']:,} resources, in at most 3 s",
         f"{p['seconds']:.2f} s", p["seconds"] <= 3 if p["resources"] >= 5000 else None),
        (f"language server re-lint ({r['lines']} lines) in at most 50 ms",
         f"{r['best'] * 1000:.0f} ms", r["best"] <= 0.05),
    ]
    return found


def _ratio(row: dict, what: str, against: str) -> float:
    """``what`` over ``against``: of processor time where measured (on a shared machine,
    other programs' load adds wall time at random, not processor time), else wall."""
    if f"{what}_cpu" in row and f"{against}_cpu" in row:
        return row[f"{what}_cpu"] / row[f"{against}_cpu"]
    return row[what] / row[against]


def _ratio_text(row: dict, what: str, against: str) -> str:
    wall = row[what] / row[against]
    if f"{what}_cpu" in row:
        return f"{_ratio(row, what, against):.2f}x (processor time; wall {wall:.2f}x)"
    return f"{wall:.2f}x"


def _seconds(row: dict, key: str) -> str:
    """Wall time, and processor time when measured."""
    text = f"{row[key]:.2f} s"
    return text + f" (CPU {row[key + '_cpu']:.2f} s)" if f"{key}_cpu" in row else text


def report(results: dict, repeat: int) -> str:
    """The results as Markdown: the comparison, the scaling tables and the targets."""
    b, c = results.get("batch"), results["cold"]
    lines = ["## esmlint benchmark", "",
             f"{results.get('versions', 'esmlint')}; Python {results['python']}, "
             f"{results['cpus']} CPUs. Best of {repeat} runs.", "",
             "| measure | esmlint | cfn-lint | ratio | floor | esmlint / floor |",
             "|---|---|---|---|---|---|"]
    floor_text = "start-up + parse: PyYAML C loader, json"
    if b:
        cfn = b.get("cfn-lint")
        cfn_text = f"{cfn:.2f} s" if cfn else "n/a"
        for label, key in ((f"batch, {b['files']} corpus files", "esmlint"),
                           ("same, --jobs 1", "serial")):
            seconds = b[key]
            ratio = f"{cfn / seconds:.0f}x faster" if cfn else "n/a"
            lines.append(f"| {label} | {_seconds(b, key)} | {cfn_text} | {ratio} | "
                         f"{_seconds(b, 'floor')} ({floor_text}) | "
                         f"{_ratio_text(b, key, 'floor')} |")
    whole = results.get("corpus")
    if whole:
        lines.append(f"| whole corpus directory, {whole['files']} files ({whole['tf']} .tf), "
                     f"--jobs 1 | {_seconds(whole, 'serial')} | n/a | n/a | "
                     f"{_seconds(whole, 'floor')} ({floor_text}, tree-sitter) | "
                     f"{_ratio_text(whole, 'serial', 'floor')} |")
    if not b and not whole:
        lines.append("| batch, corpus | not measured (no corpus) | | | | |")
    cfn_cold = c.get("cfn-lint")
    cold_text = f"{cfn_cold * 1000:.0f} ms" if cfn_cold else "n/a"
    cold_ratio = f"{c['esmlint'] / cfn_cold:.2f} of cfn-lint" if cfn_cold else "n/a"
    lines += [f"| cold, one template | {c['esmlint'] * 1000:.0f} ms | {cold_text} | "
              f"{cold_ratio} | {c['python'] * 1000:.0f} ms (python -c pass) | "
              f"{c['esmlint'] / c['python']:.1f}x |", "",
              "Heavy modules imported on the check path: "
              f"{', '.join(results['heavy_imports']) or 'none'}", "",
              "| functions | template size | time | time / previous | peak memory |",
              "|---|---|---|---|---|"]
    previous = None
    for row in results["scaling"]:
        growth = f"{row['seconds'] / previous:.1f}x" if previous else ""
        lines.append(f"| {row['functions']:,} | {row['bytes'] / 1e6:.2f} MB | "
                     f"{row['seconds']:.2f} s | {growth} | {row['peak_mib']} MiB |")
        previous = row["seconds"]
    terraform = results.get("terraform")
    if terraform:
        lines += ["", "| functions (queue, function, mapping) | SAM | per function | .tf | "
                  "per function | .tf / SAM | peak memory SAM / .tf |",
                  "|---|---|---|---|---|---|---|"]
        for row in terraform:
            n = row["functions"]
            lines.append(f"| {n:,} | {_seconds(row, 'sam')} | {row['sam'] / n * 1000:.2f} ms | "
                         f"{_seconds(row, 'tf')} | {row['tf'] / n * 1000:.2f} ms | "
                         f"{_ratio_text(row, 'tf', 'sam')} | {row.get('sam_peak_mib')} / "
                         f"{row.get('tf_peak_mib')} MiB |")
    p, r = results["plan"], results["relint"]
    lines += ["", f"Terraform plan JSON, {p['resources']:,} resources "
              f"({p['bytes'] / 1e6:.1f} MB): {p['seconds']:.2f} s",
              f"Language server re-lint of a {r['lines']}-line template: best "
              f"{r['best'] * 1000:.0f} ms, median {r['median'] * 1000:.0f} ms", "",
              "| target | measured | met |", "|---|---|---|"]
    for name, measured, met in targets(results):
        verdict = {True: "yes", False: "**no**", None: "not measured"}[met]
        lines.append(f"| {name} | {measured} | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

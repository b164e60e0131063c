"""CloudFormation, SAM and CDK output (the synthesized templates), in YAML or JSON.

- :mod:`.builder`: a decoded template into the invocation model;
- :mod:`.intrinsics`: ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``... resolved to
  three-valued values with their positions;
- :mod:`.sam`: ``AWS::Serverless::*`` expanded as the SAM translator would.

Decoding with marks is shared with other front ends (:mod:`esmlint.loaders.yaml`). This
module itself holds only the cheap sniffing the dispatcher needs for every YAML/JSON file.
"""

from __future__ import annotations


def looks_like_template(data: object) -> str:
    """"sam", "cloudformation" or "" for decoded YAML/JSON."""
    if not isinstance(data, dict):
        return ""
    transform = data.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms):
        return "sam"
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for resource in resources.values():
            if isinstance(resource, dict):
                rtype = resource.get("Type")
                if isinstance(rtype, str) and (
                    rtype.startswith("AWS::") or rtype.startswith("Custom::")
                ):
                    if rtype.startswith("AWS::Serverless::"):
                        return "sam"
                    return "cloudformation"
    if "AWSTemplateFormatVersion" in data:
        return "cloudformation"
    return ""


def sniff_text(text: str) -> bool:
    """Whether undecodable text still looks like a template (so its error is reported)."""
    head = text[:20000]
    return (
        "AWSTemplateFormatVersion" in head
        or "AWS::Serverless" in head
        or ("Resources" in head and "AWS::" in head)
    )

"""CDK applications: their cloud assembly (``cdk.out``) and CDK for Terraform's output.

A CDK app is a folder with ``cdk.json``; ``cdk synth`` writes its cloud assembly to the
folder that ``cdk.json``'s ``output`` names (``cdk.out`` by default). The templates in it are
CloudFormation and go through the CloudFormation front end; what this package adds is where
to find them (:mod:`.assembly`: ``manifest.json``, nested stages, nested stacks) and the
construct path of every resource (``OrdersStack/Worker``), which is the name a CDK user
wrote, where the logical ID (``WorkerD1A2B3C4``) is a hash of it.

CDK for Terraform (a folder with ``cdktf.json``) writes ``cdktf.out/stacks/*/cdk.tf.json``,
read as Terraform JSON.
"""

"""Serverless Framework (``serverless.yml`` / ``serverless.yaml`` / ``serverless.json``).

The Framework compiles its configuration into one CloudFormation template before it
deploys; this front end does the same for the parts that decide how functions are invoked,
then hands the template to the CloudFormation builder, so every rule covers
``serverless.yml`` with no rule written twice and ``resources:`` (plain CloudFormation) is
read exactly as CloudFormation is:

- :mod:`.variables`: ``${self:}``, ``${opt:x, 'default'}``, ``${sls:stage}``,
  ``${env:X, default}``, ``${file(./x.yml):key}`` (inside the project folder only), and
  Unknown for ``ssm``, ``cf``, ``s3`` and every other source;
- :mod:`.compile`: functions, events and the execution role as the Framework writes them,
  with its logical IDs and defaults, every node marked at its line in ``serverless.yml``;
- :mod:`.builder`: the CloudFormation builder over that template, plus what only the
  Framework knows (generated resources belong to their function; defaults are defaults).

A file is this format when it is named ``serverless.yml`` / ``.yaml`` / ``.json``, or when
its top level is a Serverless service for AWS (``service`` and ``provider: {name: aws}``,
no CloudFormation ``Resources`` of its own), as ``--config`` names it. Other providers and
other YAML are not templates (skipped silently in directory walks).

What the Framework generates, as read in its source (github.com/serverless/serverless,
v3.40.0 ``lib/plugins/aws/...`` and v4.29.0 ``packages/serverless/lib/plugins/aws/...``;
both versions generate the same for everything below unless a version is named):

- Functions (``package/compile/functions.js``): ``Timeout`` is the function's ``timeout``,
  else ``provider.timeout``, else **6** (not Lambda's 3); ``MemorySize`` likewise, default
  1024; ``FunctionName`` ``<service>-<stage>-<key>``; logical ID ``<Key>LambdaFunction``
  (``-`` spelled ``Dash``, ``_`` ``Underscore``). ``role`` (function), an existing
  ``provider.iam.role`` (a string or an intrinsic) or legacy ``provider.role``: a string
  that is not an ARN is a logical ID in ``resources`` (``Fn::GetAtt [role, Arn]``); the
  role is then what it names, nothing added. ``onError`` is ``DeadLetterConfig.TargetArn``
  and adds ``sns:Publish`` on it to the generated role (whatever the target's service).
  ``destinations`` / ``maximumEventAge`` / ``maximumRetryAttempts`` make
  ``<Key>LambdaEvConf`` (AWS::Lambda::EventInvokeConfig, Qualifier ``$LATEST``) and, when
  the generated role applies, add ``lambda:InvokeFunction`` / ``sqs:SendMessage`` /
  ``sns:Publish`` / ``events:PutEvents`` on the target. ``url`` makes AWS::Lambda::Url
  (AuthType ``NONE`` unless ``authorizer: aws_iam``) and, for ``NONE``, both public
  permissions (``lambda:InvokeFunctionUrl`` with FunctionUrlAuthType NONE, and
  ``lambda:InvokeFunction`` with InvokedViaFunctionUrl).
- The role (``package/lib/merge-iam-templates.js``, ``iam-role-lambda-execution-template.json``):
  ``IamRoleLambdaExecution``, trusted by ``lambda.amazonaws.com``, with the CloudWatch Logs
  statements, ``provider.iam.role.statements`` (v1/v2 ``provider.iamRoleStatements``),
  ``managedPolicies`` (``iamManagedPolicies``), ``permissionsBoundary``
  (``permissionBoundary``, ``rolePermissionsBoundary``), and
  ``AWSLambdaVPCAccessExecutionRole`` when any function or the provider has ``vpc``. It is
  not generated when the provider role is an existing one, or every function has ``role``.
  v4 only: ``provider.iam.role.mode: perFunction``, or function-level
  ``iam.role.statements`` / ``iamRoleStatements`` / ``iam.role.managedPolicies``, give a
  function a role of its own (``roles-per-function.js``): esmlint treats that role as
  Unknown.
- ``sqs`` (``compile/events/sqs.js``): AWS::Lambda::EventSourceMapping
  ``<Key>EventSourceMappingSQS<Queue>``, **BatchSize 10** and Enabled true written by the
  Framework, ``maximumBatchingWindow``, ``functionResponseType``, ``filterPatterns``,
  ``maximumConcurrency``; the role gets ``sqs:ReceiveMessage``, ``sqs:DeleteMessage``,
  ``sqs:GetQueueAttributes`` on every queue ARN.
- ``stream`` (``stream.js``): **BatchSize 10** (not Lambda's 100) and **StartingPosition
  TRIM_HORIZON** written by the Framework; ``batchWindow``, ``parallelizationFactor``,
  ``maximumRetryAttempts``, ``bisectBatchOnFunctionError``, ``maximumRecordAgeInSeconds``,
  ``tumblingWindowInSeconds``, ``functionResponseType``, ``filterPatterns``,
  ``destinations.onFailure`` (``sns:Publish``, or ``sqs:ListQueues`` + ``sqs:SendMessage``
  on it); the role gets ``dynamodb:`` / ``kinesis:`` ``GetRecords``, ``GetShardIterator``,
  ``DescribeStream``, ``ListStreams`` on the stream ARN; ``consumer`` (Kinesis enhanced
  fan-out) makes AWS::Kinesis::StreamConsumer and grants ``DescribeStreamSummary``,
  ``ListShards`` and ``SubscribeToShard`` instead.
- ``msk`` (``msk/index.js``): StartingPosition TRIM_HORIZON; ``kafka:DescribeCluster``,
  ``kafka:GetBootstrapBrokers`` on the cluster and the EC2 network interface actions on
  ``*``. ``kafka`` (``kafka.js``): StartingPosition TRIM_HORIZON, ``accessConfigurations``
  as SourceAccessConfigurations; ``secretsmanager:GetSecretValue`` on the auth secrets and
  the EC2 actions when a VPC is given. ``activemq`` / ``rabbitmq``: BASIC_AUTH (and
  VIRTUAL_HOST); ``secretsmanager:GetSecretValue`` on the secret, ``mq:DescribeBroker`` on
  the broker and the EC2 actions.
- ``sns`` (``sns.js``): an ARN gets an AWS::SNS::Subscription; a name makes topic
  ``SNSTopic<Name>`` with the function in its ``Subscription`` (a separate subscription
  when ``filterPolicy`` or ``redrivePolicy`` is set); permission principal
  ``sns.amazonaws.com`` with SourceArn the topic.
- ``s3`` (``s3/index.js``): a bucket name makes ``S3Bucket<Name>`` with the
  notification (``event`` default ``s3:ObjectCreated:*``, ``rules`` as ``S3Key`` rules)
  and a permission with SourceArn and SourceAccount; ``existing: true`` is wired at deploy
  time by the Custom::S3 handler (``custom-resources/resources/s3``), which calls
  ``lambda:AddPermission`` with the same principal, SourceArn and SourceAccount.
- ``eventBridge`` (``event-bridge/index.js``): AWS::Events::Rule with the function as
  target (``retryPolicy``, ``deadLetterQueueArn``), permission principal
  ``events.amazonaws.com`` with SourceArn the rule (v3 wires it through a custom resource
  unless ``provider.eventBridge.useCloudFormation``; the permission is the same).
  ``schedule`` (``schedule.js``): one rule per rate; v4 ``method: scheduler`` makes an
  AWS::Scheduler::Schedule whose role is the execution role, which then trusts
  ``scheduler.amazonaws.com`` and may invoke the function.
- ``cloudwatchLog``: AWS::Logs::SubscriptionFilter, principal ``logs.<region>.amazonaws.com``;
  ``iot``: AWS::IoT::TopicRule, principal ``iot.amazonaws.com``; ``cognitoUserPool``:
  AWS::Cognito::UserPool ``CognitoUserPool<Pool>`` with the trigger in ``LambdaConfig``
  (``existing: true`` through Custom::CognitoUserPool, which adds the permission);
  ``alb``: a target group of type lambda, principal ``elasticloadbalancing.amazonaws.com``.
- ``http`` (``api-gateway``): an AWS::ApiGateway::Method with an ``AWS_PROXY`` integration
  (``integration: lambda`` is ``AWS``; HTTP and mock integrations call no function),
  ``TimeoutInMillis`` from ``timeoutInMillis`` or ``provider.apiGateway.timeoutInMillis``
  (v4; else API Gateway's 29 s), ``async: true`` as ``X-Amz-Invocation-Type: 'Event'``.
  ``httpApi`` (``http-api.js``): one integration per function with **TimeoutInMillis
  30000**. ``websocket``: an ``AWS_PROXY`` integration on the WebSocket API. Each has a
  permission for ``apigateway.amazonaws.com``.

Not modelled: aliases the Framework adds for ``provisionedConcurrency`` / SnapStart (every
invoker is wired to the function itself), plugins, ``serverless.ts`` / ``.js``.
"""

from __future__ import annotations

import os

#: File names the Framework reads by default.
CONFIG_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")


def is_config(path: str) -> bool:
    """Whether the path is named as a Serverless Framework configuration."""
    return os.path.basename(path).lower() in CONFIG_NAMES


def looks_like_service(data: object, named: bool = False) -> bool:
    """Whether decoded YAML/JSON is a Serverless service for AWS.

    ``named``: the file is called ``serverless.yml``, so ``provider`` alone is enough;
    under any other name the top level must also say ``service``, and must not be a
    CloudFormation template.
    """
    if not isinstance(data, dict):
        return False
    provider = data.get("provider")
    name = provider.get("name") if isinstance(provider, dict) else provider
    if name != "aws":
        return False
    if named:
        return True
    return "service" in data and "Resources" not in data and \
        "AWSTemplateFormatVersion" not in data


def load(path: str, data: dict) -> object:
    """The model of one decoded configuration (variables resolved, then compiled)."""
    from .builder import build_model
    from .compile import Compiler
    from .variables import Variables

    resolved = Variables(path, data).resolve_tree(data)
    return build_model(path, Compiler(resolved).compile())

# The order pipeline of ../template.yaml, in Terraform, with the same kind of traps.
# Lint it:  esmlint check examples/terraform

resource "aws_sqs_queue" "orders" {
  name = "orders" # visibility_timeout_seconds defaults to 30
}

resource "aws_sns_topic" "refunds" {
  name = "refunds"
}

resource "aws_iam_role" "worker" {
  name = "order-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.worker.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "worker" {
  function_name = "order-worker"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "orders.handler"
  filename      = "build/orders.zip"
  timeout       = 60
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.worker.arn
  batch_size       = 10
}

resource "aws_sns_topic_subscription" "refunds" {
  topic_arn = aws_sns_topic.refunds.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.worker.arn # no aws_lambda_permission lets SNS invoke it
}

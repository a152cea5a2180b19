/**
 * The IAM actions the functions need, in one place for the CDK stack. `template.yaml` lists the
 * same ones; test/agreement.test.ts keeps the two in step.
 */

/**
 * What `@portico/store-dynamodb` calls on its table: items are read, created (conditional put),
 * compare-and-set updated, deleted; event logs and bus topics are read back with Query; trimming
 * deletes in batches. No Scan, no table management, no indexes.
 */
export const DYNAMODB_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
  "dynamodb:BatchWriteItem",
] as const;

/** One GetSecretValue per cold start. */
export const SECRET_ACTIONS = ["secretsmanager:GetSecretValue"] as const;

/** Writing to the function's own log group (which the stack creates, so no CreateLogGroup). */
export const LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/**
 * Tasks: each run is an asynchronous invocation of the function itself (`invokeSelf()`), granted in
 * a policy of its own (`InvokeSelfPolicy`) on the two functions' ARNs.
 */
export const INVOKE_ACTIONS = ["lambda:InvokeFunction"] as const;

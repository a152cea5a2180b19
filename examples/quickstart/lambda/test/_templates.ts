/**
 * Test helpers: the SAM template parsed with CloudFormation's short-form tags, the CDK stack
 * synthesised offline, and small readers over either template's JSON.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { expect } from "vitest";
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from "yaml";
import { QuickstartLambdaStack } from "../cdk/stack.ts";

export const packageRoot = fileURLToPath(new URL("..", import.meta.url));

export type Json = any;

/** The contract both templates must meet. */
export const EXPECTED = {
  runtime: "nodejs24.x",
  architectures: ["arm64"],
  streamHandler: "handler.streamHandler",
  bufferedHandler: "handler.handler",
  dynamoDbActions: [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
  ],
  secretActions: ["secretsmanager:GetSecretValue"],
  logActions: ["logs:CreateLogStream", "logs:PutLogEvents"],
  invokeActions: ["lambda:InvokeFunction"],
};

/**
 * The grant tasks need (`invokeSelf()`: each run is an asynchronous invocation of the function
 * itself): a policy of its own on the functions' role, naming exactly the two functions.
 */
export const INVOKE_SELF = {
  policyId: "InvokeSelfPolicy",
  policyName: "portico-quickstart-invoke-self",
  sid: "InvokeOwnFunctions",
  roles: [{ Ref: "FunctionRole" }],
  resources: [{ "Fn::GetAtt": ["StreamFunction", "Arn"] }, { "Fn::GetAtt": ["HttpApiFunction", "Arn"] }],
};

/** Checks the `InvokeSelfPolicy` resource of either template; returns its one statement. */
export function invokeSelfStatement(template: Json): Json {
  const policy = template.Resources[INVOKE_SELF.policyId];
  if (policy?.Type !== "AWS::IAM::Policy") throw new Error(`${INVOKE_SELF.policyId} is not an IAM policy`);
  if (JSON.stringify(policy.Properties.Roles) !== JSON.stringify(INVOKE_SELF.roles)) {
    throw new Error(`${INVOKE_SELF.policyId} is not attached to FunctionRole alone`);
  }
  const statements = policy.Properties.PolicyDocument.Statement;
  if (statements.length !== 1) throw new Error(`${INVOKE_SELF.policyId} should hold one statement`);
  return statements[0];
}

/** The OAuth parameters of both templates and the environment variables they become (src/config.ts). */
export const OAUTH_PARAMETERS = [
  ["OAuthIssuer", "OAUTH_ISSUER"],
  ["McpResource", "MCP_RESOURCE"],
  ["OAuthJwksUrl", "OAUTH_JWKS_URL"],
] as const;

// --- SAM -------------------------------------------------------------------------------------------

const FUNCTIONS = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAtt",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "Transform",
  "And",
  "Equals",
  "If",
  "Not",
  "Or",
];

function intrinsic(name: string, value: unknown): Json {
  if (name === "Ref" || name === "Condition") return { [name]: value };
  if (name === "GetAtt" && typeof value === "string") {
    const dot = value.indexOf(".");
    return { "Fn::GetAtt": [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

/** `!Ref x` → `{ Ref: "x" }`, `!GetAtt A.B` → `{ "Fn::GetAtt": ["A", "B"] }`, `!If [...]` → `{ "Fn::If": [...] }`… */
const cloudFormationTags: (ScalarTag | CollectionTag)[] = ["Ref", "Condition", ...FUNCTIONS].flatMap(
  (name) => [
    { tag: `!${name}`, resolve: (value: string) => intrinsic(name, value) } satisfies ScalarTag,
    ...(["seq", "map"] as const).map(
      (collection) =>
        ({
          tag: `!${name}`,
          collection,
          resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => intrinsic(name, node.toJSON()),
        }) satisfies CollectionTag,
    ),
  ],
);

export function loadSamTemplate(): Json {
  return parse(readFileSync(join(packageRoot, "template.yaml"), "utf8"), { customTags: cloudFormationTags });
}

/** A SAM function's properties with the `Globals.Function` section merged in (maps merge, like SAM). */
export function samFunction(template: Json, id: string): Json {
  const resource = template.Resources[id];
  if (resource?.Type !== "AWS::Serverless::Function") throw new Error(`${id} is not a SAM function`);
  const globals = template.Globals?.Function ?? {};
  const own = resource.Properties ?? {};
  const merged: Json = { ...globals, ...own };
  if (globals.Environment || own.Environment) {
    merged.Environment = {
      Variables: { ...globals.Environment?.Variables, ...own.Environment?.Variables },
    };
  }
  return merged;
}

// --- CDK -------------------------------------------------------------------------------------------

/**
 * Synthesises the CDK stack in memory (no credentials, network or Docker) against a stand-in bundle
 * directory, so it does not depend on `pnpm run build`; every temporary file is removed again.
 */
export function synthCdk(): { template: Template; json: Json } {
  const scratch = mkdtempSync(join(tmpdir(), "portico-quickstart-lambda-synth-"));
  try {
    const codeDirectory = join(scratch, "code");
    mkdirSync(codeDirectory);
    writeFileSync(join(codeDirectory, "handler.mjs"), "export const handler = () => {};\n");
    const app = new App({ outdir: join(scratch, "cdk.out") });
    const stack = new QuickstartLambdaStack(app, "PorticoQuickstartLambda", { codeDirectory });
    const template = Template.fromStack(stack);
    return { template, json: template.toJSON() };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// --- both ------------------------------------------------------------------------------------------

export function resourcesOfType(template: Json, type: string): [string, Json][] {
  return Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
}

/** Every identity-policy statement: inline role policies and AWS::IAM::Policy resources. */
export function policyStatements(template: Json): Json[] {
  const documents: Json[] = [];
  for (const [, role] of resourcesOfType(template, "AWS::IAM::Role")) {
    for (const policy of role.Properties.Policies ?? []) documents.push(policy.PolicyDocument);
  }
  for (const [, policy] of resourcesOfType(template, "AWS::IAM::Policy")) {
    documents.push(policy.Properties.PolicyDocument);
  }
  return documents.flatMap((d) => d.Statement);
}

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

export function statementBySid(template: Json, sid: string): Json {
  const found = policyStatements(template).filter((s) => s.Sid === sid);
  if (found.length !== 1) throw new Error(`expected one statement ${sid}, found ${found.length}`);
  return found[0];
}

export function sortedActions(statement: Json): string[] {
  return asList<string>(statement.Action).toSorted();
}

/** True when `value` contains the string `*` anywhere a resource could be a wildcard. */
export function hasWildcard(value: unknown): boolean {
  if (typeof value === "string") return value.includes("*");
  if (Array.isArray(value)) return value.some(hasWildcard);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasWildcard);
  return false;
}

/** The table both templates must define: on-demand, `pk`/`sk` strings, TTL on `ttl`. */
export const TABLE_PROPERTIES = {
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
};

/**
 * The functions' grant to invoke themselves (task runs) in a synthesized or SAM template: a policy
 * of its own on the role, exactly both functions' ARNs, the role's only Lambda grant, and nothing
 * waiting on it (a function that did would be a cycle).
 */
export function expectInvokeSelfGrant(template: Json): void {
  const grant = invokeSelfStatement(template);
  expect(grant).toEqual({
    Sid: INVOKE_SELF.sid,
    Effect: "Allow",
    Action: "lambda:InvokeFunction",
    Resource: INVOKE_SELF.resources,
  });
  expect(hasWildcard(grant.Resource)).toBe(false);
  expect(template.Resources[INVOKE_SELF.policyId].Properties.PolicyName).toBe(INVOKE_SELF.policyName);
  const lambdaGrants = policyStatements(template).filter((s: Json) =>
    asList<string>(s.Action).some((action) => action.startsWith("lambda:")),
  );
  expect(lambdaGrants).toEqual([grant]);
  for (const resource of Object.values(template.Resources as Record<string, Json>)) {
    expect(asList(resource.DependsOn ?? [])).not.toContain(INVOKE_SELF.policyId);
  }
}

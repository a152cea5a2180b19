/**
 * Minimal structural shapes of the Lambda events and results this adapter speaks, so the public API
 * needs no `@types/aws-lambda` (the tests check these against it). Only the fields read or written
 * are listed; real events carry more.
 */

export type StringMap = Record<string, string | undefined>;
export type MultiStringMap = Record<string, string[] | undefined>;

/** API Gateway REST API (payload format 1.0) proxy event. */
export interface ApiGatewayV1Event {
  httpMethod: string;
  path: string;
  headers?: StringMap | null;
  multiValueHeaders?: MultiStringMap | null;
  queryStringParameters?: StringMap | null;
  multiValueQueryStringParameters?: MultiStringMap | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: {
    httpMethod?: string;
    requestId?: string;
    domainName?: string;
    stage?: string;
    path?: string;
    identity?: { sourceIp?: string };
    authorizer?: Record<string, unknown> | null;
  };
}

/** HTTP API (payload format 2.0) and Function URL event. */
export interface ApiGatewayV2Event {
  version: "2.0";
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: StringMap;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: {
    http: { method: string; path?: string; sourceIp?: string };
    requestId?: string;
    domainName?: string;
    authorizer?: {
      jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null };
      lambda?: Record<string, unknown> | null;
      iam?: Record<string, unknown>;
    };
  };
}

/** Application Load Balancer target event (single- or multi-value header mode). */
export interface AlbEvent {
  httpMethod: string;
  path: string;
  headers?: StringMap;
  multiValueHeaders?: MultiStringMap;
  queryStringParameters?: StringMap;
  multiValueQueryStringParameters?: MultiStringMap;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: { elb: { targetGroupArn: string } };
}

export type LambdaHttpEvent = ApiGatewayV1Event | ApiGatewayV2Event | AlbEvent;

/** Result for API Gateway REST (1.0). */
export interface ApiGatewayV1Result {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

/** Result for HTTP API (2.0) and buffered Function URLs. */
export interface ApiGatewayV2Result {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  isBase64Encoded: boolean;
}

/** Result for ALB; exactly one of the header fields, matching the event's mode. */
export interface AlbResult {
  statusCode: number;
  statusDescription: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export type LambdaHttpResult = ApiGatewayV1Result | ApiGatewayV2Result | AlbResult;

/** The parts of the Lambda context object the adapter uses. */
export interface LambdaContextLike {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
  callbackWaitsForEmptyEventLoop?: boolean;
}

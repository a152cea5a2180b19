import { PorticoError } from "@portico/core";

/**
 * DynamoDB refused a request for a reason retrying cannot fix (a missing table, a validation
 * error, bad credentials, an item over 400 KB, a failed condition). `type` is DynamoDB's error
 * name without its namespace, e.g. `ValidationException`.
 */
export class DynamoDbError extends PorticoError {
  /** DynamoDB's error type, e.g. `ResourceNotFoundException`. */
  readonly type: string;
  /** HTTP status of the answer (0 when there was none). */
  readonly status: number;
  /**
   * True when an earlier attempt of the same request may have been applied although it failed
   * (a network error or a 5xx before the retry that produced this error).
   */
  readonly ambiguous: boolean;
  /**
   * A failed condition's item as it was when the condition was evaluated (DynamoDB's wire JSON),
   * when the request asked for it (`ReturnValuesOnConditionCheckFailure: "ALL_OLD"`) and there was
   * one. Servers without that option (dynalite) never send it.
   */
  readonly item?: Record<string, unknown>;

  constructor(
    type: string,
    message: string,
    status: number,
    ambiguous = false,
    item?: Record<string, unknown>,
  ) {
    super("dynamodb_error", `DynamoDB ${type}: ${message}`);
    this.name = "DynamoDbError";
    this.type = type;
    this.status = status;
    this.ambiguous = ambiguous;
    if (item !== undefined) this.item = item;
  }
}

/** True for DynamoDB's answer to a write whose condition did not hold. */
export function isConditionalCheckFailed(error: unknown): error is DynamoDbError {
  return error instanceof DynamoDbError && error.type === "ConditionalCheckFailedException";
}

import { PlanfileError } from "../errors.js";

/** The run store cannot be reached or used; the message names the store and what to check. */
export class StoreError extends PlanfileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE_UNAVAILABLE", message, options);
    this.name = "StoreError";
  }
}

/**
 * Secret values never leave the process: every value that is printed,
 * journaled or handed to a listener goes through a Redactor first, which
 * hides each secret raw and in the encodings tools send it in (URL, JSON,
 * base64; see src/secrets/forms.ts).
 */
import { formsOf, redactText, redactValue } from "../secrets/forms.js";

export const REDACTED = "***";

export class Redactor {
  private readonly forms: string[];

  constructor(secrets: Iterable<string>) {
    this.forms = formsOf(secrets);
  }

  get active(): boolean {
    return this.forms.length > 0;
  }

  text(value: string): string {
    return redactText(value, this.forms, REDACTED);
  }

  /** A redacted deep copy (the same value when there is nothing to redact). */
  value<T>(value: T): T {
    return redactValue(value, this.forms);
  }
}

import fc from "fast-check";

/** `text` with a span of up to 40 characters cut somewhere and up to 8 arbitrary characters put in its place. */
export function byteEdits(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(text.length - 1), fc.nat(40), fc.string({ maxLength: 8, unit: "binary" }))
    .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut));
}

/** Where runs live: the RunStore interface, its two implementations, and how a command picks one. */
export type { Holder, RunLock, RunPresence, RunStore, StoredRun } from "./types.js";
export { FileRunStore } from "./files.js";
export { openRunStore, storeUrl, type StoreChoice } from "./open.js";
export { StoreError } from "./store-error.js";

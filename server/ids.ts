import { uuidv7 } from "uuidv7";

/** Time-ordered, never reused identifiers (UUIDv7) for every row that has one. */
export const newId = (): string => uuidv7();

export * from "./users";
export * from "./sessions";
export * from "./audit";
export * from "./slots";
export * from "./metrics";
export * from "./terminal";

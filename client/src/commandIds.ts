// Command ids, as contributed in package.json. Room is left for a later
// "Trace leaks while running…" command (unleak trace), which is not implemented here.
export const Commands = {
  restart: "unleak.restart",
  showLogs: "unleak.showLogs",
  fixAll: "unleak.fixAll",
} as const;

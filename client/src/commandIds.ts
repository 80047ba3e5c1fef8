// Command ids, as contributed in package.json.
export const Commands = {
  restart: "unleak.restart",
  showLogs: "unleak.showLogs",
  fixAll: "unleak.fixAll",
  traceRun: "unleak.traceRun",
  showRule: "unleak.showRule",
} as const;

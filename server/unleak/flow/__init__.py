"""Per-unit flow: control-flow graphs, the ownership effects of statements, path conditions,
and the dataflow that follows each acquisition along every path."""

#!/usr/bin/env bash
# Redraw the README's picture of the examples' invocation graph (docs/images/example-graph.png)
# with Graphviz, from `esmlint graph --format dot examples/`. Run from the repository root.
set -euo pipefail
esmlint graph --format dot examples/ | dot -Tpng -Gdpi=110 -o docs/images/example-graph.png
echo "wrote docs/images/example-graph.png"

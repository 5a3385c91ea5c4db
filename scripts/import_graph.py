"""Print the import graph of a package: its modules, the import edges between them, and
the cycles among them, lazy imports inside functions included.

    .venv/bin/python scripts/import_graph.py            # bpcourse, as installed in .venv
    .venv/bin/python scripts/import_graph.py --edges    # also list every edge between groups

`make lint` runs import-linter's contracts (pyproject.toml, [tool.importlinter]), which keep
the rules; this script reports the figures. A cycle is a set of modules that import each
other round a loop (a strongly connected component of two or more modules).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

import grimp


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that deep graphs cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def group(module: str, subpackages: set[str]) -> str:
    """The part of the tree a module belongs to: its subpackage's name, or 'core'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and ".".join(parts[:2]) in subpackages else "core"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", nargs="?", default="bpcourse")
    parser.add_argument("--edges", action="store_true", help="list edges between groups")
    args = parser.parse_args(argv)

    # Imports under `if TYPE_CHECKING:` never run, so they cannot form a cycle at run time.
    graph = grimp.build_graph(args.package, include_external_packages=False,
                              exclude_type_checking_imports=True)
    nodes = set(graph.modules)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) & nodes for m in nodes}
    # A package's own __init__ importing its submodules is how Python packages work; a
    # submodule importing its package is what can close a loop, so both count as edges.
    n_edges = sum(len(v) for v in edges.values())
    cycles = [c for c in strongly_connected(nodes, edges) if len(c) > 1]
    cycles += [[m] for m in sorted(nodes) if m in edges[m]]

    print(f"{args.package}: {len(nodes)} modules, {n_edges} import edges, "
          f"{len(cycles)} cycles")
    subpackages = {".".join(m.split(".")[:2]) for m in nodes if m.count(".") >= 2}
    between = Counter((group(a, subpackages), group(b, subpackages))
                      for a in nodes for b in edges[a]
                      if group(a, subpackages) != group(b, subpackages))
    if args.edges:
        for (a, b), n in sorted(between.items()):
            print(f"  {a:>12} -> {b:<12} {n}")
    for c in cycles:
        print("  cycle:", " -> ".join(c))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())

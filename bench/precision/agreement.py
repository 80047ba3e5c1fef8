"""Agreement between two labelings of the same findings (inter-rater check).

    .venv/bin/python bench/precision/agreement.py
    .venv/bin/python bench/precision/agreement.py --first A_labels.json --second B.json

Joins the second labeling to the first by `key` (findings the second file has not labeled
are skipped) and prints, for `verdict` and for `plausible`: the count and percent of
findings on which both agree, Cohen's kappa, and every disagreement with both reasons.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
Finding = dict[str, Any]


def load(path: Path) -> dict[str, Finding]:
    """The labeled findings of a labels file, by key."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["key"]: f for f in data["findings"] if f.get("verdict") is not None}


def cohen_kappa(pairs: list[tuple[object, object]]) -> float:
    """Cohen's kappa of paired labels (1.0 when both raters use one same label throughout)."""
    n = len(pairs)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def report(
    name: str, joined: list[tuple[Finding, Finding]], label: Callable[[Finding], object]
) -> None:
    pairs = [(label(a), label(b)) for a, b in joined]
    agree = sum(a == b for a, b in pairs)
    n = len(pairs)
    print(
        f"{name}: agree on {agree}/{n} ({100 * agree / n:.1f}%), "
        f"Cohen's kappa {cohen_kappa(pairs):.2f}"
    )
    table = Counter(pairs)
    for (a, b), count in sorted(table.items(), key=lambda item: str(item[0])):
        print(f"    first={a!s:<15} second={b!s:<15} {count}")
    for first, second in joined:
        if label(first) != label(second):
            print(f"  - {first['project']} {first['path']}:{first['line']} {first['code']}")
            print(f"    first  ({label(first)}): {first.get('reason', '')}")
            print(f"    second ({label(second)}): {second.get('reason', '')}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=Path, default=HERE / "fresh2_labels.json")
    parser.add_argument("--second", type=Path, default=HERE / "fresh2_second.json")
    args = parser.parse_args()
    first, second = load(args.first), load(args.second)
    missing = sorted(set(second) - set(first))
    if missing:
        raise SystemExit(f"{len(missing)} keys of {args.second} are not labeled in {args.first}")
    joined = [(first[key], second[key]) for key in second]
    if not joined:
        raise SystemExit(f"{args.second} has no labeled findings")
    print(f"{len(joined)} findings labeled twice ({args.first.name} vs {args.second.name})\n")
    report("verdict", joined, lambda f: f["verdict"])
    report("plausible", joined, lambda f: bool(f["plausible"]))
    # The number issue 12 cares about: plausible leaks among all findings, per labeler.
    for who, index in (("first", 0), ("second", 1)):
        leaks = sum(pair[index]["verdict"] == "leak" for pair in joined)
        plausible = sum(bool(pair[index]["plausible"]) for pair in joined)
        print(f"{who}: {leaks}/{len(joined)} leaks, {plausible}/{len(joined)} plausible")


if __name__ == "__main__":
    main()

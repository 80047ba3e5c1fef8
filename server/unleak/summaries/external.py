"""Other modules' summaries, as the project index hands them to one module's analysis.

A spec is plain, hashable data (it travels through `Settings.external_summaries`, worker
processes and the cache), keyed by the qualified name the module's code uses:

- ``("f", returns, elements, params, kwonly, effects)``: a function; ``returns`` is the
  resource type of a fresh result (``"class:pkg.mod.Conn"`` for a project class);
  ``effects`` the ``(parameter, release|escape)`` pairs, every other parameter named in
  ``params`` or ``kwonly`` is only borrowed; with no parameters named, every argument is
  taken over (what is assumed of any unknown callable);
- ``("c", noun, release, with_releases, supports_with, canonical[, opened_by[, chooser[,
  on_return[, path_or_stream]]]])``: a resource class (its qualified name where it is
  defined): each call makes an instance to release with one of ``release``; one acquiring only
  in ``opened_by`` methods holds nothing before they succeed; one whose resource is an
  instance of a class the caller may choose names the argument choosing it (``(keyword,
  position)``, or empty): a call passing a class not known as a resource makes a plain
  instance; ``on_return``: the release methods that release only when they return (see
  `ResourceType.release_on_return`); ``path_or_stream``: the constructor's parameter through
  which it opens only a path (see `ResourceType.path_or_stream`);
- ``("m", returns, elements[, params, kwonly, effects])``: a plain class's method returning
  a fresh resource, keyed by the class's qualified name and the method's
  (``pkg.mod.Cls.open``): a call of it on an instance of the class acquires; or (``returns``
  None) one whose effects on its arguments are known, as a function's (``fu.save(buff)``
  borrows ``buff``);
- ``("w", params, kwonly, owned, release, converted)``: a class whose constructor takes
  over an argument (see :mod:`unleak.summaries.wrappers`): ``owned`` pairs a parameter with
  how the instance releases what it keeps of it, ``release`` its releasing methods,
  ``converted`` the parameters replaced by their descriptor; its other arguments are taken
  over as by any unknown callable.

The older ``(returns, elements)`` pair of a factory is still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unleak.catalogue import Catalogue, ResourceType
from unleak.summaries.functions import FunctionSummary

FUNCTION = "f"
CLASS = "c"
METHOD = "m"
WRAPPER = "w"


def install_external(specs: Mapping[str, Any], catalogue: Catalogue) -> dict[str, FunctionSummary]:
    """Summaries for other modules' callables; resource classes become catalogue types."""
    out: dict[str, FunctionSummary] = {}
    for qual, spec in specs.items():
        if not spec:
            continue
        kind = spec[0]
        if kind == CLASS:
            _, noun, release, with_releases, supports_with, canonical = spec[:6]
            opened_by = frozenset(spec[6]) if len(spec) > 6 else frozenset()
            type_name = f"class:{canonical}"
            if type_name not in catalogue.types:
                catalogue.types[type_name] = ResourceType(
                    type_name,
                    noun,
                    frozenset(release),
                    with_releases=bool(with_releases),
                    supports_with=bool(supports_with),
                    opened_by=opened_by,
                    release_on_return=frozenset(spec[8]) if len(spec) > 8 else frozenset(),
                    path_or_stream=(spec[9][0], spec[9][1]) if len(spec) > 9 and spec[9] else None,
                )
            # Arguments of a constructor are kept by the instance.
            chooser = spec[7] if len(spec) > 7 else None
            out[qual] = FunctionSummary(
                qual, returns=type_name, chosen_by=tuple(chooser) if chooser else None
            )
        elif kind == FUNCTION:
            _, returns, elements, params, kwonly, effects = spec
            summary = FunctionSummary(
                qual, list(params), list(kwonly), returns=returns, return_elements=tuple(elements)
            )
            summary._effects = dict(effects)
            out[qual] = summary
        elif kind == WRAPPER:
            _, params, kwonly, owned, release, converted = spec
            owns = {p: tuple(k) for p, k in owned}
            summary = FunctionSummary(qual, list(params), list(kwonly))
            summary._effects = {p: "escape" for p in [*params, *kwonly] if p not in owns}
            summary.owns = owns
            summary.owner_release = frozenset(release)
            summary.converts = frozenset(converted)
            out[qual] = summary
        elif kind == METHOD:
            _, returns, elements = spec[:3]
            params, kwonly, effects = spec[3:6] if len(spec) >= 6 else ((), (), ())
            method = FunctionSummary(
                qual,
                list(params),
                list(kwonly),
                returns=returns,
                return_elements=tuple(elements),
                is_method=True,
            )
            method._effects = dict(effects)
            out[qual] = method
        elif isinstance(kind, str) and len(spec) == 2:  # (returns, elements)
            out[qual] = FunctionSummary(qual, returns=kind, return_elements=tuple(spec[1]))
    # A summary whose resource type is unknown here acquires nothing.
    for summary in out.values():
        if summary.returns is not None and summary.returns not in catalogue.types:
            summary.returns, summary.return_elements = None, ()
    return out

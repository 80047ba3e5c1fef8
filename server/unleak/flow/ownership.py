"""The ownership dataflow: follows each acquisition along every CFG path.

Each acquisition site is analysed on its own. A state says whether the resource is held,
which local names refer to it, and the notable event on the way (the first exception edge
taken, the last return/break/continue). A held resource that reaches the end of the function,
loses its last name, or is dropped at once, is a leak on that path.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from unleak.catalogue.failure_rank import WEAK, failure_rank, stepping_rank
from unleak.catalogue.failures import (
    SAFE_CONSTRUCT,
    cannot_be_refused,
    catches_only_refusals,
    catches_oserror,
    enter_cannot_fail,
    names_catch_oserror,
    raises_besides_yield,
    raises_only_oserror,
    stepping_unlikely_to_fail,
    unlikely_to_fail,
)
from unleak.catalogue.own_release import releases_as_own_method, releases_when_raising
from unleak.flow.cfg import (
    CFG,
    EXIT,
    ITER,
    JUMP,
    RAISE_EXIT,
    STMT,
    TEST,
    WITH,
    Event,
    Node,
    awaits,
    can_raise,
    only_cancel,
)
from unleak.flow.conditions import Fact as CondFact
from unleak.flow.conditions import (
    Relevance,
    assignment_facts,
    combine,
    constant_facts,
    edge_facts,
    owned_if,
    unevaluated_or_holds,
)
from unleak.flow.effects import (
    SELF_RELEASING,
    Effect,
    EffectBuilder,
    Site,
    SiteInfo,
    captured_names,
)
from unleak.flow.file_steps import buffered_step_unlikely
from unleak.flow.skipping import Skipper
from unleak.names.resolver import statement_call
from unleak.names.text import expr_text
from unleak.source.walk import walk
from unleak.summaries.types import call_type

Via = tuple[Event, ...]
_EXC_KINDS = ("exception", "raise", "yield", "cancel")
_MAX_STATES_PER_NODE = 64
_RAISING_KINDS = (STMT, TEST, ITER, WITH)  # the nodes whose statement may raise


@dataclass(frozen=True)
class State:
    held: bool
    aliases: frozenset[str] = frozenset()
    via: Via = ()
    nonrel: bool = False  # managed by a `with` that does not release it
    facts: frozenset[CondFact] = frozenset()  # path conditions (see conditions.py)
    # Not held: registered (`log.addHandler(h)`) under this key, by these names, until the
    # registration is undone (`log.removeHandler(h)`) and it is held again.
    lent: tuple[object, frozenset[str]] | None = None
    # Held but holding nothing yet: an `ExitStack()` before anything is entered on it or
    # registered with it, a requests Session before its first request. Losing it then loses
    # nothing.
    empty: bool = False

    @property
    def key(self) -> StateKey:
        # The kind of the first exception event, so a yield path is kept beside a raise.
        kind = ""
        for e in self.via:
            if e[0] in _EXC_KINDS:
                kind = e[0]
                break
        return (self.held, self.aliases, self.nonrel, kind, self.facts, self.lent, self.empty)

    # `dataclasses.replace` reads the fields anew at each call: the flow analysis of a long
    # function makes thousands of these copies.
    def with_via(self, via: Via) -> State:
        return State(self.held, self.aliases, via, self.nonrel, self.facts, self.lent, self.empty)

    def with_facts(self, facts: frozenset[CondFact]) -> State:
        return State(self.held, self.aliases, self.via, self.nonrel, facts, self.lent, self.empty)


StateKey = tuple[
    bool,
    frozenset[str],
    bool,
    str,
    frozenset["CondFact"],
    "tuple[object, frozenset[str]] | None",
    bool,
]


UNHELD = State(False)


@dataclass(frozen=True)
class Leak:
    kind: str  # "exit", "raise", "dropped", "rebound", "deleted"
    line: int  # where the last reference is lost / the exit event line
    via: Via
    nonrel: bool = False

    @property
    def on_exception(self) -> bool:
        return self.kind == "raise" or any(e[0] in _EXC_KINDS for e in self.via)


@dataclass
class SiteResult:
    info: SiteInfo
    leaks: list[Leak] = field(default_factory=list)
    handled_somewhere: bool = False  # some path releases it or moves ownership
    # With exception leaks: the leaks left when statements that almost never fail do not
    # raise (`FunctionFlow.likely_leaks`); None when there are no exception leaks.
    likely: list[Leak] | None = None
    # The rank (catalogue/failure_rank.py) of the statement raising on each exception leak's
    # path, of both lists above: how likely the failure a message names is.
    ranks: dict[Leak, int] = field(default_factory=dict)


Fact = tuple[str, object]  # ("falsy" | "none" | "closed", name), ("unacq", site),
# ("other", (name, names)) or ("lacks", (name, attribute))

# Where a held resource stopped being held without a leak (released or handed on): the node,
# whether on its exception edge, and the names that referred to it just before.
Handled = tuple[int, bool, frozenset[str]]


class FunctionFlow:
    """Effects and refinements of one CFG, replayed per acquisition site.

    Effects are computed up front only for nodes whose text may acquire (`may_acquire`); the
    others, and whether a node can raise, are computed when a held resource first reaches them.
    """

    def __init__(
        self, cfg: CFG, builder: EffectBuilder, may_acquire: Callable[[Node], bool]
    ) -> None:
        self.cfg = cfg
        self.builder = builder
        n = len(cfg.nodes)
        self._effects: list[list[Effect] | None] = [None] * n
        self._raises: list[bool | None] = [None] * n
        self._unlikely_at: list[bool | None] = [None] * n  # `_unlikely`, once per node
        self._rank_at: dict[int, int] = {}  # `_raiser_rank` by line, once per line
        self._nodes_at: dict[int, list[int]] | None = None  # node ids by line, when asked
        self.refine: dict[int, tuple[list[Fact], list[Fact]]] = {}
        self.atom_names: dict[str, frozenset[str]] = {}
        self._assign: dict[int, tuple[frozenset[str], tuple[CondFact, ...]]] = {}
        self._tests: dict[int, tuple[list[CondFact], list[CondFact]]] = {}
        self._relevance: Relevance | None = None
        self.site_nodes: dict[Site, set[int]] = {}
        self._arms: dict[tuple[int, Site], tuple[CondFact, ...]] = {}  # `_arm_facts`
        # Set to a dict to have each site's releases and moves recorded (for explanations on
        # hover; the diagnostics never set it, so the dataflow pays one test per node).
        self.record: dict[Site, list[Handled]] | None = None
        self.likely_only = False  # set only while `likely_leaks` re-runs a site
        # A generator its framework always resumes (pytest fixtures): a `yield` does not raise.
        self.yield_resumed = False
        # Module-level code: an exception no handler of it catches ends the program, and is
        # not followed; the walk steps over statements that do not concern the resource
        # (flow/skipping.py).
        self.follow_exceptions = True
        self.skipper: Skipper | None = None
        for node in cfg.nodes:
            if node.ast is not None and node.kind != JUMP and may_acquire(node):
                known = set(builder.sites)
                self.effects(node.id)
                for site in builder.sites.keys() - known:
                    self.site_nodes.setdefault(site, set()).add(node.id)
                for eff in self._effects[node.id] or ():
                    if eff[0] in ("acq", "lock_acq"):
                        self.site_nodes.setdefault(eff[1], set()).add(node.id)
        self.sites = builder.sites

    def effects(self, nid: int) -> list[Effect]:
        cached = self._effects[nid]
        if cached is not None:
            return cached
        node = self.cfg.nodes[nid]
        out: list[Effect] = []
        if node.ast is not None and node.kind != JUMP:
            kind = node.kind if node.kind in (ITER, WITH, TEST) else STMT
            out = list(self.builder.statement(node.ast, kind))
            if node.kind == TEST:
                assert isinstance(node.ast, ast.expr)
                self.refine[nid] = (
                    _facts(node.ast, True, self.builder),
                    _facts(node.ast, False, self.builder),
                )
        self._effects[nid] = out
        return out

    def _is_release(self, tree: ast.AST) -> bool:
        """`a.close()` in a `finally` that also closes `b`: treating the release as one that
        cannot raise keeps the idiomatic sequence of releases from being reported."""
        call = statement_call(tree)
        if call is None:
            return False
        func = call.func
        if not isinstance(func, ast.Attribute) or not isinstance(
            func.value, (ast.Name, ast.Attribute)
        ):
            return False
        if func.attr in self.builder.release_names or func.attr == "release":
            if func.attr in self.builder.scope.catalogue.releases_on_return():
                return False  # a method that does its work, then releases
            return all(isinstance(a, (ast.Name, ast.Constant)) for a in call.args)
        qual = self.builder.scope.resolver.qualify(func)
        return qual is not None and qual in self.builder.scope.catalogue.release_functions

    def assign_info(self, nid: int) -> tuple[frozenset[str], tuple[CondFact, ...]]:
        cached = self._assign.get(nid)
        if cached is None:
            node = self.cfg.nodes[nid]
            tree = node.ast
            if tree is None or node.kind in (JUMP, TEST):
                cached = (frozenset(), ())
            else:
                killed, facts = assignment_facts(tree, self.atom_names)
                decided = constant_facts(tree, self.relevance)
                for atom, _ in decided:
                    self.atom_names.setdefault(atom, _names_of(atom))
                keep = self.relevance.after_binding
                facts = (*facts, *decided, *self._fresh_facts(nid))
                cached = (killed, tuple(f for f in facts if keep(f)))
            self._assign[nid] = cached
        return cached

    def _fresh_facts(self, nid: int) -> tuple[CondFact, ...]:
        """A name bound to a fresh resource is not None (nor false): `r, w = os.pipe()`
        makes a later `if w is not None:` take only its true branch, for `r` too."""
        effects = self._effects[nid]
        if not effects:
            return ()
        out: list[CondFact] = []
        for eff in effects:
            if eff[0] != "bind" or not any(isinstance(s, tuple) for s in eff[2]):
                continue
            name = eff[1]
            atom = f"{name} is None"
            self.atom_names[atom] = frozenset({name})
            self.atom_names.setdefault(name, frozenset({name}))
            out.append((atom, False))
        return tuple(out)

    @property
    def relevance(self) -> Relevance:
        if self._relevance is None:
            self._relevance = Relevance(
                (node.ast, node.repeats)
                for node in self.cfg.nodes
                if node.kind == TEST and isinstance(node.ast, ast.expr)
            )
        return self._relevance

    def test_facts(self, nid: int) -> tuple[list[CondFact], list[CondFact]]:
        cached = self._tests.get(nid)
        if cached is None:
            test = self.cfg.nodes[nid].ast
            assert isinstance(test, ast.expr)
            cached = (
                edge_facts(test, True, self.atom_names),
                edge_facts(test, False, self.atom_names),
            )
            self._tests[nid] = cached
        return cached

    def _safe_step(self, nid: int, state: State) -> bool:
        """Stepping through a local container that holds the resource cannot fail."""
        node = self.cfg.nodes[nid]
        if node.kind != ITER:
            return False
        iterable = getattr(node.ast, "iter", None)
        return (
            isinstance(iterable, ast.Name)
            and iterable.id in state.aliases
            and iterable.id not in self.builder.scope.var_types
        )

    def _opening_fails(self, nid: int, state: State, info: SiteInfo) -> bool:
        """The statement is the call that opens a lazily opening resource (`conn.connect()`):
        if it raises, the object holds nothing (what the method itself drops is its own
        finding)."""
        opening = info.type.opened_by
        tree = self.cfg.nodes[nid].ast
        if not opening or info.type.opens_partly or not isinstance(tree, ast.Expr):
            return False
        call = tree.value.value if isinstance(tree.value, ast.Await) else tree.value
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in opening
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in state.aliases
        )

    def _runs_once(self, nid: int, state: State) -> bool:
        """A loop over a non-empty literal, or over a container holding the resource,
        takes its body at least once."""
        loop = self.cfg.nodes[nid].ast
        iterable = getattr(loop, "iter", None)
        if _literal(iterable):
            return True
        return state.held and isinstance(iterable, ast.Name) and iterable.id in state.aliases

    def _arm_facts(self, nid: int, info: SiteInfo) -> tuple[CondFact, ...]:
        """What the tests of the conditional expressions around the acquiring call say on
        the arm that made it (`open(p) if not in_memory else BytesIO()`)."""
        key = (nid, info.site)
        known = self._arms.get(key)
        if known is not None:
            return known
        tree = self.cfg.nodes[nid].ast
        if isinstance(tree, (ast.For, ast.AsyncFor)):
            tree = tree.iter  # a loop's head node: only its iterable is evaluated there
        out: list[CondFact] = []
        for e in walk(tree) if tree is not None else ():
            if not isinstance(e, ast.IfExp):
                continue
            for arm, polarity in ((e.body, True), (e.orelse, False)):
                if any(n is info.node for n in walk(arm)):
                    facts = edge_facts(e.test, polarity, self.atom_names)
                    out += [f for f in facts if self.relevance.after_binding(f)]
        self._arms[key] = found = tuple(out)
        return found

    def computed_effects(self) -> list[list[Effect]]:
        return [e for e in self._effects if e]

    def raises(self, nid: int) -> bool:
        cached = self._raises[nid]
        if cached is None:
            node = self.cfg.nodes[nid]
            tree = node.ast
            if node.cleanup:
                cached = False
            elif node.kind == ITER:
                # Stepping through a literal tuple or list, or a range(), cannot fail.
                iterable = getattr(tree, "iter", None)
                cached = not (
                    _literal(iterable)
                    or (
                        isinstance(iterable, ast.Call)
                        and isinstance(iterable.func, ast.Name)
                        and iterable.func.id == "range"
                    )
                )
            else:
                cached = tree is not None and (
                    (node.kind == WITH and not self._safe_enter(tree))
                    or (can_raise(tree, self._safe_call) and not self._is_release(tree))
                )
            if cached and node.exc_event == "yield" and self.yield_resumed:
                node.exc_event = "exception"  # only what the statement calls can raise
                cached = raises_besides_yield(tree)  # type: ignore[arg-type]
            self._raises[nid] = cached
        # The second pass of `likely_leaks`: statements that almost never fail do not raise.
        return cached and not (self.likely_only and self._unlikely(nid))

    def _safe_call(self, call: ast.Call) -> bool:
        """`Holder(proc)` of a plain class of this module whose `__init__` only stores, or
        `contextlib.suppress(OSError)`."""
        func = call.func
        scope = self.builder.scope
        if scope.resolver.qualify(func) in SAFE_CONSTRUCT:
            return True
        if not isinstance(func, ast.Name) or func.id in scope.var_types:
            return False
        if func.id not in scope.summaries.class_defs:
            return False
        ctor = scope.summaries.constructors.get(func.id)
        return ctor is not None and ctor.cannot_raise

    def _safe_enter(self, tree: ast.AST) -> bool:
        expr = getattr(tree, "context_expr", None)
        return isinstance(expr, ast.expr) and enter_cannot_fail(
            expr, self.builder.scope.resolver.qualify, self._known_resource
        )

    def _known_resource(self, expr: ast.expr) -> bool:
        scope = self.builder.scope
        if isinstance(expr, ast.Call):
            return call_type(expr, scope) in scope.catalogue.types
        return expr_text(expr) in scope.var_types or expr_text(expr) in scope.lock_keys

    def _unlikely(self, nid: int) -> bool:
        # Asked again for each site's second pass: the answer is the node's alone.
        known = self._unlikely_at[nid]
        if known is not None:
            return known
        node = self.cfg.nodes[nid]
        tree = node.ast
        scope = self.builder.scope
        if node.kind == ITER:
            # The loop's head takes the next element; its body is other nodes.
            iterable = getattr(tree, "iter", None)
            known = isinstance(iterable, ast.expr) and stepping_unlikely_to_fail(
                iterable, scope.resolver.qualify
            )
            self._unlikely_at[nid] = known
            return known
        if node.kind == WITH:
            tree = getattr(tree, "context_expr", None)
        known = tree is not None and unlikely_to_fail(
            tree, scope.resolver.qualify, self._callee_fails
        )
        self._unlikely_at[nid] = known
        return known

    def _exc_targets(self, nid: int) -> list[int]:
        """Where an exception raised at ``nid`` can go. A statement that fails only with
        OSError (socket methods, `os` functions) reaches only the handlers that can catch
        one, and escapes the `try` only if none catches every OSError."""
        node = self.cfg.nodes[nid]
        exc = node.exc
        assert exc is not None
        handlers = self.cfg.handlers.get(exc)
        tree = getattr(node.ast, "context_expr", node.ast) if node.kind == WITH else node.ast
        if tree is None or node.exc_event != "exception":
            return [exc]
        scope = self.builder.scope
        suppressed = self.cfg.suppressing.get(exc)
        if suppressed is not None:
            # `with suppress(OSError): sock.sendall(...)`: what fails only with OSError is
            # suppressed and cannot escape the block.
            if names_catch_oserror(suppressed) == "all" and raises_only_oserror(
                tree, scope.resolver.qualify, self._type_of, self._callee_fails
            ):
                return [self.cfg.nodes[exc].succ[1]]
            return [exc]
        if handlers is None:
            return [exc]
        succ = self.cfg.nodes[exc].succ
        # `except ConnectionRefusedError:` (often a retry loop) is not where a statement that
        # makes no connection attempt goes.
        skip = {i for i, h in enumerate(handlers) if catches_only_refusals(h)}
        if skip and not cannot_be_refused(tree, scope.resolver.qualify, self._callee_fails):
            skip = set()
        if not (node.is_async or awaits(tree)):
            # `except CancelledError:` is reached from an `await`, where the task is cancelled.
            skip |= {i for i, h in enumerate(handlers) if only_cancel(h)}
        if not raises_only_oserror(tree, scope.resolver.qualify, self._type_of, self._callee_fails):
            if not skip:
                return [exc]
            return [s for i, s in enumerate(succ) if i not in skip]
        kinds = [catches_oserror(h) for h in handlers]
        out = [
            s
            for i, (s, kind) in enumerate(zip(succ, kinds, strict=False))
            if kind != "none" and i not in skip
        ]
        if "all" not in kinds:
            out.extend(succ[len(handlers) :])
        return out

    def _buffered_write(self, nid: int, state: State, info: SiteInfo) -> bool:
        """A short write, or a binary read or seek, on the buffered file this site opened
        (see file_steps.py)."""
        if info.type.name != "file":
            return False
        return buffered_step_unlikely(
            self.cfg.nodes[nid].ast, state.aliases, info.node, self.builder.scope.resolver.qualify
        )

    def _callee_fails(self, call: ast.Call) -> str | None:
        scope = self.builder.scope
        if isinstance(call.func, ast.Name) and call.func.id in scope.var_types:
            return None  # a local of that name, not the module's function
        return scope.summaries.callee_fails(call, scope.class_name)

    def _self_handed(self, sources: Iterable[object], aliases: frozenset[str], held: bool) -> bool:
        """`self` itself given away (or released) in `__init__` while it holds the resource:
        whatever it stored goes with it."""
        return (
            held
            and "self" in sources
            and self.builder.scope.init_owner
            and any(a.startswith("self.") for a in aliases)
        )

    def _stored_on_self(self, before: State, after: State) -> bool:
        """`__init__` has just stored it on `self`."""
        return self.builder.scope.init_owner and any(
            a.startswith("self.") and a not in before.aliases for a in after.aliases
        )

    def _instance_owns(self, state: State) -> bool:
        """Kept in an attribute by `__init__` (`self.f`): the instance's once it returns."""
        return self.builder.scope.init_owner and any(a.startswith("self.") for a in state.aliases)

    def _type_of(self, expr: ast.expr) -> str | None:
        return self.builder.scope.var_types.get(expr_text(expr))

    def likely_leaks(self, site: Site) -> list[Leak]:
        """The site's leaks when statements that almost never fail do not raise (see
        catalogue/failures.py): what is left of its exception paths are the plausible ones."""
        self.likely_only = True
        try:
            return self._analyse_site(site, self.sites[site]).leaks
        finally:
            self.likely_only = False

    def analyse(self) -> list[SiteResult]:
        results = [self._analyse_site(site, info) for site, info in self.sites.items()]
        for res in results:
            if any(lk.on_exception for lk in res.leaks):
                res.likely = self.likely_leaks(res.info.site)
                res.ranks = {
                    lk: self._raiser_rank(lk.via)
                    for lk in (*res.leaks, *res.likely)
                    if lk.on_exception
                }
        return results

    def _analyse_site(self, site: Site, info: SiteInfo) -> SiteResult:
        result = SiteResult(info)
        leaks: set[Leak] = set()
        cfg = self.cfg
        seen: list[dict[StateKey, State]] = [{} for _ in cfg.nodes]
        work: list[tuple[int, State]] = [(cfg.entry, UNHELD)]
        seen[cfg.entry][UNHELD.key] = UNHELD
        is_lock = info.lock_key is not None
        site_nodes = self.site_nodes.get(site, set())
        record = self.record.setdefault(site, []) if self.record is not None else None
        skipper = None if is_lock else self.skipper
        while work:
            nid, state = work.pop()
            if skipper is not None:
                names: set[str] = set(state.aliases)
                if state.lent is not None:
                    names |= state.lent[1]
                for atom, _ in state.facts:
                    names |= self.atom_names.get(atom, frozenset())
                target = skipper.target(nid, names, site[0])
                if target != nid:
                    self._push(seen, work, target, state)
                    continue
            node = cfg.nodes[nid]
            if node.kind in (EXIT, RAISE_EXIT) and state.held and state.empty:
                continue  # an ExitStack nothing was entered on: nothing to lose
            if node.kind == EXIT:
                if state.held and self._instance_owns(state):
                    result.handled_somewhere = True  # `__init__` returns: the instance has it
                elif state.held:
                    leaks.add(Leak("exit", node.line, state.via, state.nonrel))
                continue
            if node.kind == RAISE_EXIT:
                if state.held and self._instance_owns(state):
                    # Lost with the instance when `__init__` raises; only an explicit `raise`
                    # counts (any call may raise: that would flag most constructors).
                    if any(kind == "raise" for kind, _ in state.via):
                        leaks.add(Leak("raise", node.line, state.via, state.nonrel))
                elif state.held:
                    leaks.add(Leak("raise", node.line, state.via, state.nonrel))
                continue
            acquires_here = nid in site_nodes
            effects = (
                self.effects(nid)
                if (state.held or acquires_here or state.lent is not None)
                else []
            )
            out = state
            if effects:
                n_leaks = len(leaks)
                out = self._apply(
                    state, effects, site, info, node.line, False, leaks, result, is_lock
                )
                if len(leaks) > n_leaks and self._process_ends_next(nid):
                    # `Popen(argv); os._exit(0)`: the process that dropped it ends at once.
                    leaks -= {lk for lk in leaks if lk.kind == "dropped" and lk.line == node.line}
                if (
                    record is not None
                    and (state.held or acquires_here)
                    and not out.held
                    and len(leaks) == n_leaks
                ):
                    record.append((nid, False, state.aliases))
                elif record is not None and out.held and self._stored_on_self(state, out):
                    record.append((nid, False, state.aliases))  # for explanations
            if node.kind == JUMP and node.event is not None and out.held:
                # A break/continue out of the loop that acquired the resource is the cause.
                sticky = node.loop is not None and node.loop[0] <= site[0] <= node.loop[1]
                out = out.with_via(_with_event(out.via, node.event, sticky))
            killed, new_facts = self.assign_info(nid)
            if acquires_here and out.held and not state.held:
                # `BytesIO() if in_memory else open(p)`: held only where the test said so.
                new_facts = (*new_facts, *self._arm_facts(nid, info))
            if killed or new_facts:
                facts = combine(out.facts, killed, new_facts, self.atom_names)
                if facts is not None and facts is not out.facts:
                    out = out.with_facts(facts)
            succs = node.succ
            for i, succ in enumerate(succs):
                nxt = out
                if node.first_iteration and i == 1 and self._runs_once(nid, out):
                    continue
                if node.kind == TEST:
                    cond = combine(
                        nxt.facts,
                        frozenset(),
                        self.test_facts(nid)[i],
                        self.atom_names,
                        self.relevance.after_test,
                    )
                    if cond is None:
                        continue  # this branch contradicts what the path established
                    if cond is not nxt.facts:
                        nxt = nxt.with_facts(cond)
                    if nxt.held:
                        refined = _refine(nxt, self.refine[nid][0 if i == 0 else 1], site, info)
                        if refined is None:
                            continue
                        nxt = refined
                self._push(seen, work, succ, nxt)
            if (
                node.exc is not None
                and state.held
                and (self.follow_exceptions or node.exc != cfg.raise_exit)
                and self.raises(nid)
                and not (self.likely_only and self._buffered_write(nid, state, info))
                and not self._safe_step(nid, state)
                and not self._opening_fails(nid, state, info)
            ):
                raised = state
                if effects:
                    n_leaks = len(leaks)
                    raised = self._apply(
                        state, effects, site, info, node.line, True, leaks, result, is_lock
                    )
                    if record is not None and not raised.held and len(leaks) == n_leaks:
                        record.append((nid, True, state.aliases))
                exc_state = raised
                if raised.held:
                    exc_state = raised.with_via(
                        _with_event(raised.via, (node.exc_event, node.line))
                    )
                for target in self._exc_targets(nid):
                    self._push(seen, work, target, exc_state)
                if node.cancel is not None:
                    # The task cancelled at this `await`: past the handlers for `Exception`.
                    if raised.held:
                        raised = raised.with_via(_with_event(raised.via, ("cancel", node.line)))
                    self._push(seen, work, node.cancel, raised)
        # Prefer explanations a reader acts on first: normal paths, then yields, then raises.
        result.leaks = sorted(
            leaks,
            # A total order: the report must not depend on set iteration (hash seeds).
            key=lambda lk: (
                lk.on_exception,
                not any(e[0] == "yield" for e in lk.via),
                # An ordinary failure before a cancellation: the one a reader fixes first.
                any(e[0] == "cancel" for e in lk.via),
                # The statement likeliest to fail before one that practically never does.
                self._raiser_rank(lk.via),
                lk.line,
                lk.via,
                lk.kind,
                lk.nonrel,
            ),
        )
        return result

    def _raiser_rank(self, via: Via) -> int:
        """How likely the statement raising on the leak's path is to fail (failure_rank.py):
        its first exception event's, the likeliest of the raising nodes on that line."""
        event = next((e for e in via if e[0] in _EXC_KINDS), None)
        if event is None or event[0] != "exception":
            return 0  # a `raise` runs when reached; yields and cancellations sort apart
        line = event[1]
        known = self._rank_at.get(line)
        if known is not None:
            return known
        scope = self.builder.scope
        if self._nodes_at is None:
            self._nodes_at = {}
            for nid, node in enumerate(self.cfg.nodes):
                self._nodes_at.setdefault(node.line, []).append(nid)
        rank = WEAK
        for nid in self._nodes_at.get(line, []):
            node = self.cfg.nodes[nid]
            if node.ast is None or node.exc is None or node.kind not in _RAISING_KINDS:
                continue  # a loop's head node holds the whole loop, and raises nothing
            if not self.raises(nid):
                continue
            tree = node.ast
            if node.kind == ITER:
                iterable = getattr(tree, "iter", None)
                if isinstance(iterable, ast.expr):
                    rank = min(rank, stepping_rank(iterable, scope.resolver.qualify))
                continue
            if node.kind == WITH:
                tree = getattr(tree, "context_expr", tree)
            rank = min(rank, failure_rank(tree, scope.resolver.qualify, self._callee_fails))
        self._rank_at[line] = rank
        return rank

    def _process_ends_next(self, nid: int) -> bool:
        """Whether every successor of ``nid`` ends the process (`os._exit(0)`)."""
        nodes = self.cfg.nodes
        succs = nodes[nid].succ
        return bool(succs) and all(nodes[n].succ == [self.cfg.terminate] for n in succs)

    def _push(
        self,
        seen: list[dict[StateKey, State]],
        work: list[tuple[int, State]],
        nid: int,
        state: State,
    ) -> None:
        bucket = seen[nid]
        key = state.key
        old = bucket.get(key)
        if old is not None:
            # The same state reached through a statement likelier to fail than the one it
            # was first reached through: followed again, so the message names that one (a
            # key's state is replaced at most twice: there are three ranks).
            if old.via == state.via or not self._likelier(state.via, old.via):
                return
        elif len(bucket) >= _MAX_STATES_PER_NODE:
            return
        bucket[key] = state
        work.append((nid, state))

    def _likelier(self, via: Via, than: Via) -> bool:
        """Whether the first exception event of ``via`` is at a statement likelier to fail
        than that of ``than``, both being ordinary exceptions."""
        first = next((e for e in via if e[0] in _EXC_KINDS), None)
        other = next((e for e in than if e[0] in _EXC_KINDS), None)
        if first is None or other is None or first == other:
            return False
        if first[0] != "exception" or other[0] != "exception":
            return False
        return self._raiser_rank(via) < self._raiser_rank(than)

    def _apply(
        self,
        state: State,
        effects: list[Effect],
        site: Site,
        info: SiteInfo,
        line: int,
        exceptional: bool,
        leaks: set[Leak],
        result: SiteResult,
        is_lock: bool,
    ) -> State:
        held, aliases, via, nonrel = state.held, state.aliases, state.via, state.nonrel
        lent, empty, facts = state.lent, state.empty, state.facts
        # What an empty ExitStack or unopened session loses is nothing: its leaks are dropped.
        before = (
            set(leaks) if empty or info.type.name == "exit_stack" or info.type.opened_by else None
        )
        fresh = False
        old_aliases: frozenset[str] | None = None
        rebound: set[str] = set()
        bound_now: set[str] = set()  # names this statement made refer to the resource

        def matches(sources: Iterable[object]) -> bool:
            if not held:
                return False
            for s in sources:
                if s == site:
                    if fresh:
                        return True
                elif isinstance(s, str) and s in aliases:
                    return True
            return False

        for eff in effects:
            tag = eff[0]
            if tag == "acq" or tag == "lock_acq":
                if tag == "lock_acq" and held and eff[1] != site and eff[2] == info.lock_key:
                    # Acquired again elsewhere while held: a semaphore used for signalling,
                    # released by another thread, not a lock this function must release.
                    result.handled_somewhere = True
                    held = False
                    continue
                if exceptional or eff[1] != site:
                    continue
                if held and not is_lock:
                    old_aliases = aliases
                held, aliases, via, nonrel, fresh = True, frozenset(), (), False, True
                lent, empty = None, _empty_at_creation(info)
                owning = self._owning_facts(facts, info)
                if owning is None:
                    # Where the path knows it owns nothing (`closefd=flag`, `flag` false).
                    held, fresh = False, False
                else:
                    facts = owning
            elif tag == "bind":
                if exceptional:
                    continue
                name, sources = eff[1], eff[2]
                rebound.add(name)
                if not held:
                    if lent is not None and name in lent[1]:  # no longer names what was lent
                        lent = (lent[0], lent[1] - {name}) if lent[1] - {name} else None
                    continue
                new = matches(sources)
                if name in aliases and not new:
                    aliases = aliases - {name}
                    if not aliases and not is_lock:
                        # Bound and rebound by the same statement (`_, out, _ = f()`): never
                        # kept at all, not replaced by a later assignment.
                        kind = "dropped" if name in bound_now else "rebound"
                        leaks.add(Leak(kind, line, via, nonrel))
                        held, fresh = False, False
                elif new:
                    aliases = aliases | {name}
                    bound_now.add(name)
            elif tag == "bind_into":
                # Stored into a local container: the container's name refers to it too.
                if not exceptional and matches(eff[2]):
                    aliases = aliases | {eff[1]}
            elif tag == "capture":
                if held and aliases & captured_names(eff[1]):
                    result.handled_somewhere = True
                    held = False
            elif tag in ("escape", "pass", "transfer"):
                if matches(eff[1]) or self._self_handed(eff[1], aliases, held):
                    result.handled_somewhere = True
                    if tag == "pass" and len(eff) > 2 and not exceptional:
                        lent = (eff[2], aliases)  # a registration that may be undone
                    held = False
            elif tag == "adopt":
                # A constructor taking it over that raises: as with any wrapper, it is
                # assumed to have taken it (only its normal return leaves the caller holding
                # it, under the instance's name too).
                if exceptional and matches(eff[1]):
                    held = False
            elif tag == "fixture_return":
                if not exceptional and matches(eff[1]):
                    leaks.add(Leak("fixture", line, via, nonrel))  # pytest will not close it
                    held = False
            elif tag == "take_back":
                if (
                    not held
                    and not exceptional
                    and lent is not None
                    and lent[0] == eff[2]
                    and any(isinstance(s, str) and s in lent[1] for s in eff[1])
                ):
                    held, aliases, lent = True, lent[1], None
            elif tag == "release":
                method = eff[2]
                if (
                    matches(eff[1])
                    and (method is None or method in info.type.release)
                    and not (exceptional and method in info.type.release_on_return)
                ):
                    result.handled_somewhere = True
                    held = False
            elif tag == "method":
                if empty and matches(eff[1]) and _fills(info, eff[2], exceptional):
                    empty = False
                if eff[2] in SELF_RELEASING and self._self_handed(eff[1], aliases, held):
                    # `self.close()` in `__init__` (on an error path): releases what it stored.
                    result.handled_somewhere = True
                    held = False
                # A failing read() releases nothing; a failing close() still closes.
                elif (
                    releases_as_own_method(info.type, eff[2])
                    and matches(eff[1])
                    and not (exceptional and not releases_when_raising(info.type, eff[2]))
                ):
                    result.handled_somewhere = True
                    held = False
            elif tag == "release_fn":
                if eff[2] in info.type.release_functions and matches(eff[1]):
                    result.handled_somewhere = True
                    held = False
            elif tag == "with":
                if matches(eff[1]):
                    if info.type.with_releases:
                        result.handled_somewhere = True
                        held = False
                    else:
                        nonrel = True
            elif tag == "del":
                if held and eff[1] in aliases and not exceptional:
                    aliases = aliases - {eff[1]}
                    if not aliases and not is_lock:
                        leaks.add(Leak("deleted", line, via, nonrel))
                        held = False
            elif tag == "lock_rel" and held and eff[1] == info.lock_key:
                result.handled_somewhere = True
                held = False
        if old_aliases is not None and old_aliases <= rebound:
            leaks.add(Leak("rebound", line, state.via, state.nonrel))
        if held and fresh and not aliases and not is_lock and not exceptional:
            leaks.add(Leak("dropped", line, (), nonrel))
            held = False
        if empty and before is not None and len(leaks) > len(before):
            leaks.intersection_update(before)  # dropped or rebound before anything was entered
        if not held:
            if lent is not None:
                return State(False, facts=facts, lent=lent)
            return State(False, facts=facts) if facts else UNHELD
        return State(True, aliases, via, nonrel, facts, empty=empty)

    def _owning_facts(
        self, facts: frozenset[CondFact], info: SiteInfo
    ) -> frozenset[CondFact] | None:
        """The path's facts once the call owns what it opened; None where it cannot own it."""
        owning = owned_if(info.node)
        if not owning:
            return facts
        for atom, _ in owning:
            self.atom_names.setdefault(atom, frozenset({atom}))
        return combine(facts, frozenset(), owning, self.atom_names, self.relevance.after_binding)


def _names_of(atom: str) -> frozenset[str]:
    """The name an equality atom (`mode == 7`) tests."""
    return frozenset({atom.split(" ", 1)[0]})


def _empty_at_creation(info: SiteInfo) -> bool:
    """An `ExitStack()` just made holds nothing (`stack.pop_all()` holds what the other had),
    nor does a type that opens lazily (`opened_by`: a session before its first request)."""
    if info.type.opened_by:
        return True
    func = info.node.func
    return info.type.name == "exit_stack" and not (
        isinstance(func, ast.Attribute) and func.attr == "pop_all"
    )


def _fills(info: SiteInfo, method: str, exceptional: bool) -> bool:
    """Whether calling ``method`` on an empty resource makes it hold something: one of the
    methods that open a lazily opened type (even if it then fails: it may have connected);
    any method of an ExitStack that returns (a failed enter_context registered nothing)."""
    if info.type.opened_by:
        return method in info.type.opened_by or method == "read()"
    return not exceptional


def _literal(e: object) -> bool:
    return isinstance(e, (ast.Tuple, ast.List, ast.Set)) and bool(e.elts)


def _with_event(via: Via, event: Event, sticky: bool = False) -> Via:
    """Keep the first exception event, and the jump that explains the leak: a sticky
    break/continue (out of the loop that acquired) stays; otherwise the latest jump wins."""
    exc = [e for e in via if e[0] in _EXC_KINDS][:1]
    if event[0] in _EXC_KINDS:
        return tuple(exc) if exc else (event,)
    kept = [e for e in via if e[0] not in _EXC_KINDS]
    if kept and kept[-1][0] in ("break!", "continue!"):
        return via
    if sticky:
        event = (event[0] + "!", event[1])
    return (*exc, event)


def _refine(state: State, facts: list[Fact], site: Site, info: SiteInfo) -> State | None:
    for kind, subject in facts:
        if kind == "unacq" and subject == site:
            return UNHELD
        if kind == "none" and subject in state.aliases:
            return None
        if kind == "other" and isinstance(subject, tuple):
            name, others = subject
            if name in state.aliases and not (others & state.aliases):
                return None
        if kind == "closed" and subject in state.aliases:
            return None  # a resource still held is not closed
        if kind == "lacks" and isinstance(subject, tuple):
            name, attr = subject
            if name in state.aliases and attr in info.type.release:
                return None  # `hasattr(f, "close")` is true of a file still held
        if (
            kind == "falsy"
            and subject in state.aliases
            and (not info.type.maybe_falsy or info.lock_key is not None)
        ):
            return None
    return state


def _is_false(test: ast.expr, polarity: bool) -> bool:
    """Whether `test` evaluating to `polarity` says its left side is `False` (`x is False`,
    `x == False` holding, `x is not False` failing)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    right, op = test.comparators[0], test.ops[0]
    if not (isinstance(right, ast.Constant) and right.value is False):
        return False
    if isinstance(op, (ast.Is, ast.Eq)):
        return polarity
    return isinstance(op, (ast.IsNot, ast.NotEq)) and not polarity


def _int_constant(e: ast.expr) -> int | None:
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        inner = _int_constant(e.operand)
        return None if inner is None else -inner
    if isinstance(e, ast.Constant) and type(e.value) is int:
        return e.value
    return None


def _negative_where(op: ast.cmpop, right: ast.expr, polarity: bool) -> bool:
    """Whether `name <op> right` evaluating to `polarity` means the name holds a sentinel: a
    number below zero (or zero, where the test treats it as one)."""
    v = _int_constant(right)
    if v is None:
        return False
    if polarity:
        return (
            (isinstance(op, ast.Eq) and v < 0)
            or (isinstance(op, ast.Lt) and v <= 0)
            or (isinstance(op, ast.LtE) and v <= 0)
        )
    # `fd > 0` treats descriptor 0 as the sentinel too: it is stdin, not one just opened.
    return (
        (isinstance(op, ast.NotEq) and v < 0)
        or (isinstance(op, ast.GtE) and v <= 0)
        or (isinstance(op, ast.Gt) and v <= 0)
    )


def _facts(test: ast.expr, polarity: bool, builder: EffectBuilder) -> list[Fact]:
    """What must hold when `test` evaluates to `polarity`."""
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        # A loop, not recursion: `not not ... x` may be nested thousands deep.
        test, polarity = test.operand, not polarity
    if isinstance(test, ast.NamedExpr):
        return _facts(test.target, polarity, builder) + _facts(test.value, polarity, builder)
    if isinstance(test, ast.Name):
        return [] if polarity else [("falsy", test.id)]
    if (
        isinstance(test, ast.Attribute)
        and test.attr == "closed"
        and isinstance(test.value, ast.Name)
        and polarity
    ):
        # `if not f.closed: f.abort()`: where `f.closed` is true, `f` was released.
        return [("closed", test.value.id)]
    if (
        not polarity
        and isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "hasattr"
        and len(test.args) == 2
        and isinstance(test.args[0], ast.Name)
        and isinstance(test.args[1], ast.Constant)
        and isinstance(test.args[1].value, str)
    ):
        # `if hasattr(f, "close"): f.close()`: where false, `f` is no resource with that release.
        return [("lacks", (test.args[0].id, test.args[1].value))]
    if isinstance(test, ast.BoolOp):
        both = isinstance(test.op, ast.And) == polarity
        if both:
            out: list[Fact] = []
            for v in test.values:
                out += _facts(v, polarity, builder)
            return out
        last = unevaluated_or_holds(test, polarity)
        # A non-blocking acquire that did not run has not acquired either.
        return [f for f in _facts(last, polarity, builder) if f[0] == "unacq"] if last else []
    if _is_false(test, polarity):
        # `if lock.acquire(timeout=5) is False: raise`: where it is False, it is falsy.
        assert isinstance(test, ast.Compare)
        return _facts(test.left, False, builder)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name):
        right = test.comparators[0]
        op = test.ops[0]
        if not (isinstance(right, ast.Constant) and right.value is None) and isinstance(
            op, (ast.Is, ast.IsNot)
        ):
            # `f is sys.stdin.buffer`: where true, `f` is that other object, not the resource.
            if isinstance(op, ast.Is) == polarity:
                others = frozenset(n.id for n in walk(right) if isinstance(n, ast.Name))
                return [("other", (test.left.id, others))]
            return []
        if isinstance(right, ast.Constant) and right.value is None:
            op = test.ops[0]
            is_none = isinstance(op, (ast.Is, ast.Eq))
            if isinstance(op, (ast.Is, ast.Eq, ast.IsNot, ast.NotEq)) and is_none == polarity:
                return [("none", test.left.id)]
        if _negative_where(op, right, polarity):
            # `if fd != -1: os.close(fd)`, `if fd >= 0:`: where the name is a negative number
            # it holds the sentinel, not the resource (a descriptor is never negative).
            return [("none", test.left.id)]
        return []
    if isinstance(test, ast.Await):
        test = test.value
    if isinstance(test, ast.Call) and not polarity:
        site = (test.lineno, test.col_offset, -2)
        if site in builder.sites:
            return [("unacq", site)]
    return []

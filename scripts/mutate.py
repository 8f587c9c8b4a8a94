"""Mutation check of the core rules: would the tests notice if a rule were broken?

    .venv/bin/python scripts/mutate.py                         # every module in mutate.toml
    .venv/bin/python scripts/mutate.py lms/tracking.py         # one module (or several)
    .venv/bin/python scripts/mutate.py --list lms/access.py    # the mutants, without running

Each mutant is one small change to a function of a rule module: a comparison or boolean
operator swapped, `not` removed, a constant or arithmetic operator changed, a call
statement deleted, a return value replaced by None, min for max, `distinct=True` dropped.
Strings and the messages of raised errors are left alone: they are wording, not rules.
A mutant is killed when a test fails (or hangs) with it; it survived when every test that
executes the changed code still passes.

How it runs, in one pytest session (SQLite, in memory):
1. The baseline: the test paths configured for the chosen modules run once, recording
   which lines of the modules each test executes. A failing baseline stops the run.
2. Per mutant, a forked child swaps the changed function's code object in memory and runs
   only the tests that executed the changed lines, fastest first, stopping at the first
   failure; the parent kills a child that runs past its timeout. Nothing is written to
   disk, so an interrupted run (Ctrl-C) leaves the source as it was.

Modules and their tests are listed in scripts/mutate.toml; mutants that cannot change
behaviour are listed, each with its reason, in scripts/mutate_equivalents.toml and left
out of the score. Exit status: 0 when the score reaches the threshold, 1 below it, 2 when
the baseline fails or the configuration is wrong.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import dataclasses
import importlib
import inspect
import os
import signal
import sys
import threading
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "mutate.toml"
EQUIVALENTS = ROOT / "scripts" / "mutate_equivalents.toml"

KILLED, SURVIVED, TIMEOUT, ERROR, NOT_RUN = "killed", "survived", "timeout", "error", "not run"


# --- Mutants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    module: str  # path relative to the repository, e.g. "lms/tracking.py"
    function: str  # qualified name of the top-level function or method whose code changes
    operator: str
    line: int
    span: tuple[int, int]  # first and last line of the changed node: selects the tests
    # The statement (or a compound statement's header) before and after the change; a long
    # one cut to the change and enough around it to tell the function's mutants apart.
    # With module and function, these are the mutant's key: stable when lines move.
    original: str
    mutated: str
    site: int  # index of the changed node in ast.walk order (to rebuild the change)
    variant: int = 0  # which change at that node (e.g. which operator of a comparison)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.module, self.function, self.original, self.mutated)

    def __str__(self) -> str:
        return f"{self.module}:{self.line} [{self.operator}] {self.original!r} -> {self.mutated!r}"


_COMPARE_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_ARITHMETIC_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div,
    ast.BitOr: ast.BitAnd,  # Q objects: | and & are the query's or/and
    ast.BitAnd: ast.BitOr,
}
_DROPPED_KEYWORDS = {"distinct"}  # keyword=True arguments whose removal is a mutant


def _changes(node: ast.AST) -> list[tuple[str, int]]:
    """(operator, variant) for each way this node can be mutated."""
    found: list[tuple[str, int]] = []
    if isinstance(node, ast.Compare):
        found += [("comparison", i) for i, op in enumerate(node.ops) if type(op) in _COMPARE_SWAPS]
    elif isinstance(node, ast.BoolOp):
        found.append(("and/or", 0))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        found.append(("remove not", 0))
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or (
            isinstance(node.value, int | float) and not isinstance(node.value, bool)
        ):
            found.append(("constant", 0))
    elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _ARITHMETIC_SWAPS:
        formatting = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
        if not formatting:  # "message %(x)s" % {...}: a translated message, not a rule
            found.append(("arithmetic", 0))
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        found.append(("delete call", 0))
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            found.append(("return None", 0))
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
            found.append(("min/max", 0))
        found += [
            ("drop keyword", i)
            for i, kw in enumerate(node.keywords)
            if kw.arg in _DROPPED_KEYWORDS
            and isinstance(kw.value, ast.Constant)
            and kw.value.value is True
        ]
    return found


def _apply_change(tree: ast.Module, site: int, variant: int, operator: str) -> None:
    """Change the node at `site` (ast.walk order) of `tree` in place."""
    nodes = list(ast.walk(tree))
    node = nodes[site]
    if operator == "comparison":
        node.ops[variant] = _COMPARE_SWAPS[type(node.ops[variant])]()
    elif operator == "and/or":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif operator == "constant":
        value = node.value
        if isinstance(value, bool):
            node.value = not value
        elif value == 0:
            node.value = type(value)(1)
        elif value == 1:
            node.value = type(value)(0)
        else:
            node.value = value + 1
    elif operator == "arithmetic":
        node.op = _ARITHMETIC_SWAPS[type(node.op)]()
    elif operator == "return None":
        node.value = ast.Constant(value=None)
    elif operator == "min/max":
        node.func.id = "max" if node.func.id == "min" else "min"
    elif operator == "drop keyword":
        del node.keywords[variant]
    elif operator in ("remove not", "delete call"):
        replacement = node.operand if operator == "remove not" else ast.Pass()
        for parent in nodes:
            for name, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, name, replacement)
                    return
                if isinstance(value, list) and any(v is node for v in value):
                    value[[id(v) for v in value].index(id(node))] = replacement
                    return
    else:
        raise ValueError(operator)


_HEADERS = {
    ast.If: ("if ", ["test"]),
    ast.While: ("while ", ["test"]),
    ast.For: ("for ", ["target", "iter"]),
    ast.With: ("with ", ["items"]),
}


def _header_slot(statement: ast.stmt, node: ast.AST) -> tuple[str, int] | None:
    """Where in a compound statement's header `node` lies: (field, position), shown for the
    mutant instead of the whole statement with its body. None for a simple statement."""
    if type(statement) not in _HEADERS:
        return None
    for name in _HEADERS[type(statement)][1]:
        value = getattr(statement, name)
        parts = value if isinstance(value, list) else [value]
        for position, part in enumerate(parts):
            if any(n is node for n in ast.walk(part)):
                return name, position
    return None


def _render(statement: ast.AST, slot: tuple[str, int] | None) -> str:
    if not isinstance(statement, ast.stmt):
        return ast.unparse(statement)
    if type(statement) in _HEADERS:
        keyword, names = _HEADERS[type(statement)]
        if slot is None:
            slot = (names[0], 0)
        value = getattr(statement, slot[0])
        part = value[slot[1]] if isinstance(value, list) else value
        return keyword + ast.unparse(part)
    if isinstance(statement, ast.Try | ast.FunctionDef | ast.ClassDef):
        return ast.unparse(statement).splitlines()[0]
    return ast.unparse(statement)


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    """Top-level functions and methods of top-level classes, with their qualified names."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            found += [
                (f"{node.name}.{item.name}", item)
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
    return found


def generate_mutants(module: str) -> list[Mutant]:
    source = (ROOT / module).read_text()
    tree = ast.parse(source)
    index = {id(node): i for i, node in enumerate(ast.walk(tree))}
    mutants: list[Mutant] = []
    for qualname, function in _functions(tree):
        body = function.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        for statement_top in body:
            for statement in ast.walk(statement_top):
                if not isinstance(statement, ast.stmt):
                    continue
                for node in _own_nodes(statement):
                    for operator, variant in _changes(node):
                        mutants.append(
                            _describe(
                                module, qualname, tree, statement, node, index, operator, variant
                            )
                        )
    return _shorten(sorted(mutants, key=lambda m: (m.line, m.site, m.variant)))


def _focus(before: str, after: str, context: int) -> tuple[str, str]:
    """The changed part of two renderings and `context` characters around it."""
    if context >= max(len(before), len(after)):
        return before, after
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(before), len(after)) - prefix
        and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]
    ):
        suffix += 1
    start = max(0, prefix - context)

    def cut(text: str) -> str:
        end = min(len(text), len(text) - suffix + context)
        return ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")

    return cut(before), cut(after)


def _shorten(mutants: list[Mutant], short: int = 100) -> list[Mutant]:
    """Cut long renderings to their change, widening the context until the keys of the
    module's mutants are as distinct as the full renderings are."""
    full = [(m.function, m.original, m.mutated) for m in mutants]
    context = 30
    while True:
        shown = [
            (m.original, m.mutated)
            if max(len(m.original), len(m.mutated)) <= short
            else _focus(m.original, m.mutated, context)
            for m in mutants
        ]
        keys = [(m.function, *pair) for m, pair in zip(mutants, shown, strict=True)]
        if len(set(keys)) == len(set(full)) or context > 10_000:
            break
        context += 30
    return [
        dataclasses.replace(m, original=before, mutated=after)
        for m, (before, after) in zip(mutants, shown, strict=True)
    ]


def _own_nodes(statement: ast.stmt):
    """The statement and the expressions that belong to it (not to statements nested in
    its body), skipping annotations, which do not run, and the message of a raised error,
    which is wording, not a rule."""
    yield statement
    if isinstance(statement, ast.Raise):
        return
    for name, value in ast.iter_fields(statement):
        if name in ("annotation", "returns", "decorator_list", "args"):
            continue
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, ast.expr | ast.withitem | ast.keyword | ast.comprehension):
                yield from (n for n in ast.walk(part) if not isinstance(n, ast.stmt))
            elif isinstance(part, ast.excepthandler) and part.type is not None:
                yield from ast.walk(part.type)


def _describe(module, qualname, tree, statement, node, index, operator, variant) -> Mutant:
    slot = _header_slot(statement, node)
    original = _render(statement, slot)
    changed = copy.deepcopy(tree)
    site = index[id(node)]
    changed_statement = list(ast.walk(changed))[index[id(statement)]]
    _apply_change(changed, site, variant, operator)
    if operator == "delete call" and statement is node:
        mutated = "pass"
    else:
        mutated = _render(changed_statement, slot)
    line = getattr(node, "lineno", statement.lineno)
    end = getattr(node, "end_lineno", None) or line
    return Mutant(module, qualname, operator, line, (line, end), original, mutated, site, variant)


def mutated_code(mutant: Mutant):
    """The code object of the mutant's function, compiled from the changed module."""
    path = ROOT / mutant.module
    tree = ast.parse(path.read_text())
    _apply_change(tree, mutant.site, mutant.variant, mutant.operator)
    ast.fix_missing_locations(tree)
    code = compile(tree, str(path), "exec")
    stack = [code]
    while stack:
        current = stack.pop()
        if current.co_qualname == mutant.function:
            return current
        stack += [c for c in current.co_consts if inspect.iscode(c)]
    raise LookupError(f"no code for {mutant.function} in {mutant.module}")


def _function_object(mutant: Mutant):
    module = importlib.import_module(mutant.module.removesuffix(".py").replace("/", "."))
    owner, obj = module, None
    for part in mutant.function.split("."):
        obj = inspect.getattr_static(owner, part)
        owner = obj
    if isinstance(obj, property):
        obj = obj.fget
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    return inspect.unwrap(obj)


def apply_mutant(mutant: Mutant) -> None:
    """Swap the function's code for the mutant's, in this process only."""
    function = _function_object(mutant)
    code = mutated_code(mutant)
    if code.co_freevars != function.__code__.co_freevars:
        raise ValueError(f"{mutant.function}: closure differs; cannot swap its code")
    function.__code__ = code


# --- Configuration ---------------------------------------------------------------------------


@dataclass
class Config:
    threshold: float
    modules: dict[str, list[str]]  # module -> test paths
    timeout_factor: float
    timeout_floor: float
    equivalents: dict[tuple[str, str, str, str], str] = field(default_factory=dict)


def load_config(selected: list[str]) -> Config:
    raw = tomllib.loads(CONFIG.read_text())
    modules = {name: list(entry["tests"]) for name, entry in raw["modules"].items()}
    unknown = [m for m in selected if m not in modules]
    if unknown:
        raise SystemExit(
            f"not configured in {CONFIG.relative_to(ROOT)}: {', '.join(unknown)} "
            f"(configured: {', '.join(modules)})"
        )
    if selected:
        modules = {m: modules[m] for m in selected}
    equivalents = {}
    if EQUIVALENTS.exists():
        for entry in tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", []):
            if not entry.get("reason", "").strip():
                raise SystemExit(f"equivalent without a reason: {entry}")
            key = (entry["module"], entry["function"], entry["original"], entry["mutant"])
            equivalents[key] = entry["reason"]
    return Config(
        threshold=float(raw.get("threshold", 90)),
        modules=modules,
        timeout_factor=float(raw.get("timeout_factor", 3)),
        timeout_floor=float(raw.get("timeout_floor", 15)),
        equivalents=equivalents,
    )


# --- Running, as a pytest plugin -------------------------------------------------------------


class LineRecorder:
    """Which lines of the chosen files a test executes (sys.settrace, those files only),
    also in the threads a test starts (threading.settrace): a rule that runs in a thread of
    its own, such as the certificate render's lease, is then tried by the tests that start
    it instead of being reported as executed by none."""

    def __init__(self, files: set[str]):
        self.files = files
        self.hits: set[tuple[str, int]] = set()

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename in self.files:
            self.hits.add((frame.f_code.co_filename, frame.f_lineno))
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "line":
            self.hits.add((frame.f_code.co_filename, frame.f_lineno))
        return self._local

    def __enter__(self):
        self.hits = set()
        threading.settrace(self._global)
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        sys.settrace(None)
        threading.settrace(None)


@dataclass
class Outcome:
    mutant: Mutant
    status: str
    tests: int = 0  # how many tests cover it
    seconds: float = 0.0
    equivalent: str = ""  # the reason, when listed as equivalent


class MutationPlugin:
    def __init__(self, config: Config, mutants: list[Mutant], jobs: int):
        self.config = config
        self.mutants = mutants
        self.jobs = jobs
        self.outcomes: list[Outcome] = []
        self.baseline_failed: list[str] = []
        self.baseline_seconds = 0.0
        self.mutants_seconds = 0.0
        self.interrupted = False

    def pytest_configure(self, config):
        from hypothesis import HealthCheck, settings

        # Deterministic property tests, without a deadline that a busy machine would miss.
        settings.register_profile(
            "mutate",
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        settings.load_profile("mutate")

    def _say(self, session, text: str) -> None:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(text)
        else:
            print(text, flush=True)

    def pytest_runtestloop(self, session):
        try:
            return self._loop(session)
        except KeyboardInterrupt:
            self.interrupted = True
            raise

    def _loop(self, session):
        from _pytest.runner import runtestprotocol

        items = session.items
        if not items:
            self.baseline_failed.append("no tests collected")
            return True
        files = {str(ROOT / m) for m in self.config.modules}
        covering: dict[int, set[tuple[str, int]]] = {}
        durations: dict[int, float] = {}
        started = time.monotonic()
        self._say(session, f"baseline: {len(items)} tests, recording the lines they execute")
        for i, item in enumerate(items):
            # The last item tears down to the first one's ancestors, not further: the
            # session's fixtures (the test database) stay for the forked children.
            nextitem = items[i + 1] if i + 1 < len(items) else items[0]
            began = time.monotonic()
            with LineRecorder(files) as recorder:
                reports = runtestprotocol(item, log=True, nextitem=nextitem)
            durations[i] = time.monotonic() - began
            covering[i] = recorder.hits
            if any(r.failed for r in reports):
                self.baseline_failed.append(item.nodeid)
        self.baseline_seconds = time.monotonic() - started
        if self.baseline_failed:
            return True
        self._say(session, f"\nbaseline passed in {self.baseline_seconds:.0f} s")

        by_line: dict[tuple[str, int], set[int]] = defaultdict(set)
        for i, hits in covering.items():
            for hit in hits:
                by_line[hit].add(i)
        queue: list[tuple[Mutant, list[int]]] = []
        for mutant in self.mutants:
            path = str(ROOT / mutant.module)
            chosen: set[int] = set()
            for line in range(mutant.span[0], mutant.span[1] + 1):
                chosen |= by_line.get((path, line), set())
            order = sorted(chosen, key=lambda i: (durations[i], i))
            if mutant.key in self.config.equivalents:
                reason = self.config.equivalents[mutant.key]
                self.outcomes.append(Outcome(mutant, SURVIVED, len(order), equivalent=reason))
            elif not order:
                self.outcomes.append(Outcome(mutant, NOT_RUN))
            else:
                queue.append((mutant, order))
        self._say(session, f"{len(queue)} mutants to run, {self.jobs} at a time")
        started = time.monotonic()
        self._run_all(session, queue, items, durations, runtestprotocol)
        self.mutants_seconds = time.monotonic() - started
        return True

    def _run_all(self, session, queue, items, durations, runtestprotocol):
        # Tests that killed a mutant of a function run first for its next mutants: a
        # function's mutants tend to fall to the same few tests.
        killers: dict[tuple[str, str], list[int]] = defaultdict(list)
        running: dict[int, tuple[Mutant, list[int], float, float, int]] = {}
        done = 0
        total = len(queue)
        queue = list(queue)
        try:
            while queue or running:
                while queue and len(running) < self.jobs:
                    mutant, order = queue.pop(0)
                    first = [i for i in killers[(mutant.module, mutant.function)] if i in order]
                    order = first + [i for i in order if i not in first]
                    budget = sum(durations[i] for i in order)
                    timeout = self.config.timeout_floor + self.config.timeout_factor * budget
                    pid, pipe = _fork_child(
                        session, mutant, [items[i] for i in order], runtestprotocol
                    )
                    running[pid] = (mutant, order, time.monotonic(), timeout, pipe)
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    now = time.monotonic()
                    for child, (mutant, order, began, timeout, pipe) in list(running.items()):
                        if now - began > timeout:
                            os.kill(child, signal.SIGKILL)
                            os.waitpid(child, 0)
                            os.close(pipe)
                            del running[child]
                            done += 1
                            self._record(session, mutant, TIMEOUT, order, now - began, done, total)
                    time.sleep(0.02)
                    continue
                if pid not in running:
                    continue
                mutant, order, began, _timeout, pipe = running.pop(pid)
                killer = os.read(pipe, 32).decode()
                os.close(pipe)
                code = os.waitstatus_to_exitcode(status)
                result = {0: SURVIVED, 1: KILLED, 3: ERROR}.get(code, KILLED)
                if result == KILLED and killer.isdigit():
                    mine = killers[(mutant.module, mutant.function)]
                    index = order[int(killer)]
                    if index in mine:
                        mine.remove(index)
                    mine.insert(0, index)
                done += 1
                self._record(session, mutant, result, order, time.monotonic() - began, done, total)
        except KeyboardInterrupt:
            for child, (*_rest, pipe) in running.items():
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                os.close(pipe)
            raise

    def _record(self, session, mutant, status, order, seconds, done, total):
        self.outcomes.append(Outcome(mutant, status, len(order), seconds))
        if status in (SURVIVED, ERROR):
            self._say(session, f"[{done}/{total}] {status}: {mutant}")
        elif done % 25 == 0 or done == total:
            self._say(session, f"[{done}/{total}] ...")


def _fork_child(session, mutant: Mutant, items, runtestprotocol) -> tuple[int, int]:
    """Start a child that runs `items` against the mutant; (its pid, the pipe on which it
    names the position of the test that failed)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # The child: never returns. 0 survived, 1 killed, 3 the mutant could not be applied.
    os.close(read_end)
    status = 3
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        apply_mutant(mutant)
        status = 0
        session._setupstate.teardown_exact(items[0])
        for i, item in enumerate(items):
            nextitem = items[i + 1] if i + 1 < len(items) else None
            reports = runtestprotocol(item, log=False, nextitem=nextitem)
            if any(r.failed for r in reports):
                os.write(write_end, str(i).encode())
                status = 1
                break
    except BaseException:
        status = 1 if status == 0 else 3
    os._exit(status)


# --- Report -------------------------------------------------------------------------------


def score_of(outcomes: list[Outcome]) -> tuple[int, int, int, int, int, float | None]:
    counted = [o for o in outcomes if not o.equivalent and o.status != ERROR]
    killed = sum(o.status == KILLED for o in counted)
    timeout = sum(o.status == TIMEOUT for o in counted)
    survived = sum(o.status in (SURVIVED, NOT_RUN) for o in counted)
    equivalent = sum(bool(o.equivalent) for o in outcomes)
    score = 100 * (killed + timeout) / len(counted) if counted else None
    return len(outcomes), killed, timeout, survived, equivalent, score


def report(plugin: MutationPlugin, config: Config) -> float | None:
    print()
    print(
        f"{'module':<26}{'mutants':>8}{'killed':>8}{'timeout':>8}{'survived':>9}"
        f"{'equiv.':>7}{'score':>8}"
    )
    for module in config.modules:
        mine = [o for o in plugin.outcomes if o.mutant.module == module]
        n, killed, timeout, survived, equivalent, score = score_of(mine)
        shown = f"{score:.1f}%" if score is not None else "-"
        print(f"{module:<26}{n:>8}{killed:>8}{timeout:>8}{survived:>9}{equivalent:>7}{shown:>8}")
    n, killed, timeout, survived, equivalent, score = score_of(plugin.outcomes)
    shown = f"{score:.1f}%" if score is not None else "-"
    print(f"{'total':<26}{n:>8}{killed:>8}{timeout:>8}{survived:>9}{equivalent:>7}{shown:>8}")

    survivors = [o for o in plugin.outcomes if o.status in (SURVIVED, NOT_RUN) and not o.equivalent]
    if survivors:
        print("\nSurviving mutants (no test noticed them):")
        for o in sorted(survivors, key=lambda o: (o.mutant.module, o.mutant.line)):
            m = o.mutant
            how = "no test executes it" if o.status == NOT_RUN else f"{o.tests} tests ran"
            print(f"  {m.module}:{m.line}  {m.function}  [{m.operator}]  ({how})")
            print(f"      {m.original}")
            print(f"   -> {m.mutated}")
    errors = [o for o in plugin.outcomes if o.status == ERROR]
    if errors:
        print("\nMutants that could not be applied (left out of the score):")
        for o in errors:
            print(f"  {o.mutant}")
    seen = {o.mutant.key for o in plugin.outcomes}
    stale = [key for key in config.equivalents if key[0] in config.modules and key not in seen]
    if stale:
        print(f"\nListed in {EQUIVALENTS.relative_to(ROOT)} but no longer generated:")
        for key in stale:
            print(f"  {key[0]}  {key[1]}: {key[2]!r} -> {key[3]!r}")
    print(
        f"\nbaseline {plugin.baseline_seconds:.0f} s, mutants {plugin.mutants_seconds:.0f} s;"
        f" threshold {config.threshold:.0f}%"
    )
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules from scripts/mutate.toml (all)")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments")
    args = parser.parse_args(argv)
    modules = [m for arg in args.modules for m in arg.replace(",", " ").split()]
    config = load_config(modules)
    mutants = [m for module in config.modules for m in generate_mutants(module)]
    if args.list:
        for mutant in mutants:
            listed = " (equivalent)" if mutant.key in config.equivalents else ""
            print(f"{mutant}  in {mutant.function}{listed}")
        print(f"{len(mutants)} mutants")
        keys = {mutant.key for mutant in mutants}
        for key in config.equivalents:
            if key[0] in config.modules and key not in keys:
                print(f"listed as equivalent but not generated: {key}")
        return 0

    # Forked children share nothing but memory: the in-memory SQLite test database copies
    # cleanly, a PostgreSQL connection would not.
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    tests = sorted({path for paths in config.modules.values() for path in paths})
    print(f"{len(mutants)} mutants in {', '.join(config.modules)}; tests: {' '.join(tests)}")

    import pytest

    plugin = MutationPlugin(config, mutants, max(1, args.jobs))
    pytest_args = [
        *tests,
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not browser and not postgres_only",
        *args.pytest_args.split(),
    ]
    with contextlib.suppress(KeyboardInterrupt):  # the report covers what ran
        pytest.main(pytest_args, plugins=[plugin])
    if plugin.baseline_failed:
        print("\nThe baseline fails; fix these tests first:", *plugin.baseline_failed, sep="\n  ")
        return 2
    score = report(plugin, config)
    if plugin.interrupted:
        print("INTERRUPTED: the figures cover only the mutants that ran")
        return 130
    if score is None or score < config.threshold:
        print(f"FAIL: mutation score under {config.threshold:.0f}%")
        return 1
    print(f"OK: mutation score {score:.1f}% (threshold {config.threshold:.0f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

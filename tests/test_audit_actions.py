"""Every audit action the code writes is listed in `audits.actions.AuditAction`, and every
service writes its audit row (AU-03, BR-02). Both found by reading the code, not from a
hand-kept list: a new service or a new action is covered the day it is written."""

import ast
import re
from pathlib import Path

from django.contrib import admin

from audits.actions import RECORDABLE, AuditAction
from breaches.models import IncidentState, IncidentUpdateKind, NoticeState
from subprocessors.models import ObjectionState

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audits", "compliance", "breaches", "subprocessors", "web")
RECORDERS = frozenset({"event_record", "events_record"})
# <noun>_<verb>: incident_report, notice_decision_record, audit_seal.
SERVICE_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
# Services that take the actor only to check access and change nothing, with the reason.
READ_ONLY_SERVICES = {
    "notice_preview": "renders the notice a customer would receive; stores nothing",
}


def _modules() -> dict[Path, ast.Module]:
    trees = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            trees[path] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return trees


TREES = _modules()


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _functions(tree):
    """(function, its enclosing functions, innermost first) for every def in the tree."""
    stack = [(tree, ())]
    while stack:
        node, outer = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield child, outer
                stack.append((child, (child, *outer)))
            else:
                stack.append((child, outer))


def _params(func) -> list[str]:
    args = func.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _action_arg(call: ast.Call, recorder: tuple[str, int | None]):
    name, position = recorder
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def _recorders() -> dict[str, tuple[str, int | None]]:
    """Functions that pass one of their parameters on as the action of an audit event:
    `event_record` itself, and helpers such as `_record(actor, action)` or
    `_password_event(action)`, found by following the parameter up (fixed point)."""
    found = {"event_record": ("action", None)}
    changed = True
    while changed:
        changed = False
        for tree in TREES.values():
            for func, outer in _functions(tree):
                for call in ast.walk(func):
                    if not isinstance(call, ast.Call) or _callee(call) not in found:
                        continue
                    arg = _action_arg(call, found[_callee(call)])
                    if not isinstance(arg, ast.Name):
                        continue
                    for owner in (func, *outer):
                        params = _params(owner)
                        if arg.id in params and owner.name not in found:
                            args = owner.args
                            positional = [a.arg for a in (*args.posonlyargs, *args.args)]
                            index = positional.index(arg.id) if arg.id in positional else None
                            found[owner.name] = (arg.id, index)
                            changed = True
                            break
    return found


def _constants(tree) -> dict[str, ast.AST]:
    """Module-level `NAME = <expression>` assignments (`PAYLOAD_ERASED = ...`)."""
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _local_values(func, name: str) -> list[ast.AST] | None:
    """What a local variable of `func` is set to, or None if it is not one."""
    if func is None or name in _params(func):
        return None
    values = [
        node.value
        for node in ast.walk(func)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    return values or None


def _strings(node, tree, func=None) -> tuple[list[str], list[ast.AST]]:
    """Literal action strings in an expression, and the parts that are not literal.

    Follows a module constant and a local variable set to literals; `AuditAction.X` (with
    or without `.value`) is a member by construction, given the name exists."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value], []
    if isinstance(node, ast.IfExp):
        a, a_rest = _strings(node.body, tree, func)
        b, b_rest = _strings(node.orelse, tree, func)
        return a + b, a_rest + b_rest
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        return [getattr(AuditAction, node.attr).value], []
    if isinstance(node, ast.Name):
        values = _local_values(func, node.id)
        if values is None and node.id in _constants(tree):
            values = [_constants(tree)[node.id]]
        if values is not None:
            found, rest = [], []
            for value in values:
                a, a_rest = _strings(value, tree, func)
                found += a
                rest += a_rest
            return found, rest
    return [], [node]


def _written_actions():
    """{action: [where]} for every literal action, and the places that build one."""
    recorders = _recorders()
    literal, built = {}, []
    for path, tree in TREES.items():
        where = path.relative_to(ROOT)
        enclosing = {}
        for func, _outer in _functions(tree):
            for node in ast.walk(func):
                enclosing[node] = func  # an inner def comes after its outer one: innermost wins
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call) and _callee(node) in recorders:
                arg = _action_arg(node, recorders[_callee(node)])
                if arg is not None:
                    values.append(arg)
            elif isinstance(node, ast.Dict):
                # events_record([...{"action": ...}...]) and the helpers building its dicts.
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "action":
                        values.append(value)
            for value in values:
                strings, rest = _strings(value, tree, enclosing.get(node))
                for string in strings:
                    literal.setdefault(string, []).append(f"{where}:{node.lineno}")
                built += [
                    f"{where}:{node.lineno}"
                    for part in rest
                    if not (isinstance(part, ast.Name) and _is_forwarded(part, tree, recorders))
                ]
    return literal, built


def _is_forwarded(name: ast.Name, tree, recorders) -> bool:
    """A name that is the parameter of a recorder (checked where the recorder is called)."""
    return any(param == name.id for param, _ in recorders.values())


def test_every_literal_action_written_is_in_the_enumeration():
    literal, _ = _written_actions()
    assert len(literal) > 80, "the walk no longer finds the audit calls"
    unknown = {a: where for a, where in literal.items() if a not in RECORDABLE}
    assert not unknown, f"add these to audits.actions.AuditAction first: {unknown}"


def test_actions_built_at_run_time_are_in_the_enumeration():
    """The few actions built from a value: each value they can take is listed."""
    _, built = _written_actions()
    # Every place that builds an action is one of those checked below.
    assert {place.split(":")[0] for place in built} <= {
        "compliance/admin/base.py",  # <model_name>.created/updated/deleted
        "subprocessors/services/objections.py",  # objection.<decision>
        "audits/verify_bundle.py",  # reads a bundled event's action back, records none
    }, built
    for decision in (ObjectionState.UPHELD, ObjectionState.REJECTED):
        assert f"objection.{decision}" in RECORDABLE
    audited = [
        model_admin
        for model_admin in admin.site._registry.values()
        if any(cls.__name__ == "AuditedAdminMixin" for cls in type(model_admin).__mro__)
    ]
    assert audited
    for model_admin in audited:
        name = model_admin.model._meta.model_name
        for verb in ("created", "updated", "deleted"):
            assert f"{name}.{verb}" in RECORDABLE, (name, verb)
        for inline in model_admin.inlines:
            for verb in ("updated", "deleted"):
                assert f"{inline.model._meta.model_name}.{verb}" in RECORDABLE


def test_the_dossier_timeline_entries_have_labels():
    """breaches.dossier adds `incident.state:<state>`, `notice.state:<state>` and
    `update.<kind>` to its timeline; each one shows people words."""
    expected = (
        [f"incident.state:{s}" for s in IncidentState.values]
        + [f"notice.state:{s}" for s in NoticeState.values]
        + [f"update.{k}" for k in IncidentUpdateKind.values]
    )
    assert set(expected) <= set(AuditAction.values)


def _service_functions():
    """Public `<noun>_<verb>` functions taking `actor` in every `*/services.py` and
    `*/services/*.py`."""
    for path, tree in TREES.items():
        if path.name != "services.py" and path.parent.name != "services":
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.FunctionDef)
                and SERVICE_NAME.match(node.name)
                and "actor" in _params(node)
            ):
                yield path.relative_to(ROOT), node


def _recording_functions() -> set[str]:
    """Names of the functions that write an audit event, directly or through a call."""
    calls: dict[str, set[str]] = {}
    for tree in TREES.values():
        for func, _outer in _functions(tree):
            calls.setdefault(func.name, set()).update(
                _callee(c) for c in ast.walk(func) if isinstance(c, ast.Call)
            )
    recording = set(RECORDERS)
    changed = True
    while changed:
        changed = False
        for name, called in calls.items():
            if name not in recording and called & recording:
                recording.add(name)
                changed = True
    return recording


def test_every_service_writes_its_audit_row():
    """OBL BR-02, AU-03: every service (found by discovery) writes an audit event, itself
    or through the functions it calls; the runtime journey in breaches/tests/test_audit.py
    shows the rows with their actors."""
    services = list(_service_functions())
    assert len(services) > 40, "the discovery no longer finds the services"
    recording = _recording_functions()
    silent = [
        f"{path}:{func.name}"
        for path, func in services
        if func.name not in recording and func.name not in READ_ONLY_SERVICES
    ]
    assert not silent, f"services that write no audit event: {silent}"
    names = {func.name for _, func in services}
    for name in READ_ONLY_SERVICES:
        assert name in names and name not in recording, f"{name}: drop it from the exemptions"

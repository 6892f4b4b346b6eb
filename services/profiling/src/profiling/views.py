"""Aggregates per rollout x site x department x competence, k-anonymous.

A row describes the employees of one site and department who gave input (their
profiles), beside how many the rollout concerns there; rows of fewer than k are hidden,
and so is whatever would reveal them by subtraction from the published site totals.
"""

import re
from collections import defaultdict

from gegenstrom_runtime.aggregates import suppressed, suppressed_totals
from gegenstrom_runtime.auth import Principal
from gegenstrom_runtime.service import Infrastructure

Key = tuple[str, str, str]  # site, department, competence


async def aggregates(infra: Infrastructure, rollout_id: str, who: Principal, k: int) -> dict:
    rows = await _rows(infra, rollout_id, who)
    cells = suppressed(rows, k, groups=[(0, 2)])  # site totals per competence are published
    return {
        "rollout_id": rollout_id,
        "k": k,
        "cells": _published(cells),
        "site_totals": _published(suppressed_totals(rows, cells, k, keep=(0, 2))),
    }


async def _rows(infra: Infrastructure, rollout_id: str, who: Principal) -> dict[Key, dict]:
    where = {}
    async for doc in infra.db["inputs"].find({"rollout_id": rollout_id}, {"event": 1}):
        event = doc["event"]
        if who.covers_site(event["site_id"]):
            where[event["employee_id"]] = (event["site_id"], event["department_id"] or "-")
    rows: dict[Key, dict] = defaultdict(_empty_row)
    people: dict[tuple[str, str], int] = defaultdict(int)
    for site, department in where.values():
        people[(site, department)] += 1
    prefix = {"_id": {"$regex": f"^{re.escape(rollout_id)}:"}}
    async for doc in infra.db["profiles"].find(prefix, {"content": 1}):
        employee = doc["_id"].split(":", 1)[1]
        if employee in where:
            _add(rows, where[employee], doc["content"])
    in_scope = await _in_scope(infra, rollout_id, who)
    competences = {key[2] for key in rows}
    for place, count in people.items():  # every place x competence, so totals add up
        for competence in competences:
            row = rows[(*place, competence)]
            row["employees"], row["employees_in_scope"] = count, in_scope.get(place, 0)
    return dict(rows)


async def _in_scope(infra: Infrastructure, rollout_id: str, who: Principal) -> dict:
    """Active employees the rollout concerns, per site and department (from intake's
    assignment events)."""
    doc = await infra.db["rollouts"].find_one({"_id": rollout_id})
    if doc is None:
        return {}
    scope = doc["event"]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    async for e in infra.db["employees"].find({"status": "active"}):
        if who.covers_site(e["site_id"]) and _concerns(scope, e):
            counts[(e["site_id"], e["department_id"])] += 1
    return counts


def _concerns(scope: dict, employee: dict) -> bool:
    wanted = {
        "site_id": scope["site_ids"],
        "department_id": scope["department_ids"],
        "role_id": scope["role_ids"],
        "process_id": scope["process_ids"],
    }
    return all(not ids or employee.get(field) in ids for field, ids in wanted.items())


def _empty_row() -> dict:
    """employees: those with input (whom the row describes); with_gap: demand for learning."""
    return {
        "employees": 0,
        "employees_in_scope": 0,
        "with_gap": 0,
        "gap_size_sum": 0,
        "mentoring_supply": 0,
    }


def _add(rows: dict[Key, dict], place: tuple[str, str], content: dict) -> None:
    for gap in content["gaps"]:
        row = rows[(*place, gap["competence_id"])]
        row["with_gap"] += 1
        row["gap_size_sum"] += gap["size"]
    for strength in content["strengths"]:
        rows[(*place, strength["competence_id"])]["mentoring_supply"] += strength[
            "mentoring_capacity"
        ]


def _published(table: dict) -> list[dict]:
    return [
        {"key": list(key), **(row if row is not None else {"suppressed": True})}
        for key, row in sorted(table.items())
    ]

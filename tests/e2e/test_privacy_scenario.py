"""Erasure on request in the middle of a rollout, and topics that hold no personal data,
with all four services running as processes on real Kafka and MongoDB (issue «Privacy and
works-council controls»).

One rollout is set up once for the module: Nordwind's organisation; a mentor who offers
spreadsheets; three mentees who lack it and get a mentor item hosted by the mentor (the
mentor accepts one of them); inputs with free text, ideas (one answered by HR), a
manager's and HR's reads, inbox entries and e-mails. Then a mentee and the mentor are
erased, and nothing of them may be left anywhere: in no database of the four services, in
no record published after the erasure (but the erasure events themselves), behind no
id that intake resolves; the mentor's mentees are planned again without them. Later
tests of the module erase an employee right after their input (a race with the input's
events) and the manager of everyone; the last reads every record ever published and finds
no name, e-mail address, personnel number, free text or personal field name.
"""

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

import httpx
import pytest
from aiosmtpd.controller import Controller

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import EmployeeErased, ErasureConfirmed
from gegenstrom_contracts.training_match import LearningPlanUpdated
from gegenstrom_runtime.auth import Role
from intake.privacy import personal_field_names
from support.company import HR, ROLLOUT_ID, seed_company
from support.factories import SECRET_TEXT, input_form
from support.kafka_io import produce
from support.namespace import SERVICES, Namespace
from support.org_files import employee_rows
from support.privacy_scan import (
    Offsets,
    Seen,
    documents_mentioning,
    end_offsets,
    json_keys,
    json_scalars,
    read_records,
    topics_with_prefix,
    wait_settled,
)
from support.processes import ServiceProcess
from support.servers import Servers, free_port
from support.tokens import bearer

ORG_SIZE = 7  # 1006 is erased with no input, then events about them are replayed
CONFIRMING = {"profiling", "training-match", "notification"}
PRIVACY_EVENTS = {EmployeeErased.event_type, ErasureConfirmed.event_type}
SERVICE_TOKEN = bearer("notification", Role.SERVICE)
WAIT_S = 120.0  # the machine is shared; a loaded one is slow, not broken
START_S = 180.0
# Fields that intake must mark personal (json_schema_extra={"x-personal": True}), as the
# issue names them; intake's personal_field_names() is the list the test checks against.
KNOWN_PERSONAL_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "personnel_number",
    "tasks",
    "background",
    "qualifications",
    "experience",
    "text",
}
# Contract fields that share a name with a personal field of intake but hold no personal
# data: a plan item's ``reason`` is generated text (the public contract says so), unlike
# the reason of HR's answer to an idea. The free-text search covers their values still.
SHARED_NAMES = {LearningPlanUpdated.event_type: {"reason"}}


# --- the scenario -------------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@dataclass
class Rollout:
    namespace: Namespace
    urls: dict[str, str]
    ids: dict[str, str]  # personnel number -> pseudonymous id
    mentor: str
    mentees: dict[str, str]  # "erased", "accepted", "requested" -> pseudonymous id
    mailbox: Mailbox
    free_texts: list[str] = field(default_factory=list)

    def address(self, employee: str) -> str:
        """The e-mail address of the org CSV (person<i> for personnel number 1000 + i)."""
        number = next(n for n, e in self.ids.items() if e == employee)
        return f"person{int(number) - 1000}@nordwind.example"

    @property
    def bootstrap(self) -> str:
        return self.namespace.servers.kafka_bootstrap

    @property
    def databases(self) -> list[str]:
        return [self.namespace.database(s) for s in SERVICES]

    async def all_topics(self) -> list[str]:
        return await topics_with_prefix(self.bootstrap, self.namespace.topic_prefix)

    async def settled(self) -> None:
        await wait_settled(
            self.bootstrap,
            self.namespace.topic_prefix,
            topics.ALL_TOPICS,
            self.namespace.servers.mongo_uri,
            self.databases,
        )


def free_text(owner: str, what: str) -> str:
    """Free text that names the person it is about, with an umlaut (escaped in JSON)."""
    return f"{what} von {owner}: Rüstzeiten an Rampe 7 mit Frau Kühn abgestimmt"


def mentor_input(mentor: str, texts: list[str]) -> dict:
    tasks, experience = free_text(mentor, "Aufgaben"), free_text(mentor, "Erfahrung")
    texts += [tasks, experience, SECRET_TEXT]
    return input_form(
        mentor,
        role_id="dispatcher",
        process_step_id="booking",
        self_ratings=[
            {"competence_id": "spreadsheets", "level": 4},
            {"competence_id": "kpi-reading", "level": 3},
        ],
        learning_wishes=[{"competence_id": "mobile-devices", "target_level": 2}],
        mentoring_offer={"competence_ids": ["spreadsheets"], "capacity": 3},
        tasks=[tasks],
        experience=experience + " " + SECRET_TEXT,
    )


def mentee_input(mentee: str, role_id: str, texts: list[str]) -> dict:
    written = {
        kind: free_text(mentee, kind)
        for kind in ("Aufgaben", "Hintergrund", "Qualifikation", "Erfahrung")
    }
    texts += list(written.values())
    return input_form(
        mentee,
        role_id=role_id,
        process_step_id="booking" if role_id == "dispatcher" else "shipping",
        self_ratings=[{"competence_id": "spreadsheets", "level": 1}],
        learning_wishes=[{"competence_id": "spreadsheets", "target_level": 3}],
        mentoring_offer=None,
        tasks=[written["Aufgaben"]],
        background=written["Hintergrund"],
        qualifications=[written["Qualifikation"]],
        experience=written["Erfahrung"],
    )


async def until(what: str, probe, timeout_s: float = WAIT_S):
    """Poll ``probe()`` until it returns something truthy; that is returned."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s}s for {what}")
        await asyncio.sleep(0.2)


async def plans(rollout: Rollout, since: Offsets | None = None) -> list[Seen]:
    """The learning-plan records (from ``since`` on), oldest first per partition."""
    topic = rollout.namespace.topic(topics.LEARNING_PLAN)
    return [
        r
        for r in await read_records(rollout.bootstrap, [topic], since)
        if r.ce_type == LearningPlanUpdated.event_type
    ]


def newest_plans(records: Iterable[Seen]) -> dict[str, dict]:
    newest: dict[str, dict] = {}
    for record in records:
        plan = json.loads(record.value)
        known = newest.get(plan["employee_id"])
        if known is None or plan["plan_version"] > known["plan_version"]:
            newest[plan["employee_id"]] = plan
    return newest


def mentor_items(plan: dict, mentor: str) -> list[dict]:
    return [i for i in plan["items"] if i["kind"] == "mentor" and i.get("host_id") == mentor]


@pytest.fixture(scope="module")
async def rollout(servers: Servers) -> AsyncIterator[Rollout]:
    """Services up, the rollout under way, everything published and consumed."""
    namespace = Namespace.fresh(servers)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    intake = ServiceProcess("intake", namespace)
    processes = [
        intake,
        ServiceProcess("profiling", namespace),
        ServiceProcess("training_match", namespace, replan_debounce_s="0"),
        ServiceProcess(
            "notification",
            namespace,
            intake_url=intake.url,
            smtp_host="127.0.0.1",
            smtp_port=str(smtp.port),
            email_poll_interval_s="0.2",
        ),
    ]
    try:
        started = [asyncio.to_thread(p.start, START_S) for p in processes]
        for outcome in await asyncio.gather(*started, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome
        urls = {p.service: p.url for p in processes}
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as http:
            ids = await seed_company(http, employees=ORG_SIZE)
        yield await run_rollout(namespace, urls, ids, mailbox)
    finally:
        for process in processes:
            process.stop()
        smtp.stop()


async def run_rollout(
    namespace: Namespace, urls: dict[str, str], ids: dict[str, str], mailbox: Mailbox
) -> Rollout:
    rollout = Rollout(
        namespace,
        urls,
        ids,
        mentor=ids["1002"],  # Hamburg, dispatcher
        mentees={"erased": ids["1004"], "accepted": ids["1001"], "requested": ids["1005"]},
        mailbox=mailbox,
    )
    mentor, texts = rollout.mentor, rollout.free_texts
    roles = {"erased": "dispatcher", "accepted": "driver", "requested": "driver"}
    async with httpx.AsyncClient(timeout=30) as http:
        intake = urls["intake"]

        async def submit(form: dict) -> None:
            who = bearer(form["employee_id"])
            response = await http.post(f"{intake}/v1/employee-inputs", json=form, headers=who)
            assert response.status_code == 201, response.text

        # The mentor first, so that training-match knows the offer when the mentees come.
        await submit(mentor_input(mentor, texts))
        await until("the mentor's plan", lambda: _plan_of(rollout, mentor))
        for name, mentee in rollout.mentees.items():
            await submit(mentee_input(mentee, roles[name], texts))

        async def mentored() -> dict[str, dict] | None:
            newest = newest_plans(await plans(rollout))
            planned = {m: newest.get(m) for m in rollout.mentees.values()}
            if all(p and mentor_items(p, mentor) for p in planned.values()):
                return planned  # type: ignore[return-value]
            return None

        planned = await until("a mentor item by the mentor for every mentee", mentored)

        accepted = rollout.mentees["accepted"]
        [item] = mentor_items(planned[accepted], mentor)
        response = await http.post(
            f"{urls['training_match']}/v1/plans/{ROLLOUT_ID}/{accepted}/items/accept",
            json={"item_id": item["item_id"]},
            headers=bearer(mentor),
        )
        assert response.status_code == 200, response.text

        idea_ids = {}
        for author in (rollout.mentees["erased"], mentor):
            text = free_text(author, "Idee")
            texts.append(text)
            response = await http.post(
                f"{intake}/v1/rollouts/{ROLLOUT_ID}/ideas",
                json={
                    "employee_id": author,
                    "process_id": "booking",
                    "kind": "process",
                    "text": text,
                },
                headers=bearer(author),
            )
            assert response.status_code == 201, response.text
            idea_ids[author] = response.json()["idea_id"]
        reason = "Begründung: übernehmen wir in Hamburg ab März"
        texts.append(reason)
        response = await http.post(
            f"{intake}/v1/ideas/{idea_ids[rollout.mentees['erased']]}/status",
            json={"status": "adopted", "reason": reason},
            headers=HR,
        )
        assert response.status_code == 200, response.text

        # Reads of other people's data: a manager's (what was released) and HR's.
        manager = bearer(ids["1000"], Role.MANAGER, sites=("hamburg",))
        for employee in (rollout.mentees["erased"], mentor):
            response = await http.get(
                f"{intake}/v1/rollouts/{ROLLOUT_ID}/employee-inputs/{employee}", headers=manager
            )
            assert response.status_code == 200, response.text
            response = await http.get(
                f"{urls['training_match']}/v1/plans/{ROLLOUT_ID}/{employee}", headers=HR
            )
            assert response.status_code == 200, response.text

        async def inboxes_filled() -> bool:
            wanted = {m: 1 for m in rollout.mentees.values()}
            wanted[rollout.mentees["erased"]] = 2  # the plan and the answer to the idea
            wanted[mentor] = 4  # the plan and three mentor requests
            for employee, count in wanted.items():
                url = f"{urls['notification']}/v1/inbox/{employee}"
                listed = (await http.get(url, headers=bearer(employee))).json()
                if len(listed) < count:
                    return False
            return True

        await until("inbox entries for the mentor and the mentees", inboxes_filled)

    addresses = {rollout.address(e) for e in [mentor, *rollout.mentees.values()]}

    async def mailed() -> bool:
        return addresses <= set(mailbox.recipients)

    await until("e-mails to the mentor and the mentees", mailed)
    await rollout.settled()
    return rollout


async def _plan_of(rollout: Rollout, employee: str) -> dict | None:
    return newest_plans(await plans(rollout)).get(employee)


# --- erasure ------------------------------------------------------------------------------


async def erasure_status(http: httpx.AsyncClient, rollout: Rollout, employee: str) -> dict:
    response = await http.get(
        f"{rollout.urls['intake']}/v1/employees/{employee}/erasure", headers=HR
    )
    assert response.status_code == 200, response.text
    return response.json()


async def erase(http: httpx.AsyncClient, rollout: Rollout, employee: str) -> httpx.Response:
    return await http.post(f"{rollout.urls['intake']}/v1/employees/{employee}/erasure", headers=HR)


async def erased(http: httpx.AsyncClient, rollout: Rollout, employee: str) -> dict:
    """Wait until every service confirmed the erasure; returns the final status."""

    async def done() -> dict | None:
        status = await erasure_status(http, rollout, employee)
        return status if status["status"] == "erased" else None

    status = await until(f"the erasure of {employee}", done)
    assert {s.replace("_", "-") for s in status["confirmed_by"]} >= CONFIRMING, status
    assert status["pending"] == [], status
    return status


def leaks(records: Iterable[Seen], needles: Iterable[str]) -> list[str]:
    """Records other than the erasure events that mention any of the needles."""
    return [
        f"{r.describe()} mentions {n}: key={r.key!r} body={r.value[:300]!r}"
        for r in records
        for n in needles
        if r.ce_type not in PRIVACY_EVENTS and r.mentions(n)
    ]


async def still_held(rollout: Rollout, employee: str, watch_s: float = 40) -> str | None:
    """None if no document holds the id now (the erasure is confirmed, all is consumed);
    else where it is, and whether it goes later on its own (an erasure run again) or stays."""
    databases, mongo_uri = rollout.databases, rollout.namespace.servers.mongo_uri
    found = await documents_mentioning(mongo_uri, databases, employee)
    if not found:
        return None
    started = time.monotonic()
    while time.monotonic() - started < watch_s:
        await asyncio.sleep(1)
        if not await documents_mentioning(mongo_uri, databases, employee):
            waited = time.monotonic() - started
            return f"{employee} still in {found} when erased and settled; gone {waited:.0f}s later"
    return f"{employee} still in {found} when erased and settled, and {watch_s:.0f}s later"


async def assert_nothing_holds(rollout: Rollout, employee: str) -> None:
    problem = await still_held(rollout, employee)
    assert problem is None, problem


async def test_erasure_in_the_middle_of_a_rollout_leaves_nothing_behind(rollout: Rollout):
    mentee, mentor = rollout.mentees["erased"], rollout.mentor
    others = [rollout.mentees["accepted"], rollout.mentees["requested"]]
    gone = [mentee, mentor]
    all_topics = await rollout.all_topics()
    assert {rollout.namespace.topic(t) for t in topics.ALL_TOPICS} <= set(all_topics)
    before = await end_offsets(rollout.bootstrap, all_topics)
    mongo_uri = rollout.namespace.servers.mongo_uri
    for employee in gone:  # the scan sees them before: every service holds data of both
        held = await documents_mentioning(mongo_uri, rollout.databases, employee)
        assert {h.split(".", 1)[0] for h in held} == set(rollout.databases), held
    plans_before = newest_plans(await plans(rollout))
    mails_before = len(rollout.mailbox.recipients)

    async with httpx.AsyncClient(timeout=30) as http:
        for employee in gone:
            response = await erase(http, rollout, employee)
            assert response.status_code == 202, response.text
            accepted = response.json()
            assert accepted["status"] in ("erasing", "erased"), accepted
            assert {s.replace("_", "-") for s in accepted["pending"]} <= CONFIRMING, accepted
            await erased(http, rollout, employee)

        # d. The mentor's mentees are planned again, without the mentor.
        async def replanned() -> dict[str, dict] | None:
            newest = newest_plans(await plans(rollout, since=before))
            found = {o: newest.get(o) for o in others}
            return found if all(found.values()) else None  # type: ignore[return-value]

        for other, plan in (await until("new plans for the mentees", replanned)).items():
            assert plan["plan_version"] > plans_before[other]["plan_version"]
            assert not {mentee, mentor} & set(json_scalars(plan)), plan
        await rollout.settled()
        for other in others:
            response = await http.get(
                f"{rollout.urls['training_match']}/v1/plans/{ROLLOUT_ID}/{other}", headers=HR
            )
            assert response.status_code == 200, response.text
            current = response.json()
            assert current["items"], current  # the spreadsheets gap is still planned
            assert not [i for i in current["items"] if i.get("host_id") in gone], current
            assert mentor not in json.dumps(current), current

        # c. The ids resolve to nobody any more.
        for employee in gone:
            contact = await http.get(
                f"{rollout.urls['intake']}/internal/v1/contacts/{employee}", headers=SERVICE_TOKEN
            )
            assert contact.status_code == 404, contact.text
            record = await http.get(
                f"{rollout.urls['intake']}/v1/org/employees/{employee}", headers=HR
            )
            assert record.status_code == 404, record.text
            plan = await http.get(
                f"{rollout.urls['training_match']}/v1/plans/{ROLLOUT_ID}/{employee}", headers=HR
            )
            assert plan.status_code == 404, plan.text
            profile = await http.get(
                f"{rollout.urls['profiling']}/v1/profiles/{ROLLOUT_ID}/{employee}", headers=HR
            )
            assert profile.status_code == 404, profile.text
        await rollout.settled()

        # Nobody erased is e-mailed after the erasure (the address lookup fails first).
        mailed_since = rollout.mailbox.recipients[mails_before:]
        assert not {rollout.address(e) for e in gone} & set(mailed_since), mailed_since

        # a. No document of any service holds either id.
        for employee in gone:
            await assert_nothing_holds(rollout, employee)

        # b. Since the erasure, only the erasure events name them, once per service.
        since = await read_records(rollout.bootstrap, await rollout.all_topics(), before)
        assert leaks(since, gone) == []
        for employee in gone:
            about = [r for r in since if r.key == employee.encode()]
            assert sorted(r.ce_type or "" for r in about if r.ce_type in PRIVACY_EVENTS) == sorted(
                [EmployeeErased.event_type] + [ErasureConfirmed.event_type] * len(CONFIRMING)
            ), [r.describe() for r in about]
            confirmed = [r.body() for r in about if r.ce_type == ErasureConfirmed.event_type]
            assert {c["service"] for c in confirmed} == CONFIRMING  # type: ignore[index]
            for record in about:  # the erasure events carry the id and nothing else about them
                assert set(json_keys(record.body())) <= {"employee_id", "service"}, record

        # e. Erasing again is harmless: accepted, still erased, and nothing but erasure
        # events (if any) is published; no data comes back.
        again_from = await end_offsets(rollout.bootstrap, await rollout.all_topics())
        again = await erase(http, rollout, mentor)
        assert again.status_code in (200, 202), again.text
        assert (await erased(http, rollout, mentor))["status"] == "erased"
        await rollout.settled()
        after = await read_records(rollout.bootstrap, await rollout.all_topics(), again_from)
        assert [r.describe() for r in after if r.ce_type not in PRIVACY_EVENTS] == []
        assert {r.key for r in after} <= {mentor.encode()}
        await assert_nothing_holds(rollout, mentor)


async def test_an_erasure_that_overtakes_the_input_leaves_nothing(rollout: Rollout):
    """The employee erases themself right after submitting: their input may reach a
    service after the erasure did; it must not bring them back, neither for a while nor
    for good, nor be published about after a service confirmed. Nor may their token,
    still valid, submit again."""
    late = rollout.ids["1003"]  # Gdańsk, driver
    urls = rollout.urls
    form = mentee_input(late, "driver", rollout.free_texts) | {
        "site_id": "gdansk",
        "learning_wishes": [{"competence_id": "mobile-devices", "target_level": 2}],
    }
    problems: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:
        submitted = await http.post(
            f"{urls['intake']}/v1/employee-inputs", json=form, headers=bearer(late)
        )
        assert submitted.status_code == 201, submitted.text
        response = await http.post(
            f"{urls['intake']}/v1/employees/{late}/erasure", headers=bearer(late)
        )
        assert response.status_code == 202, response.text
        await erased(http, rollout, late)
        # "erased" means erased: what overtook the erasure is gone or dropped already.
        held = await documents_mentioning(
            rollout.namespace.servers.mongo_uri, rollout.databases, late
        )
        if held:
            problems.append(f"held when the status said erased: {held}")
        again = await http.post(
            f"{urls['intake']}/v1/employee-inputs", json=form, headers=bearer(late)
        )
        assert again.status_code >= 400, again.text
        await rollout.settled()
        problems += filter(None, [await still_held(rollout, late)])
        for url in (
            f"{urls['intake']}/internal/v1/contacts/{late}",
            f"{urls['intake']}/v1/org/employees/{late}",
            f"{urls['training_match']}/v1/plans/{ROLLOUT_ID}/{late}",
            f"{urls['profiling']}/v1/profiles/{ROLLOUT_ID}/{late}",
        ):
            headers = SERVICE_TOKEN if "/internal/" in url else HR
            response = await http.get(url, headers=headers)
            if response.status_code != 404:
                problems.append(f"{url}: {response.status_code} {response.text[:300]}")
    records = await read_records(rollout.bootstrap, await rollout.all_topics())
    confirmed_at = {
        json.loads(r.value)["service"]: r.timestamp
        for r in records
        if r.ce_type == ErasureConfirmed.event_type and r.key == late.encode()
    }
    assert set(confirmed_at) == CONFIRMING, confirmed_at
    problems += [
        f"{r.describe()} from {r.header('ce_source')}, "
        f"{r.timestamp - confirmed_at[s]} ms after {s} confirmed the erasure"
        for r in records
        for s in CONFIRMING
        if r.ce_type not in PRIVACY_EVENTS
        and (r.header("ce_source") or "").startswith(f"/gegenstrom/{s}")
        and r.timestamp > confirmed_at[s]
        and r.mentions(late)
    ]
    assert problems == [], "\n".join(problems)


async def test_erasing_a_manager_leaves_their_reports_without_them(rollout: Rollout):
    """The manager of everyone (personnel number 1000) wrote nothing, but every report's
    assignment names them: afterwards nothing does, and no event after the erasure."""
    manager, report = rollout.ids["1000"], rollout.mentees["accepted"]
    mongo_uri = rollout.namespace.servers.mongo_uri
    held = await documents_mentioning(mongo_uri, rollout.databases, manager)
    assert held, "nothing names the manager before: the test would prove nothing"
    before = await end_offsets(rollout.bootstrap, await rollout.all_topics())
    async with httpx.AsyncClient(timeout=30) as http:
        response = await erase(http, rollout, manager)
        assert response.status_code == 202, response.text
        await erased(http, rollout, manager)
        await rollout.settled()
        record = await http.get(f"{rollout.urls['intake']}/v1/org/employees/{report}", headers=HR)
        assert record.status_code == 200, record.text
        assert record.json().get("manager_personnel_number") in (None, ""), record.json()
    await assert_nothing_holds(rollout, manager)
    since = await read_records(rollout.bootstrap, await rollout.all_topics(), before)
    assert leaks(since, [manager]) == []


def swapped(record: Seen, old: str, new: str) -> tuple[bytes | None, bytes, dict[str, str]]:
    """The record about ``old`` as a new event about ``new``: key, body, headers, new id."""
    headers = {k: v.decode().replace(old, new) for k, v in record.headers}
    headers["ce_id"] = str(uuid.uuid4())
    key = record.key.replace(old.encode(), new.encode()) if record.key else None
    return key, record.value.replace(old.encode(), new.encode()), headers


async def test_late_events_about_an_erased_employee_are_dropped(rollout: Rollout):
    """After the erasure, every kind of event a service consumes arrives about the erased
    employee once more (a mentee's records with the id swapped, as a late producer or a
    replay would bring them): every consumer drops them, nothing is stored again."""
    ghost, template = rollout.ids["1006"], rollout.mentees["requested"]
    async with httpx.AsyncClient(timeout=30) as http:
        response = await erase(http, rollout, ghost)
        assert response.status_code == 202, response.text
        await erased(http, rollout, ghost)
    await rollout.settled()
    contract = [rollout.namespace.topic(t) for t in topics.ALL_TOPICS]
    templates = [
        r
        for r in await read_records(rollout.bootstrap, contract)
        if r.key == template.encode() and r.ce_type not in PRIVACY_EVENTS
    ]
    kinds = {r.ce_type for r in templates}
    assert kinds >= {
        "org.gegenstrom.intake.employee-input-submitted.v1",
        "org.gegenstrom.intake.employee-assignment-changed.v1",
        "org.gegenstrom.profiling.competence-profile-updated.v1",
        LearningPlanUpdated.event_type,
    }, kinds
    for record in templates:
        await produce(rollout.bootstrap, record.topic, [swapped(record, template, ghost)])
    await rollout.settled()
    await assert_nothing_holds(rollout, ghost)


# --- no personal data on the topics -------------------------------------------------------


@dataclass(frozen=True)
class Person:
    personnel_number: str
    first_name: str
    last_name: str
    email: str


def org_people() -> list[Person]:
    """The people of the org CSV that seed_company imports."""
    return [Person(*row.split(";")[:4]) for row in employee_rows(ORG_SIZE)]


def tokens(text: str) -> set[str]:
    return set(re.split(r"[\s,;:/()\[\]{}\"'=]+", text))


def names_number(record: Seen, number: str) -> bool:
    """The personnel number as a value of its own (not a digit run in an id or a time)."""
    texts = [*json_scalars(record.body()), *(v.decode(errors="replace") for _, v in record.headers)]
    return record.key == number.encode() or any(number in tokens(t) for t in texts)


async def test_topics_hold_no_personal_data(rollout: Rollout):
    everything = await read_records(rollout.bootstrap, await rollout.all_topics())
    assert len(everything) > 20, "the scenario published next to nothing"
    problems: list[str] = []
    for person in org_people():
        for needle in (person.first_name, person.last_name, person.email):
            problems += [f"{r.describe()}: {needle}" for r in everything if r.mentions(needle)]
        problems += [
            f"{r.describe()}: personnel number {person.personnel_number}"
            for r in everything
            if names_number(r, person.personnel_number)
        ]
    problems += [
        f"{r.describe()}: an e-mail address" for r in everything if r.mentions("@nordwind")
    ]
    for text in {SECRET_TEXT, *rollout.free_texts}:
        problems += [f"{r.describe()}: free text {text!r}" for r in everything if r.mentions(text)]
    personal = personal_field_names()
    assert personal >= KNOWN_PERSONAL_FIELDS, personal
    for record in everything:
        named = personal & set(json_keys(record.body())) - SHARED_NAMES.get(record.ce_type, set())
        if named:
            problems.append(f"{record.describe()}: personal fields {sorted(named)}")
    assert problems == [], "\n".join(problems)


def test_the_scan_finds_what_it_looks_for():
    """The record scan is no blind eye: escaped umlauts, headers, keys and numbers."""
    body = json.dumps({"experience": SECRET_TEXT, "at": "2026-01-01T10:03:01.100312"})
    record = Seen("t", 0, 0, b"emp-1", (("ce_subject", b"1003"),), body.encode())
    assert "\\u00fc" in body and record.mentions(SECRET_TEXT)
    assert record.mentions("emp-1") and names_number(record, "1003")
    assert not names_number(record, "1001") and not names_number(record, "0031")
    assert "experience" in set(json_keys(record.body()))
    envelope = Envelope(EmployeeErased(employee_id="emp-0123abcd"), "/tests")
    headers = tuple((k, v.encode()) for k, v in envelope.headers().items())
    erased = Seen("t", 0, 1, envelope.key(), headers, envelope.body())
    assert leaks([erased], ["emp-0123abcd"]) == []

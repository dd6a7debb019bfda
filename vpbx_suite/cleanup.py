"""Delete every number the run added and did not delete itself, on each account it acted on;
say what is left.

Runs after the tests, whether they passed, failed or were interrupted (vpbx_suite.__main__).
"""

from __future__ import annotations

import httpx

from vpbx_suite.patience import PersistentRateLimiting
from vpbx_suite.run import MAIN, OTHER, SuiteRun, acting_as
from vpbx_suite.target_api import tls

TIMEOUT_SECONDS = 10.0


def clean_up(run: SuiteRun, base_url: str, token: str, other_token: str | None = None) -> list[str]:
    """The closing lines: how many numbers were added, deleted and left (by id)."""
    lines = _clean_account(run, base_url, token, "")
    if other_token and run.ledgers.get(OTHER) and run.ledgers[OTHER].numbers:
        with acting_as(OTHER):
            lines += _clean_account(run, base_url, other_token, " on the second account (OTHER_API_TOKEN)")
    return lines


def _clean_account(run: SuiteRun, base_url: str, token: str, where: str) -> list[str]:
    ledger = run.ledger
    added = len(ledger.numbers)
    delete = run.facts.lifecycle.delete
    live = ledger.live_ids()
    if not run.checks(delete) or delete is None:
        if not live:
            return [f"cleanup: added {added} numbers{where}, none left"]
        listed = ", ".join(f"{record_id} ({ledger.numbers[record_id]})" for record_id in live)
        return [f"cleanup: added {added} numbers{where}; nothing could be cleaned up, because {delete} "
                f"is not among the checked operations (OPERATIONS)",
                f"cleanup: left on the target{where} (id, number): {listed}"]
    operation = run.facts.operations[delete]
    left = []
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_SECONDS, headers={"Authorization": token}, verify=tls()) as client:
        for record_id in live:
            status = _delete(run, client, operation.method, operation.url_path(id=record_id))
            if 200 <= status < 300 or status == 404:  # 404: already gone
                ledger.removed(record_id)
            else:
                left.append(f"{record_id} ({ledger.numbers[record_id]}, answered {status or 'nothing'})")
    lines = [f"cleanup: added {added} numbers{where}, deleted {added - len(left)}, left {len(left)}"]
    if left:
        lines.append(f"cleanup: left on the target{where} (id, number): {', '.join(left)}")
    lines += _unanswered_adds(run, base_url, token, where)
    return lines


def _unanswered_adds(run: SuiteRun, base_url: str, token: str, where: str) -> list[str]:
    """A run stopped mid-request may have added a number without learning its id: such a
    number (one whose add got no answer; the run took it from the connectable listing, so it
    was not on the account before) is looked for in the listing and deleted."""
    ledger, life = run.ledger, run.facts.lifecycle
    known = set(ledger.numbers.values())
    missing = ledger.unanswered - known
    if not missing or not run.checks(life.listing) or life.listing is None or life.delete is None:
        return []
    listing, delete = run.facts.operations[life.listing], run.facts.operations[life.delete]
    deleted = []
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_SECONDS, headers={"Authorization": token}, verify=tls()) as client:
        try:
            items = client.get(listing.url_path()).json()
        except (httpx.TransportError, ValueError):
            return [f"cleanup: {len(missing)} add(s){where} got no answer; the listing could not be read to find them"]
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("number") in missing and isinstance(item.get("id"), int):
                status = _delete(run, client, delete.method, delete.url_path(id=item["id"]))
                if 200 <= status < 300:
                    deleted.append(f"{item['id']} ({item['number']})")
    return [f"cleanup: deleted {len(deleted)} number(s){where} whose add was answered after the run stopped: "
            f"{', '.join(deleted)}"] if deleted else []


def _delete(run: SuiteRun, client: httpx.Client, method: str, path: str) -> int:
    """The status of a delete (0: no answer), 429/503 waited out as for every request of the run."""
    try:
        return run.patience.send(f"{method.upper()} {path}", lambda: client.request(method.upper(), path),
                                 lambda answer: answer.status_code, lambda answer: answer.headers.get("Retry-After")
                                 ).status_code
    except httpx.TransportError:
        return 0
    except PersistentRateLimiting:
        return 429


__all__ = ["MAIN", "clean_up"]

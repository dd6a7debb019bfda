"""Reading HAR files: what recorders write is understood; what cannot be read exits 2."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from vpbx_traffic.har import main
from vpbx_traffic.har_file import HarError, read_har


def entry(**response: Any) -> dict[str, Any]:
    return {
        "startedDateTime": "2026-11-27T10:00:00.000Z", "time": 250,
        "request": {"method": "get", "url": "https://simple-api.cp.megafon.ru/numbers/virtual-number",
                    "httpVersion": "HTTP/2", "headers": [{"name": ":authority", "value": "simple-api.cp.megafon.ru"},
                                                         {"name": "Authorization", "value": "Bearer t0ken"}],
                    "cookies": [], "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2",
                     "headers": [{"name": "Content-Type", "value": "application/json"},
                                 {"name": "Content-Encoding", "value": "gzip"},
                                 {"name": "Content-Length", "value": "20"}],
                     "cookies": [], "content": {"size": 2, "mimeType": "application/json", "text": "[]"},
                     "redirectURL": "", "headersSize": -1, "bodySize": 20, **response},
        "cache": {}, "timings": {"send": 0, "wait": 250, "receive": 0},
    }


def har(tmp_path: Path, entries: list[Any], name: str = "traffic.har") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                                        "entries": entries}}), encoding="utf-8")
    return path


def test_an_entry_is_read_as_recorders_write_it(tmp_path: Path) -> None:
    [exchange] = read_har(har(tmp_path, [entry()]))
    assert (exchange.index, exchange.method, exchange.status, exchange.elapsed) == (0, "GET", 200, 0.25)
    assert exchange.response_body == b"[]"
    # The text is recorded decoded, so the encoding headers no longer describe it.
    assert exchange.response_headers == [("Content-Type", "application/json")]
    assert [name for name, _ in exchange.request_headers] == ["Authorization"]  # no HTTP/2 pseudo-header
    assert exchange.secrets() == ["Bearer t0ken", "t0ken"]


def test_base64_bodies_and_bodies_not_recorded(tmp_path: Path) -> None:
    encoded = {"size": 2, "mimeType": "application/json", "encoding": "base64",
               "text": base64.b64encode(b"[]").decode()}
    missing = {"size": 120, "mimeType": "application/json"}  # the browser kept no body
    empty = {"size": 0, "mimeType": ""}
    bodies = [e.response_body for e in read_har(har(tmp_path, [entry(content=c) for c in (encoded, missing, empty)]))]
    assert bodies == [b"[]", None, b""]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = har(tmp_path, [entry()])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(read_har(path)) == 1


BROKEN_FILES = {
    "not JSON": "this is not a HAR file",
    "truncated": json.dumps({"log": {"version": "1.2", "entries": [entry(), entry()]}})[:700],
    "no entries": json.dumps({"log": {"version": "1.2"}}),
    "not an object": json.dumps([entry()]),
    "entry without a response": json.dumps({"log": {"entries": [entry(), {"request": entry()["request"]}]}}),
    "status not a number": json.dumps({"log": {"entries": [entry(status="OK")]}}),
    "bad base64": json.dumps({"log": {"entries": [entry(content={"size": 3, "encoding": "base64", "text": "%%%"})]}}),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_an_unreadable_file_is_refused_with_exit_2(name: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.har"
    path.write_text(BROKEN_FILES[name], encoding="utf-8")
    with pytest.raises(HarError):
        read_har(path)
    assert main([str(path), "--report-dir", str(tmp_path / "reports")]) == 2
    assert "validate-traffic: " in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_a_malformed_entry_is_named_by_its_index(tmp_path: Path) -> None:
    with pytest.raises(HarError, match="entry 1 is malformed"):
        read_har(har(tmp_path, [entry(), {"request": {}}]))


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    assert main([str(tmp_path / "nowhere.har"), "--report-dir", str(tmp_path)]) == 2


def test_an_empty_log_judges_nothing_and_says_so(tmp_path: Path) -> None:
    assert main([str(har(tmp_path, [])), "--report-dir", str(tmp_path / "reports")]) == 2
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "traffic-client-problems.json", "traffic-coverage.json", "traffic-report.html", "traffic-violations.json"]

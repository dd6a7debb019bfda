"""A `curl` command for a request, so that every broken rule can be reproduced by hand.

The token never appears: where the request carried it, the command says `$API_TOKEN`; a
request that carried a near-miss of it (the auth tests) says how it was derived, as a shell
expansion of `$API_TOKEN`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode


def _printable(content: bytes) -> str | None:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if all(char.isprintable() or char in " " for char in text) else None


def _escaped_for_printf(content: bytes) -> str:
    # printf's format string: every byte that is not plain printable ASCII as \xHH.
    return "".join(chr(byte) if 32 <= byte < 127 and chr(byte) not in "\\'%" else f"\\x{byte:02x}"
                   for byte in content)


def curl_command(method: str, url: str, headers: Iterable[tuple[str, str]], content: bytes | None,
                 token: str, token_expressions: Mapping[str, str] | None = None,
                 token_name: str = "API_TOKEN") -> str:
    """`token_expressions`: header value -> the shell expression that produces it;
    `token_name`: the variable the token is shown as (OTHER_API_TOKEN for the second account)."""
    parts = ["curl", "-sS", "-i", "-X", method.upper(), shlex.quote(url)]
    for name, value in headers:
        expression = (token_expressions or {}).get(value)
        if expression is not None:
            parts += ["-H", f'"{name}: {expression}"']
        elif token and token in value:
            shown = value.replace(token, "${" + token_name + "}").replace('"', '\\"')
            parts += ["-H", f'"{name}: {shown}"']
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if not content:
        return " ".join(parts)
    text = _printable(content)
    if text is not None and token not in text:
        return " ".join([*parts, "--data-binary", shlex.quote(text)])
    return f"printf '{_escaped_for_printf(content)}' | " + " ".join([*parts, "--data-binary", "@-"])


def case_request(case: Any, base_url: str, token: str) -> tuple[str, str, list[tuple[str, str]], bytes | None]:
    """(method, url, headers, body) a generated case (schemathesis) sends."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    url = kwargs["url"]
    if kwargs.get("params"):
        url += "?" + urlencode(kwargs["params"], doseq=True)
    headers = [(name, str(value)) for name, value in kwargs["headers"].items()
               if name.lower() in ("content-type", "authorization", "content-encoding")]
    if not any(name.lower() == "authorization" for name, _ in headers):
        headers.append(("Authorization", token))
    content: bytes | None = None
    if "json" in kwargs:
        content = json.dumps(kwargs["json"], ensure_ascii=False).encode("utf-8")
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        content = data if isinstance(data, bytes) else str(data).encode("utf-8")
    return kwargs["method"], url, headers, content


def curl_for_case(case: Any, base_url: str, token: str) -> str:
    """A generated case (schemathesis) as a curl command; schemathesis's own filters the token
    into a placeholder that does not run."""
    method, url, headers, content = case_request(case, base_url, token)
    return curl_command(method, url, headers, content, token)

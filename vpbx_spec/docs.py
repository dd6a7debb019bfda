"""`make docs`: the document rendered by Redoc (Redocly CLI's build-docs) to one HTML file.

The page embeds Redoc's scripts (`--inlineBundle`), so it opens without a network, e.g.
from a CI artifact. build/ is not committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT
from vpbx_spec.redocly import CONFIG_PATH, REDOCLY, ToolMissing, run_node_tool

OUTPUT_PATH = REPOSITORY_ROOT / "build" / "docs" / "index.html"


def build_docs(document: Path = DOCUMENT_PATH, output: Path = OUTPUT_PATH) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    result = run_node_tool(REDOCLY, "build-docs", str(document), "--inlineBundle",
                           f"--config={CONFIG_PATH}", f"--output={output}")
    if result.returncode != 0 or not output.is_file():
        raise RuntimeError(f"redocly build-docs exited {result.returncode}: "
                           f"{(result.stderr or result.stdout).strip()[-600:]}")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vpbx_spec.docs", description=__doc__)
    parser.add_argument("--document", type=Path, default=DOCUMENT_PATH)
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH)
    args = parser.parse_args(argv)
    try:
        output = build_docs(args.document, args.output)
    except (ToolMissing, RuntimeError) as error:
        print(f"docs: {error}")
        return 1
    print(f"docs: {output.relative_to(REPOSITORY_ROOT) if output.is_relative_to(REPOSITORY_ROOT) else output}"
          f" ({output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

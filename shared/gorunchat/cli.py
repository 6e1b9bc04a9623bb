"""The ``gorunchat`` command: local stack, route table, generated contracts, admin tasks."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def _routes(args: argparse.Namespace) -> int:
    from gorunchat.contracts.routes import route_table

    if args.terraform is not None:
        from gorunchat import infra

        path = Path(args.terraform)
        infra.write_tfvars(path)
        print(f"wrote {path}")
        return 0
    rows = [r.model_dump(mode="json") | {"group": r.group} for r in route_table()]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for r in rows:
            print(f"{r['method']:7} {r['path']:60} {r['target']:22} {r['auth']}")
    return 0


def _contracts(args: argparse.Namespace) -> int:
    from gorunchat.openapi import check, export

    out = Path(args.out)
    if args.check:
        stale = check(out)
        for name in stale:
            print(f"stale: {out / name}", file=sys.stderr)
        return 1 if stale else 0
    for name in export(out):
        print(f"wrote {out / name}")
    return 0


def _dev(args: argparse.Namespace) -> int:
    from gorunchat.local_stack import run

    return run(Path(args.functions_dir) if args.functions_dir else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gorunchat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the whole local stack")
    dev.add_argument("--functions-dir", help="where functions/<group>/main.py live")
    dev.set_defaults(func=_dev)

    routes = sub.add_parser("routes", help="print the route table")
    routes.add_argument("--json", action="store_true", help="print JSON")
    routes.add_argument("--terraform", nargs="?", const="terraform/routes.auto.tfvars.json",
                        help="write the Terraform URL-map variables file")
    routes.set_defaults(func=_routes)

    contracts = sub.add_parser("contracts", help="generated contract artifacts")
    csub = contracts.add_subparsers(dest="action", required=True)
    export = csub.add_parser("export", help="write JSON Schema and OpenAPI documents")
    export.add_argument("--out", default="generated")
    export.add_argument("--check", action="store_true", help="fail if the files are stale")
    export.set_defaults(func=_contracts)
    from gorunchat.admin_cli import add_parser as add_admin_parser

    add_admin_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

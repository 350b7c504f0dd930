"""`unionbot db`: apply the schema's migrations, copy a deployment between databases."""

from __future__ import annotations

import argparse

from bot.storage.engine import database_url, open_engine, redact
from bot.storage.revisions import UpgradeReport, upgrade
from bot.storage.transfer import copy_database

from .compose import Context


def describe_upgrade(report: UpgradeReport, name: str) -> list[str]:
    """Lines saying what an upgrade did to the database called `name`."""
    lines: list[str] = []
    if report.adopted_at is not None:
        legacy = ", ".join(report.legacy_applied) or "none"
        lines.append(
            f"{name}: adopted an existing SQLite database at revision {report.adopted_at} "
            f"(legacy migrations applied first: {legacy})"
        )
    for step in report.applied:
        lines.append(f"{name}: applied revision {step.revision}: {step.doc}")
    if not report.applied and report.adopted_at is None:
        lines.append(f"{name}: already at the newest revision {report.head}")
    return lines


def cmd_db_upgrade(args: argparse.Namespace, context: Context) -> int:
    """Apply the migrations to UNIONBOT_DATABASE_URL (default: SQLite in the data dir)."""
    url = database_url(context.settings.data_dir, context.settings.database_url)
    engine = open_engine(url)
    try:
        report = upgrade(engine)
    finally:
        engine.dispose()
    for line in describe_upgrade(report, redact(url)):
        print(line)
    return 0


def cmd_db_copy(args: argparse.Namespace, context: Context) -> int:
    """Copy every row of SOURCE_URL into TARGET_URL (upgraded first), in one transaction."""
    report = copy_database(args.source, args.target, replace=args.replace)
    if report.source_upgrade is not None:
        for line in describe_upgrade(report.source_upgrade, "source"):
            print(line)
    for line in describe_upgrade(report.target_upgrade, "target"):
        print(line)
    for count in report.tables:
        print(f"{count.table}: {count.rows} rows")
    print(f"copied {report.rows} rows in {len(report.tables)} tables from {redact(args.source)} to {redact(args.target)}")
    return 0


def add_db_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `db` command and its subcommands."""
    db = sub.add_parser("db", help="database migrations and copies (SQLite or PostgreSQL)")
    actions = db.add_subparsers(dest="db_command", required=True)
    p = actions.add_parser("upgrade", help="apply the migrations to UNIONBOT_DATABASE_URL (default: SQLite in the data dir)")
    p.set_defaults(func=cmd_db_upgrade)
    p = actions.add_parser("copy", help="copy every row of one database into another (upgraded first)")
    p.add_argument("source", metavar="SOURCE_URL", help="sqlite:///PATH or postgresql://…")
    p.add_argument("target", metavar="TARGET_URL", help="sqlite:///PATH or postgresql://…")
    p.add_argument("--replace", action="store_true", help="delete what the target holds first (else a target with data is refused)")
    p.set_defaults(func=cmd_db_copy)
